"""`flask seed-scale`: the benchmark data set, on the tiny preset (seconds on each backend).

The generator writes straight into the test database; the command itself is run where
what matters is its choice of target (refusing a database in use, never the site's)."""
from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.accounts.models import Membership
from app.extensions import db
from app.scale import page_urls
from app.scale.bulk import digest, empty, row_counts
from app.scale.generate import generate
from app.scale.presets import PRESETS
from deliberation.models import ChangeMarker, Comment, Thread
from proposals.models import Idea, StageChange
from proposals.rounds import results
from proposals.rounds.models import Ballot, Participation, Round, RoundEntry, Tally
from proposals.stages import STAGES, find_move

TINY = PRESETS["tiny"]


def make_tiny():
    db.session.commit()
    with db.engine.begin() as conn:
        return generate(conn, TINY, seed=1)


def database_url(app) -> str:
    """The test database as a URL the command can open (on PostgreSQL: its schema)."""
    settings = app.config["SETTINGS"]
    schema = settings.extra.get("pg_schema")
    if schema:
        return f"{settings.database_url}?options=-csearch_path%3D{schema}"
    return settings.database_url


def test_rows_follow_the_preset(app, make):
    result = make_tiny()
    with db.engine.connect() as conn:
        counts = row_counts(conn)
    assert {k: v for k, v in counts.items() if v} == result.counts
    assert counts["community"] == TINY.communities
    assert counts["user"] == TINY.residents + 1  # and the site's administrator
    assert counts["idea"] == TINY.ideas
    assert counts["comment"] == TINY.comments
    assert counts["meeting"] == TINY.meetings
    assert counts["ballot"] == counts["participation"] == TINY.ballots
    assert counts["round"] == TINY.rounds
    assert {s for (s,) in db.session.execute(select(Idea.stage).distinct())} == set(STAGES)
    states = Counter(r.state for r in db.session.scalars(select(Round)))
    assert set(states) == {"upcoming", "open", "closed", "adopted"}
    assert PRESETS["city"].comments == 10 * PRESETS["town"].comments
    # The site goes on numbering after the generated ids (PostgreSQL's sequences).
    newcomer = make.user(make.community("newcomer"))
    assert newcomer.id == TINY.residents + 2


def test_two_runs_give_the_same_rows(app):
    make_tiny()
    with db.engine.connect() as conn:
        first = digest(conn)
    with db.engine.begin() as conn:
        empty(conn)
    make_tiny()
    with db.engine.connect() as conn:
        assert digest(conn) == first


def test_the_generated_rows_keep_the_sites_rules(app):
    """One data set, every rule (one test: each data set costs seconds on PostgreSQL)."""
    result = make_tiny()
    timelines_follow_the_stage_table()
    ballots_are_what_the_ballot_code_writes()
    stored_tallies_equal_a_recount_of_the_raw_ballots()
    threads_and_markers(result.targets["idea_page"]["idea_id"])
    the_ballot_target_voters_may_vote(result.targets["ballot"])


def timelines_follow_the_stage_table():
    changes = db.session.scalars(select(StageChange).order_by(StageChange.idea_id,
                                                              StageChange.id)).all()
    by_idea: dict[int, list[StageChange]] = {}
    for c in changes:
        by_idea.setdefault(c.idea_id, []).append(c)
    for idea in db.session.scalars(select(Idea)):
        timeline = by_idea[idea.id]
        assert timeline[0].from_stage is None and timeline[0].to_stage == "submitted"
        for before, after in zip(timeline, timeline[1:]):
            assert after.from_stage == before.to_stage
            assert find_move(after.from_stage, after.to_stage) is not None
            assert after.at >= before.at
        assert timeline[-1].to_stage == idea.stage
        if idea.stage == "in_round":
            assert timeline[-1].cause_type == "round"


def ballots_are_what_the_ballot_code_writes():
    for r in db.session.scalars(select(Round)):
        parts = db.session.scalars(select(Participation).where(
            Participation.round_id == r.id)).all()
        ballots = db.session.scalars(select(Ballot).where(Ballot.round_id == r.id)).all()
        assert len(parts) == len(ballots)
        if r.adopted:
            assert all(p.token is None for p in parts) and all(b.token is None for b in ballots)
        else:
            assert {p.token for p in parts} == {b.token for b in ballots}
        for b in ballots:
            assert b.choices, "every ballot chooses something"
            if r.ballot_kind == "knapsack":
                costs = {e.id: e.cost_fen for e in r.entries}
                assert sum(costs[c.entry_id] for c in b.choices) <= r.budget_fen


