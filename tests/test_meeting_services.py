"""Running a meeting through its services: the record they keep and what they refuse."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from app.extensions import db
from app.timeutil import utcnow
from deliberation import live
from deliberation.meetings import board, services as s
from deliberation.meetings.models import Attendance, Motion
from deliberation.meetings.services import MeetingRefused


@pytest.fixture(autouse=True)
def english(app):
    # Refusals are matched by their English words; Chinese is the default language.
    with force_locale("en"):
        yield


@pytest.fixture
def room(make):
    c = make.community()
    idea = make.idea(c, stage="deliberating", title="修缮儿童广场地面")
    other = make.idea(c, stage="deliberating", title="楼道加装扶手")
    meeting = make.meeting(c, ideas=[idea, other], council=5)
    s.start(meeting, meeting.chair)
    db.session.commit()
    return meeting


def resident(make, meeting, *roles):
    user = make.user(meeting.community, *roles)
    s.sign_in(meeting, user)
    db.session.commit()
    return user


def test_starting_opens_the_first_item_and_moving_on_ends_the_turn(room, make):
    assert room.status == "live" and room.current_item == room.items[0]
    s.add_speaker(room, room.chair, "王阿姨", "support")
    speaker = s.call_next(room, room.chair)
    s.step(room, room.chair, 1)
    assert room.current_item == room.items[1] and speaker.state == "done"
    with pytest.raises(MeetingRefused):
        s.step(room, room.chair, 1)


def test_signing_in_twice_counts_once_and_a_scanning_councillor_is_present(room, make):
    user = make.user(room.community)
    assert s.sign_in(room, user) is True
    assert s.sign_in(room, user) is False
    db.session.commit()
    assert db.session.query(Attendance).filter_by(meeting_id=room.id).count() == 1
    seat = room.council[1]
    assert not seat.present
    s.sign_in(room, seat.user)
    assert seat.present


def test_someone_of_another_community_cannot_sign_in(room, make):
    stranger = make.user(make.community())
    with pytest.raises(MeetingRefused):
        s.sign_in(room, stranger)


def test_a_hand_is_raised_only_from_the_room(room, make):
    outside = make.user(room.community)
    with pytest.raises(MeetingRefused, match="scan"):
        s.raise_hand(room, outside, "support")
    inside = resident(make, room)
    s.raise_hand(room, inside, "support")
    with pytest.raises(MeetingRefused):
        s.raise_hand(room, inside, "oppose")
    s.lower_hand(room, inside)
    s.raise_hand(room, inside, "oppose")
    assert [sp.display_name for sp in s.queue(room)] == [inside.display_name]


def test_the_queue_alternates_and_limits_turns(room, make):
    a, b = resident(make, room), resident(make, room)
    s.raise_hand(room, a, "support")
    s.raise_hand(room, b, "support")
    s.add_speaker(room, room.chair, "王阿姨", "oppose")
    assert [x.display_name for x in s.queue(room)] == [a.display_name, "王阿姨", b.display_name]
    for _ in range(3):
        s.call_next(room, room.chair)
    s.stop(room, room.chair)
    s.raise_hand(room, a, "support")
    s.call_next(room, room.chair)
    s.stop(room, room.chair)
    with pytest.raises(MeetingRefused, match="2"):
        s.raise_hand(room, a, "suggest")


def test_the_timer_pauses_and_resumes_on_the_server_clock(room):
    s.add_speaker(room, room.chair, "李师傅", "suggest")
    speaker = s.call_next(room, room.chair)
    speaker.running_since = utcnow() - timedelta(seconds=50)
    s.pause(room, room.chair)
    frozen = board.board(room).remaining_ms
    assert 69_000 <= frozen <= 70_000
    assert board.board(room, utcnow() + timedelta(minutes=5)).remaining_ms == frozen
    with pytest.raises(MeetingRefused):
        s.pause(room, room.chair)
    s.resume(room, room.chair)
    later = board.board(room, utcnow() + timedelta(seconds=45))
    assert later.running and later.phase == "ending"
    assert abs(later.remaining_ms - (frozen - 45_000)) < 1_000


def test_no_motion_without_quorum_and_nothing_is_recorded(room):
    present = {c.user_id for c in room.council[:2]}  # 2 of 5
    with pytest.raises(MeetingRefused, match="quorum"):
        s.put_motion(room, room.chair, question="同意列入方案？", present_ids=present)
    db.session.rollback()
    assert db.session.query(Motion).count() == 0


def vote_all(room, *choices):
    for seat, choice in zip(s.voters(room), choices):
        s.cast_vote(room, seat.user, choice)


def test_the_chair_does_not_vote_unless_the_meeting_says_so(room):
    everyone = {c.user_id for c in room.council}
    s.put_motion(room, room.chair, question="延长发言时间？", present_ids=everyone)
    assert room.chair_id not in {v.user_id for v in s.voters(room)}
    with pytest.raises(MeetingRefused):
        s.cast_vote(room, room.chair, "for")
    room.chair_votes = True
    s.cast_vote(room, room.chair, "for")


def test_a_tie_fails_and_abstentions_do_not_count(room):
    everyone = {c.user_id for c in room.council}
    s.put_motion(room, room.chair, question="晚上十点后禁止广场舞？", present_ids=everyone)
    vote_all(room, "for", "against", "abstain", "abstain")
    motion = s.close_motion(room, room.chair)
    assert (motion.votes_for, motion.votes_against, motion.votes_abstain) == (1, 1, 2)
    assert motion.passed is False


def test_a_passed_motion_plans_the_idea_through_the_stage_service(room):
    idea = room.current_item.idea
    everyone = {c.user_id for c in room.council}
    s.put_motion(room, room.chair, question="修缮儿童广场地面，列入方案", present_ids=everyone,
                 move_to="planned", cost_fen=38_000_00, responsible="物业")
    vote_all(room, "for", "for", "against", "abstain")
    motion = s.close_motion(room, room.chair)
    db.session.commit()
    assert motion.passed and not motion.move_note
    assert idea.stage == "planned" and idea.costing.amount_fen == 38_000_00
    change = idea.timeline[-1]
    assert (change.cause_type, change.cause_id) == ("motion", motion.id)
    assert "修缮儿童广场地面" in change.cause_label and change.actor_id == room.chair_id


def test_a_motion_to_plan_needs_a_costing_and_an_idea_in_debate(room):
    everyone = {c.user_id for c in room.council}
    with pytest.raises(MeetingRefused, match="cost"):
        s.put_motion(room, room.chair, question="列入方案", present_ids=everyone,
                     move_to="planned", cost_fen=None, responsible="物业")
    room.current_item.idea.stage = "submitted"
    with pytest.raises(MeetingRefused):
        s.put_motion(room, room.chair, question="列入方案", present_ids=everyone,
                     move_to="planned", cost_fen=100, responsible="物业")


def test_if_the_idea_moved_meanwhile_the_vote_stands_and_the_reason_is_kept(room):
    idea = room.current_item.idea
    everyone = {c.user_id for c in room.council}
    s.put_motion(room, room.chair, question="列入方案", present_ids=everyone,
                 move_to="planned", cost_fen=500_00, responsible="居委会")
    idea.stage = "withdrawn"
    motion = s.close_motion(room, room.chair, counted=(3, 0, 1))
    assert motion.passed and motion.counted_by_chair and motion.move_note
    assert idea.stage == "withdrawn"


def test_counted_hands_cannot_exceed_the_voters(room):
    everyone = {c.user_id for c in room.council}
    s.put_motion(room, room.chair, question="同意？", present_ids=everyone)
    with pytest.raises(MeetingRefused):
        s.close_motion(room, room.chair, counted=(4, 1, 0))  # 4 voters: the chair abstains
    assert s.open_motion(room) is not None


def test_every_change_is_published_and_audited(room, app):
    from app.audit import AuditEntry
    seen = [live.version(room.channel)]
    for act in (lambda: s.add_speaker(room, room.chair, "王阿姨", "support"),
                lambda: s.call_next(room, room.chair)):
        act()
        db.session.commit()
        seen.append(live.version(room.channel))
    assert seen[0] < seen[1] < seen[2]
    actions = {a.action for a in db.session.query(AuditEntry).filter_by(target_id=room.id)}
    assert {"meeting.start", "meeting.speaker", "meeting.next_speaker"} <= actions


def test_closing_drafts_the_minutes_and_minutes_wait_for_the_end(room):
    with pytest.raises(MeetingRefused):
        s.save_minutes(room, room.chair, "纪要", publish=True)
    s.close(room, room.chair)
    assert room.status == "closed" and "修缮儿童广场地面" in room.minutes
    s.save_minutes(room, room.chair, "修改后的纪要", publish=True)
    assert room.minutes_published and room.minutes == "修改后的纪要"
