"""Everything that changes a meeting. Each function checks what it may, records the
action in the audit log and publishes the meeting's live channel; the caller commits
(views wrap a call in `write_transaction()`). Refusals raise `MeetingRefused` with a
message for the person who asked, and change nothing."""
from __future__ import annotations

import secrets

from flask_babel import gettext as _

from app import audit, permissions
from app.extensions import db
from app.timeutil import utcnow
from deliberation import live
from deliberation.models import STANCES
from proposals.moves import MoveRefused, move_idea
from proposals.needs import CostingInput

from . import rules
from .models import (MOTION_MOVES, VOTE_CHOICES, Attendance, Councillor, Meeting, Motion,
                     MotionVote, Speaker)

MAX_NAME = 60


class MeetingRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _changed(meeting: Meeting, actor, action: str, **detail) -> None:
    if actor is not None:
        audit.record(f"meeting.{action}", actor=actor, community=meeting.community,
                     target=meeting, **detail)
    live.publish(meeting.channel)


def new_secrets() -> dict:
    return {"screen_token": secrets.token_urlsafe(24), "join_secret": secrets.token_hex(16)}


def is_chair(meeting: Meeting, user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.id == meeting.chair_id
                and permissions.is_member(user, meeting.community))


def may_prepare(meeting: Meeting, user) -> bool:
    """Staff and the meeting's chair set up the meeting and its agenda: members (a site
    administrator who is no member is refused by the routes, so is shown no link)."""
    community = meeting.community
    return (permissions.is_staff(user, community) and permissions.is_member(user, community)) \
        or is_chair(meeting, user)


def _live(meeting: Meeting) -> None:
    if meeting.status != "live":
        raise MeetingRefused(_("The meeting is not in session."))


# --- the meeting itself ------------------------------------------------------------

def start(meeting: Meeting, actor) -> None:
    if meeting.status != "scheduled":
        raise MeetingRefused(_("This meeting has already begun or ended."))
    meeting.status, meeting.started_at = "live", utcnow()
    if meeting.items and meeting.current_item_id is None:
        _enter_item(meeting, meeting.items[0])
    _changed(meeting, actor, "start")


def close(meeting: Meeting, actor) -> None:
    _live(meeting)
    if open_motion(meeting) is not None:
        raise MeetingRefused(_("Close the motion being voted on first."))
    _end_turn(meeting)
    meeting.status, meeting.ended_at = "closed", utcnow()
    if not meeting.minutes.strip():
        from .minutes import draft
        meeting.minutes = draft(meeting)
    _changed(meeting, actor, "close")


def rotate_screen(meeting: Meeting, actor) -> None:
    meeting.screen_token = secrets.token_urlsafe(24)
    meeting.join_secret = secrets.token_hex(16)
    _changed(meeting, actor, "rotate_screen")


def _enter_item(meeting: Meeting, item) -> None:
    meeting.current_item_id = item.id
    if item.started_at is None:
        item.started_at = utcnow()


def go_to_item(meeting: Meeting, actor, item) -> None:
    _live(meeting)
    if item.meeting_id != meeting.id:
        raise MeetingRefused(_("That item is not on this meeting's agenda."))
    if open_motion(meeting) is not None:
        raise MeetingRefused(_("Close the motion being voted on first."))
    _end_turn(meeting)
    _enter_item(meeting, item)
    _changed(meeting, actor, "item", item=item.id)


def step(meeting: Meeting, actor, delta: int) -> None:
    items = meeting.items
    ids = [i.id for i in items]
    here = ids.index(meeting.current_item_id) if meeting.current_item_id in ids else -1
    there = here + delta
    if not 0 <= there < len(items):
        raise MeetingRefused(_("There is no item there on the agenda."))
    go_to_item(meeting, actor, items[there])


# --- attendance ---------------------------------------------------------------------

def councillor(meeting: Meeting, user) -> Councillor | None:
    uid = getattr(user, "id", None)
    return next((c for c in meeting.council if c.user_id == uid), None)


def attendance_of(meeting: Meeting, user) -> Attendance | None:
    uid = getattr(user, "id", None)
    return next((a for a in meeting.attendance if uid is not None and a.user_id == uid), None)


