"""Meetings of the 议事会: agenda, attendance, the speaker queue and its timer, motions,
minutes, the chair's console and the projector screen.

Rules that need no database live in `rules.py`; every change goes through `services.py`
(audited, published on the meeting's live channel); views stay thin.
"""
