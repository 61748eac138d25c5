"""The generator: one random generator, one clock, the parts in order, timed.

The parts are decided in memory before the rows that depend on them are written: which
ideas go to which round, the ballots and their count, what the adopted rounds made of
their winners; then ideas, rounds and ballots, comments and meetings are written.
"""
from __future__ import annotations

import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from .after import Aftermath
from .bulk import Loader, advance_sequences
from .ideas import Ideas
from .meetings import Meetings
from .people import People, history_start
from .presets import EPOCH, PASSWORD, Preset
from .rounds import Rounds
from .texts import SEARCH_TERMS
from .threads import TARGET_COMMENTS, Threads


@dataclass
class World:
    preset: Preset
    rng: random.Random
    loader: Loader
    history_start: object
    places: list = field(default_factory=list)
    site_admin: int = 0


@dataclass
class Result:
    counts: dict[str, int]
    phases: list[tuple[str, float]]
    seconds: float
    targets: dict
    skipped: list[str] = field(default_factory=list)  # model columns the target lacks


def generate(conn, preset: Preset, seed: int = 1) -> Result:
    """Write the data set through `conn` (inside the caller's transaction)."""
    started = time.perf_counter()
    w = World(preset, random.Random(seed), Loader(conn), history_start(preset.years))
    phases: list[tuple[str, float]] = []

    @contextmanager
    def phase(name):
        t = time.perf_counter()
        yield
        phases.append((name, time.perf_counter() - t))

    with phase("people"):
        w.places = People(w).run()
    with phase("ideas, rounds, ballots and counts (planned)"):
        ideas = Ideas(w)
        ideas.draft_all()
        rounds = Rounds(w, ideas)
        rounds.run()
        after = Aftermath(w, rounds.plans)
        after.run()
        ideas.settle_rest()
    with phase("ideas, rounds, ballots (written)"):
        ideas.emit()
        rounds.emit()
        after.emit()
    with phase("threads and comments"):
        threads = Threads(w, ideas)
        threads.run()
    with phase("meetings"):
        meetings = Meetings(w, ideas, threads)
        meetings.run()
    with phase("last writes"):
        w.loader.flush()
        advance_sequences(conn)
    targets = _targets(w, ideas, rounds, threads, meetings)
    return Result(dict(w.loader.counts), phases, time.perf_counter() - started, targets,
                  sorted(w.loader.skipped))


def _targets(w, ideas, rounds, threads, meetings) -> dict:
    """What the benchmarks open, as data; the command turns it into URLs."""
    first = w.places[0]
    closed = next(p for p in rounds.plans if p.place is first and p.state == "closed")
    ballot = next(p for p in rounds.plans if p.target)
    live = next(m for m in meetings.live if meetings.live_places[m[0]] is first)
    voters = first.verified
    return {
        "epoch": EPOCH.isoformat(),
        "password": PASSWORD,
        "community": {"slug": first.slug, "residents": len(first.verified)
                      + len(first.unverified)},
        "idea_page": {"idea_id": threads.target.id, "comments": TARGET_COMMENTS},
        "idea_list_search": _search(ideas, first),
        "round_results": {"round_id": closed.id, "ballots": len(closed.ballots),
                          "selected": {rule: sel for rule, (sel, _s) in
                                       closed.selected.items()}},
        "projector_fragment": {"meeting_id": live[0], "token": live[1]},
        "ballot": {
            "round_id": ballot.id, "eligible_voters": len(voters),
            "voter_user_ids": [min(voters), max(voters)],
            "voters_how": "every user id in voter_user_ids (both ends included) is a "
                          "verified member of the community; the round counts one "
                          "ballot per person and has no building scope",
            "already_voted": len(ballot.ballots),
            "entry_ids": [eid for eid, _d, _c in ballot.entries],
            "budget_fen": ballot.budget, "kind": ballot.kind,
            "max_choices": ballot.max_choices},
    }


def _search(ideas, place) -> dict:
    """The search term and stage giving the fullest filtered list in the biggest
    community (at least one page when the data set is big enough)."""
    best = None
    for term in SEARCH_TERMS:
        for stage in ("deliberating", "planned", "submitted"):
            hits = sum(1 for d in ideas.by_place[place.id] if d.stage == stage
                       and (term in d.title or term in d.description or term in d.place_text))
            if best is None or hits > best["hits"]:
                best = {"q": term, "stage": stage, "hits": hits}
    return best