def is_in_room(meeting: Meeting, user) -> bool:
    seat = councillor(meeting, user)
    return attendance_of(meeting, user) is not None or (seat is not None and seat.present)


def sign_in(meeting: Meeting, user, how: str = "qr", actor=None) -> bool:
    """Record `user` as present; False if they already were."""
    if meeting.status == "closed":
        raise MeetingRefused(_("This meeting has ended."))
    if not permissions.is_member(user, meeting.community):
        raise MeetingRefused(_("Only members of this community can sign in."))
    seat = councillor(meeting, user)
    if seat is not None and not seat.present:
        seat.present, seat.marked_at = True, utcnow()
    if attendance_of(meeting, user) is not None:
        if seat is not None:
            _changed(meeting, None, "sign_in")
        return False
    meeting.attendance.append(Attendance(user_id=user.id, how=how))
    db.session.flush()
    _changed(meeting, actor, "sign_in", user=user.id, how=how)
    return True


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise MeetingRefused(_("Please write the person's name."))
    if len(name) > MAX_NAME:
        raise MeetingRefused(_("A name can have at most %(n)d characters.", n=MAX_NAME))
    return name


def add_attendee(meeting: Meeting, actor, name: str) -> None:
    """The chair marks present someone without a phone, by name."""
    if meeting.status == "closed":
        raise MeetingRefused(_("This meeting has ended."))
    meeting.attendance.append(Attendance(name=clean_name(name), how="chair"))
    db.session.flush()
    _changed(meeting, actor, "attendee", name=name)


def confirm_council(meeting: Meeting, actor, present_ids: set[int]) -> None:
    for seat in meeting.council:
        present = seat.user_id in present_ids
        if seat.present != present:
            seat.present, seat.marked_at = present, utcnow()
    _changed(meeting, actor, "council", present=sorted(present_ids))


# --- speakers and the timer --------------------------------------------------------

def _turns(item) -> list[rules.Turn]:
    return [rules.Turn(s.id, s.person_key, s.stance, s.state, s.requested_at.timestamp())
            for s in item.speakers]


def queue(meeting: Meeting, item=None) -> list[Speaker]:
    item = item or meeting.current_item
    if item is None:
        return []
    by_id = {s.id: s for s in item.speakers}
    return [by_id[t.id] for t in rules.queue_order(_turns(item), alternate=meeting.alternate)]


def speaking(meeting: Meeting) -> Speaker | None:
    item = meeting.current_item
    if item is None:
        return None
    return next((s for s in item.speakers if s.state == "speaking"), None)


def _request(meeting: Meeting, stance: str, *, user=None, name: str = "") -> Speaker:
    _live(meeting)
    item = meeting.current_item
    if item is None:
        raise MeetingRefused(_("No agenda item is being discussed."))
    if stance not in STANCES:
        raise MeetingRefused(_("Choose 支持, 反对 or 补充."))
    key = rules.person_key(getattr(user, "id", None), name)
    why = rules.why_not_raise(_turns(item), key, meeting.max_turns)
    if why:
        raise MeetingRefused(why)
    speaker = Speaker(user=user, name=name, stance=stance,
                      state="waiting", elapsed_ms=0, requested_at=utcnow())
    item.speakers.append(speaker)
    db.session.flush()  # ids and defaults set, so the queue rules see the new row whole
    return speaker


def raise_hand(meeting: Meeting, user, stance: str) -> Speaker:
    if not is_in_room(meeting, user):
        raise MeetingRefused(_("Sign in to the meeting first: scan the code on the screen."))
    speaker = _request(meeting, stance, user=user)
    _changed(meeting, None, "hand")
    return speaker


def lower_hand(meeting: Meeting, user) -> None:
    item = meeting.current_item
    mine = [s for s in (item.speakers if item else [])
            if s.user_id == user.id and s.state == "waiting"]
    if not mine:
        raise MeetingRefused(_("You are not waiting to speak."))
    for s in mine:
        s.state = "withdrawn"
    _changed(meeting, None, "lower_hand")


