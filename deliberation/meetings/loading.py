"""Finding a meeting (or its parts) from the URL, and who may drive it."""
from __future__ import annotations

from flask import abort, g
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db

from . import services
from .models import AgendaItem, Meeting, Motion, Speaker


def get_meeting(meeting_id: int) -> Meeting:
    """The meeting of this community, or 404: ids of other communities are not found."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.community_id != g.community.id:
        abort(404)
    return meeting


# Everything a live part shows, in a fixed handful of queries however long the queue:
# every phone in the room and the screen fetch it after each change.
WHOLE = (joinedload(Meeting.chair),
         selectinload(Meeting.items).options(
             joinedload(AgendaItem.idea), joinedload(AgendaItem.thread),
             selectinload(AgendaItem.speakers).joinedload(Speaker.user)),
         selectinload(Meeting.council), selectinload(Meeting.attendance),
         selectinload(Meeting.motions).selectinload(Motion.votes))


def load_whole(meeting_id: int) -> Meeting:
    """The meeting with all its live parts read now (fresher than any version read
    before), or 404 as get_meeting."""
    # Held in a local meanwhile: the identity map keeps objects weakly, and an
    # unreferenced one would be loaded again, lazily, by get_meeting.
    loaded = db.session.get(Meeting, meeting_id, options=WHOLE, populate_existing=True)
    if loaded is None:
        abort(404)
    return get_meeting(meeting_id)


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
