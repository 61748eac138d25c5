"""Finding a meeting (or its parts) from the URL, and who may drive it."""
from __future__ import annotations

from flask import abort, g
from flask_login import current_user

from app.extensions import db

from . import services
from .models import AgendaItem, Meeting, Speaker


def get_meeting(meeting_id: int) -> Meeting:
    """The meeting of this community, or 404: ids of other communities are not found."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.community_id != g.community.id:
        abort(404)
    return meeting


def chair_only(meeting_id: int) -> Meeting:
    meeting = get_meeting(meeting_id)
    if not services.is_chair(meeting, current_user):
        abort(403)
    return meeting


def preparer_only(meeting_id: int) -> Meeting:
    """Staff and the meeting's chair prepare it (details, agenda, minutes)."""
    meeting = get_meeting(meeting_id)
    if not services.may_prepare(meeting, current_user):
        abort(403)
    return meeting


def get_item(meeting: Meeting, item_id: int | None) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id) if item_id else None
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def get_speaker(meeting: Meeting, speaker_id: int) -> Speaker:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.item.meeting_id != meeting.id:
        abort(404)
    return speaker
