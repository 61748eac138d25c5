"""Counting rules for budget rounds: pure functions with exact results.

Every rule takes ``(budget, costs, ballots)``:
  * ``budget`` — integer amount in the smallest unit (fen, or hundredths of a
    file's currency);
  * ``costs`` — ``{project id (text): integer cost}`` in the same unit;
  * ``ballots`` — one ``{project id: weight}`` per voter (approval weight 1,
    cumulative its points, ordinal max_length - rank);
and returns the selected project ids in the order they were funded.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

from . import mes

Ballot = Mapping[str, int]


def tally(costs: Mapping[str, int], ballots: Sequence[Ballot]) -> dict[str, int]:
    """Total weight (votes) of every project, zero included."""
    totals = dict.fromkeys(costs, 0)
    for ballot in ballots:
        for pid, weight in ballot.items():
            if weight and pid in totals:
                totals[pid] += weight
    return totals


def greedy(budget: int, costs: Mapping[str, int], ballots: Sequence[Ballot],
           *, threshold: int | None = None) -> list[str]:
    """Most votes first; fund if it still fits, skip otherwise; never fund a
    project without votes; ``threshold`` N keeps only projects with >= N.
    Ties: more votes, then lower cost, then id as text."""
    totals = tally(costs, ballots)
    order = sorted(costs, key=lambda p: (-totals[p], costs[p], p))
    left = budget
    chosen = []
    for pid in order:
        votes = totals[pid]
        if votes <= 0 or (threshold is not None and votes < threshold):
            continue
        if costs[pid] <= left:
            chosen.append(pid)
            left -= costs[pid]
    return chosen


def equal_shares(budget: int, costs: Mapping[str, int], ballots: Sequence[Ballot],
                 *, unit: int = 100) -> list[str]:
    """Method of Equal Shares, cost utilities, Add1 completion (as pabutools'
    ``method_of_equal_shares(..., sat_class=Cost_Sat, voter_budget_increment=1)``).

    Each voter starts with budget / voters and the share grows by ``unit``
    (one whole currency unit: 100 fen = 1 yuan) per step; stop at the first
    outcome that is exhaustive, or return the previous one as soon as an
    outcome overspends.  The utility of a project is its weight on the ballot
    times its cost.  Ties: lower price per unit of utility, then lower cost,
    then id as text.  Computed in proposals.counting.mes (floats for speed,
    every decision certified or redone exactly)."""
    return mes.equal_shares(budget, costs, ballots, unit=unit)


Rule = Callable[..., list[str]]
RULES: dict[str, Rule] = {"greedy": greedy, "equal-shares": equal_shares}


def count(rule: str, budget: int, costs: Mapping[str, int], ballots: Sequence[Ballot],
          **options) -> list[str]:
    """Run the rule registered under ``rule`` (KeyError for an unknown name)."""
    return RULES[rule](budget, costs, ballots, **options)
