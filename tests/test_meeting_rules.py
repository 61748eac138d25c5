"""The rules of debate without a database: the queue, the timer, quorum and count, codes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from deliberation.meetings import rules
from deliberation.meetings.rules import Turn

T0 = datetime(2026, 12, 6, 6, 0, tzinfo=timezone.utc)


def turn(i, who, stance, state="waiting"):
    return Turn(id=i, key=who, stance=stance, state=state, order=float(i))


def names(turns):
    return [t.key for t in turns]


def test_without_sides_waiting_the_queue_is_first_come_first_served():
    q = [turn(1, "a", "support"), turn(2, "b", "suggest"), turn(3, "c", "support")]
    assert names(rules.queue_order(q)) == ["a", "b", "c"]


def test_the_floor_alternates_between_support_and_oppose():
    q = [turn(1, "a", "support"), turn(2, "b", "support"), turn(3, "c", "oppose"),
         turn(4, "d", "oppose")]
    assert names(rules.queue_order(q)) == ["a", "c", "b", "d"]
    assert names(rules.queue_order(q, alternate=False)) == ["a", "b", "c", "d"]


def test_alternation_continues_from_the_last_side_that_spoke():
    q = [turn(1, "x", "oppose", "done"), turn(2, "a", "oppose"), turn(3, "b", "support")]
    assert rules.next_turn(q).key == "b"


def test_a_supplement_keeps_its_place_and_does_not_count_as_a_side():
    q = [turn(1, "x", "support", "done"), turn(2, "s", "suggest"), turn(3, "a", "support"),
         turn(4, "o", "oppose")]
    assert names(rules.queue_order(q)) == ["s", "o", "a"]


def test_when_only_one_side_waits_it_is_not_held_back():
    q = [turn(1, "x", "support", "done"), turn(2, "a", "support"), turn(3, "b", "support")]
    assert names(rules.queue_order(q)) == ["a", "b"]


def test_first_turns_come_before_second_turns():
    q = [turn(1, "a", "suggest", "done"), turn(2, "a", "suggest"), turn(3, "b", "suggest")]
    assert names(rules.queue_order(q)) == ["b", "a"]


def test_alternating_never_puts_a_second_turn_before_a_first():
    # "o" opposed once already; "a" and "b" have not spoken: alternation waits for them.
    q = [turn(1, "o", "oppose", "done"), turn(2, "x", "support", "done"),
         turn(3, "o", "oppose"), turn(4, "a", "support"), turn(5, "b", "support")]
    assert names(rules.queue_order(q)) == ["a", "b", "o"]
    # Among second turns alternation applies again.
    q += [turn(6, "a", "support", "done"), turn(7, "b", "support", "done")]
    q = [t for t in q if t.state == "done" or t.key == "o"]
    q += [turn(8, "x", "support")]
    assert names(rules.queue_order(q)) == ["o", "x"]


def test_turn_limit_and_one_place_in_the_queue_per_person():
    history = [turn(1, "a", "support", "done")]
    assert rules.why_not_raise(history, "a", max_turns=2) is None
    assert rules.why_not_raise(history + [turn(2, "a", "oppose")], "a", 2)
    two = history + [turn(2, "a", "oppose", "done")]
    assert "2" in rules.why_not_raise(two, "a", max_turns=2)
    assert rules.why_not_raise(two, "a", max_turns=3) is None
    withdrawn = [turn(1, "b", "support", "withdrawn")]
    assert rules.why_not_raise(withdrawn, "b", max_turns=1) is None


def test_a_person_added_by_name_is_the_same_person_however_spaced():
    assert rules.person_key(None, "王 阿姨") == rules.person_key(None, "王阿姨")
    assert rules.person_key(7, "王阿姨") == "u7" != rules.person_key(None, "王阿姨")


def test_the_timer_runs_from_the_server_start_and_freezes_while_paused():
    assert rules.remaining_ms(120, 0, T0, T0 + timedelta(seconds=30)) == 90_000
    # paused after 45 s: nothing more is spent, however late we look
    assert rules.remaining_ms(120, 45_000, None, T0 + timedelta(hours=1)) == 75_000
    # resumed for 20 s more
    assert rules.remaining_ms(120, 45_000, T0, T0 + timedelta(seconds=20)) == 55_000
    assert rules.remaining_ms(120, 0, T0, T0 + timedelta(seconds=125)) == -5_000


def test_the_countdown_turns_amber_in_the_last_30_seconds_and_red_at_zero():
    assert rules.timer_phase(30_001) == "normal"
    assert rules.timer_phase(30_000) == "ending"
    assert rules.timer_phase(1) == "ending"
    assert rules.timer_phase(0) == "over"


def test_quorum_is_more_than_half_of_the_council():
    assert not rules.has_quorum(6, 3)
    assert rules.has_quorum(6, 4)
    assert rules.has_quorum(5, 3)
    assert not rules.has_quorum(0, 0)


def test_a_motion_passes_on_more_for_than_against_and_a_tie_fails():
    assert rules.passes(3, 2)
    assert not rules.passes(2, 2)
    assert not rules.passes(0, 0)
    assert rules.passes(1, 0)  # abstentions are not counted


def test_counted_hands_must_fit_the_voters():
    assert rules.why_not_counts(2, 1, 1, voters=4) is None
    assert rules.why_not_counts(3, 1, 1, voters=4)
    assert rules.why_not_counts(-1, 0, 0, voters=4)


def test_a_join_code_lives_for_its_window_and_the_next_only():
    secret, meeting = "s3cret", 12
    window = rules.join_window(T0)
    code = rules.join_code(secret, meeting, window)
    assert rules.join_code_valid(secret, meeting, code, T0)
    assert rules.join_code_valid(secret, meeting, code, T0 + timedelta(seconds=30))
    assert not rules.join_code_valid(secret, meeting, code, T0 + timedelta(seconds=60))
    assert not rules.join_code_valid(secret, meeting + 1, code, T0)
    assert not rules.join_code_valid("other", meeting, code, T0)
    assert rules.join_code(secret, meeting, window + 1) != code
