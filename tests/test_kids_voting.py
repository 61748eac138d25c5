"""Children's votes, without HTTP: a code votes once, even when sent twice at the same
moment; a vote that fails keeps its code; the picks limit; a kiosk's next code voids the
unused one; and nothing children do reaches the adults' results, tally or export."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.database import write_transaction
from app.extensions import db
from app.timeutil import utcnow
from proposals.kids import codes, kiosk, voting
from proposals.kids.models import ChildBallot, ChildChoice, ChildCode
from proposals.rounds import pbio, results, tallies
from proposals.rounds.ballots import submit_online
from proposals.rounds.eligibility import voters_for

from .kids_factories import child, kids_round


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def entry_ids(round_, *positions) -> list[int]:
    return [round_.entries[p].id for p in positions]


def test_a_code_votes_once(app, make):
    r = kids_round(make, make.community())
    code = codes.mint_cards(r, 1)[0]
    db.session.commit()
    with write_transaction():
        ballot = voting.vote_with_code(r, code, entry_ids(r, 1))
        assert ballot.channel == "card"
    with pytest.raises(voting.VoteRefused) as refused, write_transaction():
        voting.vote_with_code(r, code, entry_ids(r, 0))
    assert refused.value.reason == "used"
    assert count(ChildBallot) == 1
    assert db.session.scalars(select(ChildChoice.entry_id)).all() == entry_ids(r, 1)
    # Written by hand from the card, in lower case and without the dash: the same code.
    with pytest.raises(voting.VoteRefused) as again, write_transaction():
        voting.vote_with_code(r, code.lower().replace("-", ""), entry_ids(r, 0))
    assert again.value.reason == "used"
    with pytest.raises(voting.VoteRefused) as unknown, write_transaction():
        voting.vote_with_code(r, codes.new_code(), entry_ids(r, 0))
    assert unknown.value.reason == "unknown"


def test_the_same_code_sent_twice_at_once_counts_once(app, make):
    """Two submissions of one code race (two threads, each its own app context and
    database session, released together): one ballot, one refusal. On SQLite the suite's
    database is a file, so the two connections really compete for it."""
    r = kids_round(make, make.community())
    code = codes.mint_cards(r, 1)[0]
    round_id, choice = r.id, entry_ids(r, 0)
    db.session.commit()  # this thread holds no transaction while the two race

    from proposals.rounds.models import Round
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        with app.app_context():
            round_ = db.session.get(Round, round_id)
            barrier.wait(timeout=30)
            try:
                with write_transaction():
                    voting.vote_with_code(round_, code, choice)
                outcome = "saved"
            except voting.VoteRefused as refused:
                outcome = refused.reason
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    db.session.rollback()
    assert sorted(outcomes) == ["saved", "used"]
    assert count(ChildBallot) == 1 and count(ChildChoice) == 1
    row = db.session.scalar(select(ChildCode))
    assert row.used_at is not None


@pytest.mark.parametrize("bad", [["999999"], ["x"], [], None])
def test_a_failed_vote_leaves_the_code_unused(app, make, bad):
    r = kids_round(make, make.community())
    code = codes.mint_cards(r, 1)[0]
    db.session.commit()
    choice = entry_ids(r, 0) * 2 if bad is None else bad  # None: the same picture twice
    with pytest.raises(voting.VoteRefused) as refused, write_transaction():
        voting.vote_with_code(r, code, choice)
    assert refused.value.reason == "choices"
    assert codes.find(r, code).used_at is None
    assert count(ChildBallot) == 0
    with write_transaction():
        voting.vote_with_code(r, code, entry_ids(r, 0))
    assert count(ChildBallot) == 1


def test_a_closed_round_refuses_and_keeps_the_code(app, make):
    c = make.community()
    r = kids_round(make, c, state="closed")
    code = codes.mint_cards(r, 1)[0]
    db.session.commit()
    with pytest.raises(voting.VoteRefused) as refused, write_transaction():
        voting.vote_with_code(r, code, entry_ids(r, 0))
    assert refused.value.reason == "closed"
    assert codes.find(r, code).used_at is None and count(ChildBallot) == 0


def test_a_code_of_another_round_does_not_vote_here(app, make):
    c = make.community()
    r, other = kids_round(make, c), kids_round(make, c)
    code = codes.mint_cards(other, 1)[0]
    db.session.commit()
    with pytest.raises(voting.VoteRefused) as refused, write_transaction():
        voting.vote_with_code(r, code, entry_ids(r, 0))
    assert refused.value.reason == "unknown"
    assert codes.find(other, code).used_at is None


def test_the_picks_limit(app, make):
    r = kids_round(make, make.community(), picks=2)
    first, second = codes.mint_cards(r, 2)
    db.session.commit()
    with pytest.raises(voting.VoteRefused) as refused, write_transaction():
        voting.vote_with_code(r, first, entry_ids(r, 0, 1, 2))
    assert refused.value.reason == "choices"
    assert codes.find(r, first).used_at is None
    with write_transaction():
        voting.vote_with_code(r, first, entry_ids(r, 0, 2))
        voting.vote_with_code(r, second, entry_ids(r, 1))
    assert sorted(db.session.scalars(select(ChildChoice.entry_id)).all()) \
        == sorted(entry_ids(r, 0, 2, 1))


def test_the_kiosks_next_code_voids_the_unused_one(app, make):
    c = make.community()
    r = kids_round(make, c)
    staff = make.user(c, "staff")
    with write_transaction():
        _token, k = kiosk.start(r, staff)
        walked_away, _row = codes.mint_for_kiosk(k)
    with write_transaction():
        k = db.session.merge(k)
        voted, _row = codes.mint_for_kiosk(k)
        voting.vote_with_code(r, voted, entry_ids(r, 0))
    with write_transaction():
        k = db.session.merge(k)
        nxt, _row = codes.mint_for_kiosk(k)  # a used code stays: it is a counted child
    assert codes.find(r, walked_away) is None
    assert codes.find(r, voted).used_at is not None
    with pytest.raises(voting.VoteRefused) as refused, write_transaction():
        voting.vote_with_code(r, walked_away, entry_ids(r, 1))
    assert refused.value.reason == "unknown"
    with write_transaction():
        voting.vote_with_code(r, nxt, entry_ids(r, 1))
    k = db.session.merge(k)
    assert k.children == 2 and count(ChildBallot) == 2
    assert {b.channel for b in db.session.scalars(select(ChildBallot))} == {"kiosk"}


def test_an_ended_kiosks_unused_code_stops_working(app, make):
    c = make.community()
    r = kids_round(make, c)
    with write_transaction():
        _token, k = kiosk.start(r, make.user(c, "staff"))
        code, _row = codes.mint_for_kiosk(k)
    with write_transaction():
        kiosk.end(db.session.merge(k))
    with pytest.raises(voting.VoteRefused) as refused, write_transaction():
        voting.vote_with_code(r, code, entry_ids(r, 0))
    assert refused.value.reason == "unknown"


def test_an_idle_kiosk_is_not_live(app, make):
    c = make.community()
    r = kids_round(make, c)
    with write_transaction():
        _token, k = kiosk.start(r, make.user(c, "staff"))
    limit = app.config["SETTINGS"].kiosk_idle_minutes
    assert limit == 10
    now = utcnow()
    k.last_seen_at = now - timedelta(minutes=limit - 1)
    assert kiosk.is_live(k, now)
    k.last_seen_at = now - timedelta(minutes=limit, seconds=1)
    assert not kiosk.is_live(k, now)


def adults_view(app, round_, tmp_path) -> dict:
    """Everything that shows the adults' count: totals, both rules' results, the .pb
    export and what `pb export` and `pb tally` print and write."""
    db.session.expire_all()
    outcome = {rule: (r.selected if r else None) for rule, r in tallies.both(round_).items()}
    runner = app.test_cli_runner()
    out = tmp_path / f"export-{len(list(tmp_path.iterdir()))}.pb"
    exported = runner.invoke(args=["pb", "export", str(round_.id), str(out)])
    assert exported.exit_code == 0, exported.output
    tally = runner.invoke(args=["pb", "tally", str(round_.id), "--rule", "greedy", "--json"])
    assert tally.exit_code == 0, tally.output
    tallied = json.loads(tally.output)
    tallied.pop("seconds")
    return {"totals": results.vote_totals(round_), "counted": results.ballots_counted(round_),
            "outcome": outcome, "export": pbio.export_text(round_),
            "file": out.read_text(encoding="utf-8"), "tally": tallied}


def test_childrens_votes_leave_the_adults_count_unchanged(app, make, tmp_path):
    c = make.community()
    r = kids_round(make, c)
    for picks in ([0], [1, 2], [2], [1]):
        submit_online(r, voters_for(r, make.user(c))[0], entry_ids(r, *picks))
    db.session.commit()
    before = adults_view(app, r, tmp_path)
    assert sum(before["totals"].values()) == 5

    # Many children, every channel, all for the idea with the fewest adult votes.
    least = min(before["totals"], key=before["totals"].get)
    with write_transaction():
        for code in codes.mint_cards(r, 6):
            voting.vote_with_code(r, code, [least])
        _token, k = kiosk.start(r, make.user(c, "staff"))
    for _ in range(4):
        with write_transaction():
            code, _row = codes.mint_for_kiosk(db.session.merge(k))
            voting.vote_with_code(r, code, [least])
    guardian = make.user(c)
    for name in ("小雨", "豆豆"):
        kid = child(make, c, guardian, nickname=name)
        with write_transaction():
            voting.vote_as_child(r, kid, [least])
    assert count(ChildBallot) == 12

    assert adults_view(app, r, tmp_path) == before
