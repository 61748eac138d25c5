"""Making a meeting and its agenda (staff, or the meeting's chair)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from app import audit
from app.extensions import db
from deliberation import live

from .models import ITEM_KINDS, AgendaItem, Councillor, Meeting
from .services import MeetingRefused, new_secrets


@dataclass
class MeetingFields:
    title: str
    starts_at: datetime
    place: str
    chair_id: int
    council_ids: list[int]
    turn_seconds: int = 120
    max_turns: int = 2
    alternate: bool = True
    chair_votes: bool = False


def _apply(meeting: Meeting, f: MeetingFields) -> None:
    if meeting.status == "closed":
        raise MeetingRefused(_("This meeting has ended."))
    meeting.title, meeting.place = f.title.strip(), f.place.strip()
    meeting.starts_at, meeting.chair_id = f.starts_at, f.chair_id
    meeting.turn_seconds, meeting.max_turns = f.turn_seconds, f.max_turns
    meeting.alternate, meeting.chair_votes = f.alternate, f.chair_votes
    keep = {c.user_id: c for c in meeting.council}
    meeting.council = [keep.get(uid) or Councillor(user_id=uid)
                       for uid in dict.fromkeys(f.council_ids)]


def create_meeting(community, actor, fields: MeetingFields) -> Meeting:
    meeting = Meeting(community=community, created_by_id=actor.id, **new_secrets())
    _apply(meeting, fields)
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.create", actor=actor, community=community, target=meeting,
                 title=meeting.title)
    return meeting


def update_meeting(meeting: Meeting, actor, fields: MeetingFields) -> None:
    _apply(meeting, fields)
    audit.record("meeting.update", actor=actor, community=meeting.community, target=meeting)
    live.publish(meeting.channel)


def add_item(meeting: Meeting, actor, *, kind: str, idea=None, thread=None,
             title: str = "", note: str = "") -> AgendaItem:
    if meeting.status == "closed":
        raise MeetingRefused(_("This meeting has ended."))
    if kind not in ITEM_KINDS:
        raise MeetingRefused(_("Unknown kind of agenda item."))
    if kind == "idea" and (idea is None or idea.community_id != meeting.community_id):
        raise MeetingRefused(_("Choose an idea of this community."))
    if kind == "topic" and (thread is None or thread.community_id != meeting.community_id
                            or thread.idea_id is not None):
        raise MeetingRefused(_("Choose a topic of this community."))
    if kind == "free" and not title.strip():
        raise MeetingRefused(_("Give the item a title."))
    if any(i.idea_id == getattr(idea, "id", -1) for i in meeting.items if idea is not None):
        raise MeetingRefused(_("This idea is already on the agenda."))
    position = max((i.position for i in meeting.items), default=0) + 1
    item = AgendaItem(kind=kind, idea=idea if kind == "idea" else None,
                      thread=thread if kind == "topic" else None,
                      title=title.strip() if kind == "free" else "", note=note.strip(),
                      position=position)
    meeting.items.append(item)
    db.session.flush()
    audit.record("meeting.agenda_add", actor=actor, community=meeting.community,
                 target=meeting, item=item.id, kind=kind)
    live.publish(meeting.channel)
    return item


def move_item(meeting: Meeting, actor, item: AgendaItem, delta: int) -> None:
    if meeting.status == "closed":
        raise MeetingRefused(_("This meeting has ended."))
    items = list(meeting.items)
    i = items.index(item)
    j = i + delta
    if not 0 <= j < len(items):
        return
    items[i].position, items[j].position = items[j].position, items[i].position
    meeting.items.sort(key=lambda x: x.position)
    audit.record("meeting.agenda_move", actor=actor, community=meeting.community,
                 target=meeting, item=item.id, delta=delta)
    live.publish(meeting.channel)


def remove_item(meeting: Meeting, actor, item: AgendaItem) -> None:
    if meeting.status == "closed":
        raise MeetingRefused(_("This meeting has ended."))
    if item.speakers or any(m.item_id == item.id for m in meeting.motions):
        raise MeetingRefused(_("This item has been debated and stays in the record."))
    if meeting.current_item_id == item.id:
        meeting.current_item_id = None
    meeting.items.remove(item)
    audit.record("meeting.agenda_remove", actor=actor, community=meeting.community,
                 target=meeting, item=item.id)
    live.publish(meeting.channel)