def add_speaker(meeting: Meeting, actor, name: str, stance: str) -> Speaker:
    speaker = _request(meeting, stance, name=clean_name(name))
    _changed(meeting, actor, "speaker", name=speaker.name, stance=stance)
    return speaker


def remove_speaker(meeting: Meeting, actor, speaker: Speaker) -> None:
    if speaker.item.meeting_id != meeting.id or speaker.state != "waiting":
        raise MeetingRefused(_("Only someone still waiting can be taken off the list."))
    speaker.state = "withdrawn"
    _changed(meeting, actor, "speaker_removed", speaker=speaker.id)


def _end_turn(meeting: Meeting) -> Speaker | None:
    current = speaking(meeting)
    if current is not None:
        now = utcnow()
        current.elapsed_ms = rules.spoken_ms(current.elapsed_ms, current.running_since, now)
        current.running_since, current.state, current.ended_at = None, "done", now
    return current


def call_next(meeting: Meeting, actor) -> Speaker:
    """End the current turn and give the floor to the next in the queue, timer running."""
    _live(meeting)
    upcoming = queue(meeting)
    if not upcoming:
        raise MeetingRefused(_("Nobody is waiting to speak."))
    _end_turn(meeting)
    speaker = upcoming[0]
    now = utcnow()
    speaker.state, speaker.started_at, speaker.running_since = "speaking", now, now
    _changed(meeting, actor, "next_speaker", speaker=speaker.id)
    return speaker


def _current_or_refuse(meeting: Meeting) -> Speaker:
    _live(meeting)
    current = speaking(meeting)
    if current is None:
        raise MeetingRefused(_("Nobody has the floor."))
    return current


def pause(meeting: Meeting, actor) -> None:
    current = _current_or_refuse(meeting)
    if current.running_since is None:
        raise MeetingRefused(_("The timer is already paused."))
    current.elapsed_ms = rules.spoken_ms(current.elapsed_ms, current.running_since, utcnow())
    current.running_since = None
    _changed(meeting, actor, "pause")


def resume(meeting: Meeting, actor) -> None:
    current = _current_or_refuse(meeting)
    if current.running_since is not None:
        raise MeetingRefused(_("The timer is already running."))
    current.running_since = utcnow()
    _changed(meeting, actor, "resume")


def stop(meeting: Meeting, actor) -> None:
    _current_or_refuse(meeting)
    _end_turn(meeting)
    _changed(meeting, actor, "stop")


# --- motions ------------------------------------------------------------------------

def open_motion(meeting: Meeting) -> Motion | None:
    return next((m for m in meeting.motions if m.status == "open"), None)


def voters(meeting: Meeting) -> list[Councillor]:
    """The council members present who vote: the chair only when the meeting says so."""
    return [c for c in meeting.council if c.present
            and (meeting.chair_votes or c.user_id != meeting.chair_id)]


def put_motion(meeting: Meeting, actor, *, question: str, present_ids: set[int],
               move_to: str = "", cost_fen: int | None = None,
               responsible: str = "") -> Motion:
    _live(meeting)
    question = (question or "").strip()
    if not question:
        raise MeetingRefused(_("Write the question put to the vote."))
    if open_motion(meeting) is not None:
        raise MeetingRefused(_("Another motion is being voted on."))
    confirm_council(meeting, actor, present_ids)
    total, present = len(meeting.council), sum(1 for c in meeting.council if c.present)
    if not rules.has_quorum(total, present):
        raise MeetingRefused(_("No quorum: %(p)d of %(t)d council members are present; "
                               "more than half must be.", p=present, t=total))
    item = meeting.current_item
    if move_to:
        _check_move(item, move_to, cost_fen, responsible)
    motion = Motion(item=item, question=question, move_to=move_to,
                    cost_fen=cost_fen if move_to else None,
                    responsible=responsible.strip() if move_to else "",
                    council_total=total, council_present=present, opened_by_id=actor.id)
    motion.status, motion.counted_by_chair = "open", False
    meeting.motions.append(motion)
    db.session.flush()
    _changed(meeting, actor, "motion", motion=motion.id, question=question, move_to=move_to)
    return motion


