"""A round's counted ballots as a plain election, counted by the rules' registry."""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db

from ..counting import rules
from .models import Ballot, BallotChoice, Round, RoundEntry


@dataclass
class Election:
    budget: int
    costs: dict[str, int]  # project id -> cost in fen
    ballots: list[dict[str, int]]  # one {project id: weight} per counted ballot
    step: int  # Add1 step of equal shares


def election_of(round_: Round) -> Election:
    """Read every counted ballot. Empty ballots are kept: they are voters too, and
    equal shares divides the budget among all voters."""
    entries = db.session.execute(
        select(RoundEntry.id, RoundEntry.project_id, RoundEntry.cost_fen)
        .where(RoundEntry.round_id == round_.id)).all()
    pid_of = {eid: pid for eid, pid, _c in entries}
    ballots: dict[str, dict[str, int]] = {
        bid: {} for bid in db.session.scalars(
            select(Ballot.id).where(Ballot.round_id == round_.id, Ballot.counted.is_(True)))}
    rows = db.session.execute(
        select(BallotChoice.ballot_id, BallotChoice.entry_id, BallotChoice.weight)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.round_id == round_.id, Ballot.counted.is_(True)))
    for bid, eid, weight in rows:
        ballots[bid][pid_of[eid]] = weight
    return Election(budget=round_.budget_fen, costs={pid: c for _e, pid, c in entries},
                    ballots=list(ballots.values()), step=round_.share_step)


def count(election: Election, rule: str, *, threshold: int | None = None,
          **extra) -> tuple[list[str], float]:
    """The selected project ids in the order funded, and the seconds counting took."""
    options = {"threshold": threshold} if rule == "greedy" else {"unit": election.step}
    options.update(extra)
    started = time.perf_counter()
    selected = rules.count(rule, election.budget, election.costs, election.ballots, **options)
    return selected, time.perf_counter() - started


def vote_totals(round_: Round) -> dict[int, int]:
    """Entry id -> total weight of the counted ballots (votes, for approval)."""
    rows = db.session.execute(
        select(BallotChoice.entry_id, func.sum(BallotChoice.weight))
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.round_id == round_.id, Ballot.counted.is_(True))
        .group_by(BallotChoice.entry_id)).all()
    totals = {e.id: 0 for e in round_.entries}
    totals.update({eid: int(total) for eid, total in rows})
    return totals


def ballots_counted(round_: Round) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.round_id == round_.id, Ballot.counted.is_(True))) or 0
