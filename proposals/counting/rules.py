"""Counting rules for budget rounds: pure functions, exact arithmetic.

Every rule takes ``(budget, costs, ballots)``:
  * ``budget`` — integer amount in the smallest unit (fen, or hundredths of a
    file's currency);
  * ``costs`` — ``{project id (text): integer cost}`` in the same unit;
  * ``ballots`` — one ``{project id: weight}`` per voter (approval weight 1,
    cumulative its points, ordinal max_length - rank);
and returns the selected project ids in the order they were funded.
"""
from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Callable, Mapping, Sequence

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


def _mes_round(share: Fraction, costs, supporters, order0) -> list[str]:
    """One run of MES with every voter starting at ``share``.

    ``supporters[p]`` is (voter indices, weights>0); the utility of a voter
    for p is weight * cost(p).  A voter pays min(budget, rho * utility); the
    project with the lowest rho is funded (ties: lower cost, then id).  Works
    with the price per unit of weight t = rho * cost, so rho = t / cost.

    Voters with the same history hold the same money, so they are kept in
    classes (``cls[i]``) and each project's supporters are counted per
    (class, weight): Fraction arithmetic is done per group, not per voter.
    """
    n_voters = 1 + max((max(idx) for idx, _ in supporters.values() if idx), default=-1)
    cls = [0] * n_voters
    money = [share]  # money of each class
    # lower bounds on rho, valid for the whole run as budgets only shrink
    bound = {p: Fraction(1, len(supporters[p][0]) if supporters[p][1] is None
                         else sum(supporters[p][1])) for p in order0}
    live = list(order0)
    chosen = []

    def groups(p):
        idx, ws = supporters[p]
        if ws is None:
            return [((c, 1), k) for c, k in Counter(map(cls.__getitem__, idx)).items()]
        return list(Counter(zip(map(cls.__getitem__, idx), ws)).items())

    while live:
        live.sort(key=bound.__getitem__)
        best = None  # (rho, cost, id, t)
        gone = []
        for p in live:
            if best is not None and bound[p] > best[0]:
                break
            cost = costs[p]
            grp = groups(p)
            if sum(money[c] * w * k for (c, w), k in grp if money[c]) < cost:
                gone.append(p)
                continue
            # find t with sum over supporters of min(money_i, t * w_i) == cost
            grp.sort(key=lambda g: money[g[0][0]] / g[0][1])
            paid = 0
            weight = sum(w * k for (c, w), k in grp)
            t = None
            for (c, w), k in grp:
                t = Fraction(cost - paid, weight)
                if t * w <= money[c]:
                    break
                paid += money[c] * k
                weight -= w * k
            rho = t / cost
            bound[p] = rho
            if best is None or (rho, cost, p) < best[:3]:
                best = (rho, cost, p, t)
        for p in gone:
            live.remove(p)
        if best is None:
            break
        rho, cost, p, t = best
        chosen.append(p)
        live.remove(p)
        idx, ws = supporters[p]
        moved: dict[tuple[int, int], int] = {}
        for j, i in enumerate(idx):
            w = 1 if ws is None else ws[j]
            key = (cls[i], w)
            new = moved.get(key)
            if new is None:
                left = money[key[0]] - t * w
                new = moved[key] = len(money)
                money.append(left if left > 0 else Fraction(0))
            cls[i] = new
    return chosen


def equal_shares(budget: int, costs: Mapping[str, int], ballots: Sequence[Ballot],
                 *, unit: int = 100) -> list[str]:
    """Method of Equal Shares, cost utilities, Add1 completion (as pabutools'
    ``method_of_equal_shares(..., sat_class=Cost_Sat, voter_budget_increment=1)``).

    Each voter starts with budget / voters and the share grows by ``unit``
    (one whole currency unit: 100 fen = 1 yuan) per step; stop at the first
    outcome that is exhaustive, or return the previous one as soon as an
    outcome overspends."""
    n = len(ballots)
    if n == 0:
        return []
    idx: dict[str, list[int]] = {p: [] for p in costs}
    wts: dict[str, list[int]] = {p: [] for p in costs}
    for i, ballot in enumerate(ballots):
        for pid, weight in ballot.items():
            if weight > 0 and pid in idx:
                idx[pid].append(i)
                wts[pid].append(weight)
    supporters = {p: (idx[p], None if all(w == 1 for w in wts[p]) else wts[p])
                  for p in costs}
    backed = [p for p in costs if idx[p]]
    free = sorted(p for p in backed if costs[p] == 0)  # funded up front
    paid = [p for p in backed if costs[p] > 0]
    share = Fraction(budget, n)
    previous = list(free)
    while True:
        outcome = free + _mes_round(share, costs, supporters, paid)
        spent = sum(costs[p] for p in outcome)
        if spent > budget:
            return previous
        taken = set(outcome)
        if all(costs[p] + spent > budget for p in paid if p not in taken):
            return outcome
        previous = outcome
        share += unit


Rule = Callable[..., list[str]]
RULES: dict[str, Rule] = {"greedy": greedy, "equal-shares": equal_shares}


def count(rule: str, budget: int, costs: Mapping[str, int], ballots: Sequence[Ballot],
          **options) -> list[str]:
    """Run the rule registered under ``rule`` (KeyError for an unknown name)."""
    return RULES[rule](budget, costs, ballots, **options)