def stored_tallies_equal_a_recount_of_the_raw_ballots():
    tallies = db.session.scalars(select(Tally)).all()
    assert tallies
    for tally in tallies:
        round_ = db.session.get(Round, tally.round_id)
        assert round_.state in ("closed", "adopted")
        election = results.election_of(round_)
        selected, _seconds = results.count(election, tally.rule, threshold=None)
        assert json.loads(tally.selected_json) == selected
        assert tally.ballots_counted == len(election.ballots)
        if round_.adopted and tally.rule == round_.rule:
            assert {e.project_id for e in round_.entries if e.won} == set(selected)


def threads_and_markers(target: int):
    thread = db.session.scalar(select(Thread).where(Thread.idea_id == target))
    assert db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.thread_id == thread.id)) == 200
    marker = db.session.get(ChangeMarker, f"idea:{target}")
    assert marker is not None and marker.version >= 200
    replies = db.session.scalars(select(Comment).where(Comment.parent_id.is_not(None))).all()
    assert replies
    for reply in replies:
        parent = db.session.get(Comment, reply.parent_id)
        assert parent.parent_id is None and parent.thread_id == reply.thread_id
        assert reply.stance is None and reply.created_at >= parent.created_at


def the_ballot_target_voters_may_vote(t: dict):
    round_ = db.session.get(Round, t["round_id"])
    assert round_.state == "open" and round_.unit == "person" and not round_.buildings
    lo, hi = t["voter_user_ids"]
    verified = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.community_id == round_.community_id, Membership.user_id.between(lo, hi),
        Membership.verified_at.is_not(None)))
    assert verified == hi - lo + 1 == t["eligible_voters"]
    assert PRESETS["city"].residents // 4 * 0.9 >= 5000  # the city's open round


def test_the_manifest_pages_open(app, client):
    result = make_tiny()
    t = result.targets
    with app.test_request_context():
        urls = page_urls(t)
    for name, url in urls.items():
        if name == "ballot":
            continue  # needs a signed-in voter
        assert client.get(url).status_code == 200, name
    assert "(200)" in client.get(urls["idea_page"]).get_data(as_text=True)
    page = client.get(urls["round_results"]).get_data(as_text=True)
    assert "✓" in page
    for pid in t["round_results"]["selected"]["greedy"]:
        assert db.session.get(Idea, int(pid)).title in page
    listing = client.get(urls["idea_list_search"]).get_data(as_text=True)
    assert t["idea_list_search"]["hits"] >= 1
    found = db.session.scalars(select(Idea).where(
        Idea.community.has(slug=t["community"]["slug"]),
        Idea.stage == t["idea_list_search"]["stage"],
        Idea.title.contains(t["idea_list_search"]["q"]))).first()
    if found is not None:
        assert found.title in listing


def test_refuses_a_database_with_data_unless_forced(app, make, tmp_path):
    make.user(make.community("home"))
    db.session.commit()
    with db.engine.connect() as conn:
        before = digest(conn)
    runner = app.test_cli_runner()
    args = ["seed-scale", "--preset", "tiny", "--database", database_url(app),
            "--manifest", str(tmp_path / "m.json")]
    refused = runner.invoke(args=args)
    assert refused.exit_code != 0 and "--force" in refused.output
    with db.engine.connect() as conn:
        assert digest(conn) == before
    assert not (tmp_path / "m.json").exists()
    forced = runner.invoke(args=args + ["--force"])
    assert forced.exit_code == 0, forced.output
    manifest = json.loads((tmp_path / "m.json").read_text())
    assert manifest["rows"]["idea"] == TINY.ideas and manifest["urls"]["idea_page"]
    assert db.session.scalar(select(func.count()).select_from(RoundEntry)) > 0


def test_default_target_is_a_file_of_its_own(app, backend):
    if backend != "sqlite":
        pytest.skip("the default target is a SQLite file whatever the site runs on")
    settings = app.config["SETTINGS"]
    result = app.test_cli_runner().invoke(args=["seed-scale", "--preset", "tiny"])
    assert result.exit_code == 0, result.output
    target = settings.instance_path / "scale-tiny.db"
    assert target.exists() and (settings.instance_path / "scale-tiny.db.manifest.json").exists()
    assert not (settings.instance_path / "yishiting.db").exists()
    with db.engine.connect() as conn:
        assert not any(row_counts(conn).values())  # the site's database is untouched
    assert os.path.getsize(target) > 0