def _check_move(item, move_to: str, cost_fen: int | None, responsible: str) -> None:
    if move_to not in MOTION_MOVES:
        raise MeetingRefused(_("A motion cannot make that move."))
    if item is None or item.idea is None:
        raise MeetingRefused(_("Only a motion on an idea can move it to another stage."))
    if item.idea.stage != "deliberating":
        raise MeetingRefused(_("Only an idea under deliberation can be planned."))
    if not cost_fen or cost_fen <= 0 or not responsible.strip():
        raise MeetingRefused(_("Planning an idea needs its cost and the party responsible."))


def cast_vote(meeting: Meeting, user, choice: str) -> None:
    motion = open_motion(meeting)
    if motion is None:
        raise MeetingRefused(_("No motion is being voted on."))
    if motion.counted_by_chair:
        raise MeetingRefused(_("The chair is counting hands for this motion."))
    if choice not in VOTE_CHOICES:
        raise MeetingRefused(_("Choose 支持, 反对 or 弃权."))
    if not any(c.user_id == getattr(user, "id", None) for c in voters(meeting)):
        raise MeetingRefused(_("Only council members present vote on a motion."))
    vote = next((v for v in motion.votes if v.user_id == user.id), None)
    if vote is None:
        motion.votes.append(MotionVote(user_id=user.id, choice=choice))
    else:
        vote.choice, vote.at = choice, utcnow()
    _changed(meeting, None, "vote")


def live_counts(motion: Motion) -> dict[str, int]:
    if motion.status == "closed" or motion.counted_by_chair:
        return {"for": motion.votes_for, "against": motion.votes_against,
                "abstain": motion.votes_abstain}
    counts = dict.fromkeys(VOTE_CHOICES, 0)
    for v in motion.votes:
        counts[v.choice] += 1
    return counts


def close_motion(meeting: Meeting, actor, counted: tuple[int, int, int] | None = None) -> Motion:
    """Record the result: the phones' votes, or the hands the chair counted."""
    motion = open_motion(meeting)
    if motion is None:
        raise MeetingRefused(_("No motion is being voted on."))
    if counted is not None:
        why = rules.why_not_counts(*counted, voters=len(voters(meeting)))
        if why:
            raise MeetingRefused(why)
        motion.counted_by_chair = True
        motion.votes_for, motion.votes_against, motion.votes_abstain = counted
    else:
        c = live_counts(motion)
        motion.votes_for, motion.votes_against, motion.votes_abstain = \
            c["for"], c["against"], c["abstain"]
    motion.status, motion.closed_at = "closed", utcnow()
    motion.passed = rules.passes(motion.votes_for, motion.votes_against)
    if motion.passed and motion.move_to:
        _make_move(meeting, motion, actor)
    _changed(meeting, actor, "motion_closed", motion=motion.id, passed=motion.passed,
             counts=[motion.votes_for, motion.votes_against, motion.votes_abstain])
    return motion


def _make_move(meeting: Meeting, motion: Motion, actor) -> None:
    idea = motion.item.idea
    try:
        move_idea(idea, motion.move_to, actor=actor, cause=motion,
                  costing=CostingInput(motion.cost_fen, motion.responsible))
        motion.move_note = ""
    except MoveRefused as refused:
        # The vote stands; the move is left to staff, and the reason is kept.
        motion.move_note = refused.message[:300]


# --- minutes ------------------------------------------------------------------------

def save_minutes(meeting: Meeting, actor, text: str, *, publish: bool) -> None:
    if meeting.status != "closed":
        raise MeetingRefused(_("Minutes are written once the meeting has ended."))
    text = (text or "").strip()
    if not text:
        raise MeetingRefused(_("The minutes cannot be empty."))
    if len(text) > 50_000:
        raise MeetingRefused(_("The minutes are too long."))
    meeting.minutes = text
    if publish and meeting.minutes_published_at is None:
        meeting.minutes_published_at, meeting.minutes_published_by_id = utcnow(), actor.id
    _changed(meeting, actor, "minutes", published=meeting.minutes_published)
