"""Threads, comments, moderation and meetings (the deliberation issue builds them here).

It may import `proposals`; `proposals` never imports it and sends signals instead
(`proposals.moves.idea_moved`).
"""
