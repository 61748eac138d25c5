"""Method of Equal Shares (cost utilities, Add1 completion): numpy speed, exact result.

The rule itself is documented at proposals.counting.rules.equal_shares; this is how
it is computed fast without letting a float decide anything.

Why floats cannot change the outcome
------------------------------------
A voter who cannot pay his full part of a funded project pays all he has and is left
with exactly 0; every other voter holds exactly ``s - sum(w_ik * t_k)`` over the
funded projects k on his ballot (``s`` the starting share, ``t_k`` the price per
unit of weight of k, rho = t / cost).  So the exact state of a run is the exact
``t_k`` of each winner plus who is out of money.  Each ``t_k`` is kept as an integer
over a common denominator ``D``; the float money of every voter is updated from the
correctly rounded ``t_k``, so its error stays below ``eps = 4 (L + 1) u s``
(L = longest ballot, u = 2**-53: one rounding of s and at most three per payment)
instead of feeding on itself round after round.

With that bound every float judgement is certified or redone exactly:
  * affordability: |float sum - exact sum| <= M eps + 2 (k + 1) u sum;
  * a project's price: if no supporter's money/weight lies within ``eta + eps`` of
    the float t (``eta`` bounds the rounding of t = (cost - money of the poor) /
    weight of the rich), the float split into poor and rich is the exact one and
    the exact t is within eta of the float one;
  * the winner: a project wins on floats only if its upper bound on rho is below
    every other candidate's lower bound; otherwise all candidates whose intervals
    touch are recomputed exactly and compared as integers, ties by cost then id;
  * the winner's exact t is always computed (it is the state): the poor voters'
    money is summed exactly as ``S * M - sum(T_k * K_k)`` with integer counts K_k,
    and voters near the poor/rich boundary are settled one by one in integers.

Skipping Add1 steps
-------------------
Along a fixed sequence of winners, a larger share leaves every voter at least as
much money after every round (more money never raises a price), so each rho can
only fall and each affordable project stays affordable.  When the outcome repeats,
``_Run.follows`` checks a share a few steps ahead against the rhos of the run
below: if at every round every other project is unaffordable there or has a rho
there above the winner's rho below, and nothing is left affordable at the end,
every share in between funds the same projects, and those steps are skipped.
"""
from __future__ import annotations

from collections import Counter
from fractions import Fraction
from math import gcd
from typing import Mapping, Sequence

import numpy as np

_U = 2.0 ** -53  # unit roundoff of float64
_BAND = 1e-9  # the exact path trusts a float price to this relative distance
_add, _min = np.add.reduce, np.minimum.reduce


def _dot(x, mask):
    # einsum, not BLAS: no thread pool spinning up for a 3,000-element sum
    return np.einsum("i,i->", x, mask)


class _Election:
    """The ballots grouped by content (identical voters hold identical money
    all run long), as a CSR matrix over the paid projects, and per project its
    supporter groups."""

    def __init__(self, costs: Mapping[str, int], ballots: Sequence[Mapping[str, int]]):
        raw = Counter(tuple(b.items()) for b in ballots)
        keys = list(raw)
        flat_w = [w for key in keys for _, w in key]
        maxw = max(flat_w, default=1)
        # past 2**31 float sums of weights stop being exact integers; every
        # decision then takes the exact path (no real ballot comes near)
        self.exact_only = maxw >= 2 ** 31
        wts = np.array(flat_w, dtype=object if self.exact_only else np.int64)
        names = list(costs)
        where = {p: j for j, p in enumerate(names)}
        pos = np.array([where.get(p, -1) for key in keys for p, _ in key], dtype=np.int64)
        given = (pos >= 0) & (wts > 0)
        backed = set(np.unique(pos[given]).tolist())
        self.free = sorted(names[j] for j in backed if costs[names[j]] == 0)  # funded up front
        paid = [j for j in range(len(names)) if j in backed and costs[names[j]] > 0]
        self.pids = [names[j] for j in paid]
        self.costs = [costs[p] for p in self.pids]
        remap = np.full(len(names) + 1, -1, dtype=np.int64)  # last slot: pos -1
        remap[paid] = np.arange(len(paid))
        keep = given & (remap[pos] >= 0)
        owner = np.repeat(np.arange(len(keys)), [len(key) for key in keys])[keep]
        used, owner = np.unique(owner, return_inverse=True)
        self.m = np.array(list(raw.values()), dtype=np.int64)[used]
        self.proj, self.wts = remap[pos[keep]], wts[keep]
        self.lens = np.bincount(owner, minlength=len(used))
        self.maxlen = int(self.lens.max()) if len(used) else 0
        self.indptr = np.concatenate(([0], np.cumsum(self.lens)))
        self.wm = (self.wts * self.m[owner]).astype(np.float64)  # exact below 2**53
        order = np.argsort(self.proj, kind="stable")
        cuts = np.searchsorted(self.proj[order], np.arange(len(self.pids) + 1))
        owner, wsorted = owner[order], self.wts[order]
        self.sup = []  # (groups, weights or None, m, m*w, int m*w, W, M)
        for j in range(len(self.pids)):
            idx, wi = owner[cuts[j]:cuts[j + 1]], wsorted[cuts[j]:cuts[j + 1]]
            mi = self.m[idx]
            mwi = mi * wi
            W = int(mwi.sum())
            self.exact_only |= W >= 2 ** 50
            self.sup.append((idx, None if (wi == 1).all() else wi.astype(np.float64),
                             mi.astype(np.float64), mwi.astype(np.float64), mwi, W,
                             int(mi.sum())))

    def row(self, i: int) -> list[tuple[int, int]]:
        """The ballot of group i as (project, weight) pairs, in Python ints."""
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        return list(zip(self.proj[a:b].tolist(), self.wts[a:b].tolist()))

    def counts(self, voters, cols) -> tuple[int, list[int]]:
        """Exact M = number of ``voters`` and their total weight on each of ``cols``."""
        starts = self.indptr[voters]
        lens = self.lens[voters]
        ends = np.cumsum(lens)
        pos = np.repeat(starts - ends + lens, lens) + np.arange(int(ends[-1]))
        k = np.bincount(self.proj[pos], weights=self.wm[pos], minlength=len(self.pids))
        return int(self.m[voters].sum()), k[cols].astype(np.int64).tolist()


class _Run:
    """One MES run with every voter starting at the share S / D (exact)."""

    def __init__(self, el: _Election, S: int, D: int):
        self.el, self.S, self.D = el, S, D
        self.T: dict[int, int] = {}  # funded project -> t * D
        self.F: list[int] = []  # the same, as parallel lists for fast sums
        self.Tl: list[int] = []
        self.prices: list[tuple[int, int]] = []  # each winner's rho, as (num, den)
        s = S / D
        self.eps = 4 * (el.maxlen + 1) * _U * s * (1 + 1e-9)
        self.eps_r = self.eps + 2 * _U * s  # money/weight, weight >= 1
        self.b = np.full(len(el.m), s)
        self.alive = np.ones(len(el.m), dtype=bool)

    def money_d(self, voters) -> int:
        """Exact total money of ``voters`` (all still holding money), times D."""
        if len(voters) == 0:
            return 0
        el, T = self.el, self.T
        if len(voters) <= 16 or el.exact_only:  # numpy: slower here / inexact
            return sum(int(el.m[i]) * (self.S - sum(w * T[k] for k, w in el.row(i) if k in T))
                       for i in voters.tolist())
        M, K = el.counts(voters, self.F)
        return self.S * M - sum(map(int.__mul__, self.Tl, K))

    def float_eval(self, p):
        """('gone',) | ('ok', t, rho_lo, rho_hi, poor mask, rich weight)
        | ('unsure', t guess or None)."""
        if self.el.exact_only:
            return ("unsure", None)
        idx, w, mm, mw, _, W, M = self.el.sup[p]
        c = self.el.costs[p]
        bs = self.b[idx]
        bsm = bs * mm
        total = float(_add(bsm))
        err = 2 * (len(idx) + 1) * _U * total + M * self.eps
        if total + err < c:
            return ("gone",)
        sure = total - err >= c
        if not sure and self.money_d(idx[self.alive[idx]]) < c * self.D:
            return ("gone",)
        r = bs if w is None else bs / w
        # poor/rich fixed point: t only grows, the poor set only grows
        t, poor_sum, rich = c / W, 0.0, float(W)
        poor = r < t
        n = np.count_nonzero(poor)
        for _ in range(64):
            if not n:
                break
            rich = W - float(_dot(mw, poor))
            if rich <= 0:
                return ("unsure", None)
            poor_sum = float(_dot(bsm, poor))
            t_new = (c - poor_sum) / rich
            poor_new = r < t_new
            n_new = np.count_nonzero(poor_new)
            if n_new == n and t_new >= t:
                t = t_new
                break
            if not n_new:
                return ("unsure", None)
            t, poor, n = t_new, poor_new, n_new
        else:
            return ("unsure", None)
        eta = 2 * ((len(idx) + 2) * _U * (poor_sum + c) + M * self.eps) / rich + 2 * _U * t
        if not sure or float(_min(np.abs(r - t))) * (1 - 2 * _U) <= eta + self.eps_r:
            return ("unsure", t)
        return ("ok", t, (t - eta) / c * (1 - 4 * _U), (t + eta) / c * (1 + 4 * _U),
                poor, int(rich))

    def exact_from(self, p, poor, rich):
        """Exact price from a certified float split into poor and rich."""
        idx = self.el.sup[p][0]
        broke = idx[poor & self.alive[idx]]
        return self.el.costs[p] * self.D - self.money_d(broke), rich, broke

    def exact_of(self, p, res):
        """The exact price behind a float_eval result (None: unaffordable)."""
        if res[0] == "ok":
            return self.exact_from(p, *res[4:])
        return None if res[0] == "gone" else self.exact_eval(p, res[1])

    def exact_eval(self, p, guess):
        """Exact price: (t * D * weight, weight, newly broke voters), or None if
        the project is unaffordable.  Voters far from ``guess`` are settled in
        bulk; the others one by one, as pabutools walks them (poorest first)."""
        el = self.el
        idx, w, _, _, mwi, _, _ = el.sup[p]
        c, D, S = el.costs[p], self.D, self.S
        live = self.alive[idx]
        voters, mw_live = idx[live], mwi[live]
        if guess is not None:
            r = self.b[voters] if w is None else self.b[voters] / w[live]
            band = _BAND * guess + 4 * self.eps_r
            sure_poor, sure_rich = r < guess - band, r > guess + band
            near = ~(sure_poor | sure_rich)
        else:
            sure_poor = np.zeros(len(voters), dtype=bool)
            near = ~sure_poor
        paid = self.money_d(voters[sure_poor])
        weight = int(mw_live[sure_rich].sum()) if guess is not None else 0
        walk = []
        for i in voters[near].tolist():
            row = el.row(i)
            wi, mi = next(x for k, x in row if k == p), int(el.m[i])
            bd = S - sum(x * self.T[k] for k, x in row if k in self.T)
            walk.append((Fraction(bd, wi), bd, wi, mi, i))
            weight += mi * wi
        walk.sort()
        broke = []
        for _, bd, wi, mi, i in walk:
            if (c * D - paid) * wi <= bd * weight:
                break
            paid += mi * bd
            weight -= mi * wi
            broke.append(i)
        if weight == 0:
            return None if guess is None else self.exact_eval(p, None)
        num = c * D - paid
        if guess is not None and abs(num / (D * weight) - guess) > _BAND / 4 * guess:
            return self.exact_eval(p, None)
        return num, weight, np.concatenate((voters[sure_poor], np.array(broke, dtype=np.int64)))

    def fund(self, p, exact):
        num, weight, broke = exact
        g = gcd(num, weight)
        f = weight // g
        if f > 1:
            self.D *= f
            self.S *= f
            self.Tl = [t * f for t in self.Tl]
        self.F.append(p)
        self.Tl.append(num // g)
        self.T = dict(zip(self.F, self.Tl))
        t = self.Tl[-1] / self.D  # correctly rounded
        idx, w = self.el.sup[p][:2]
        self.alive[broke] = False
        self.b[broke] = 0.0
        live = self.alive[idx]
        payers = idx[live]
        pay = t if w is None else t * w[live]
        self.b[payers] = np.maximum(self.b[payers] - pay, 0.0)

    def outcome(self) -> list[int]:
        el = self.el
        # a lower bound on rho is valid the whole run: money only shrinks
        bound = [1 / el.sup[p][5] * (1 - 4 * _U) for p in range(len(el.pids))]
        live = list(range(len(el.pids)))
        chosen = []
        while live:
            live.sort(key=bound.__getitem__)
            cands, gone, best_hi = [], [], float("inf")
            for p in live:
                if bound[p] > best_hi:
                    break
                res = self.float_eval(p)
                if res[0] == "gone":
                    gone.append(p)
                    continue
                if res[0] == "ok":
                    cands.append([res[2], res[3], p, res, None])
                else:
                    exact = self.exact_of(p, res)
                    if exact is None:
                        gone.append(p)
                        continue
                    rho = exact[0] / (self.D * exact[1] * el.costs[p])
                    cands.append([rho * (1 - 4 * _U), rho * (1 + 4 * _U), p, None, exact])
                bound[p] = cands[-1][0]
                best_hi = min(best_hi, cands[-1][1])
            for p in gone:
                live.remove(p)
            if not cands:
                break
            close = [c for c in cands if c[0] <= best_hi]
            for c in close:
                if c[4] is None:
                    c[4] = self.exact_of(c[2], c[3])
            win = min(close, key=lambda c: (Fraction(c[4][0], c[4][1] * el.costs[c[2]]),
                                            el.costs[c[2]], el.pids[c[2]])) if len(close) > 1 else close[0]
            num, weight, _ = win[4]
            self.prices.append((num, self.D * weight * el.costs[win[2]]))
            self.fund(win[2], win[4])
            chosen.append(win[2])
            live.remove(win[2])
        return chosen

    def follows(self, won: list[int], prices: list[tuple[int, int]]) -> bool:
        """True if every share from that of the run that funded ``won`` (at
        rho = num / den in ``prices``) up to this run's share funds ``won``.

        Fund ``won`` in turn here.  Along a fixed sequence of winners every
        voter's money grows with the share (a richer start never pays a higher
        price), so every rho falls and every affordable project stays
        affordable.  If at each round every other project either is
        unaffordable here or has rho here above the winner's rho at the low
        share (equal: the winner ranks first by cost, id), and nothing is
        affordable at the end, each share in between funds ``won`` too."""
        el = self.el
        bound = [1 / el.sup[p][5] * (1 - 4 * _U) for p in range(len(el.pids))]
        live = set(range(len(el.pids)))
        for w, (num, den) in zip(won, prices):
            live.discard(w)
            hi, rank = num / den * (1 + 4 * _U), (el.costs[w], el.pids[w])
            for q in sorted(live, key=bound.__getitem__):
                if bound[q] > hi:
                    break
                res = self.float_eval(q)
                if res[0] == "ok":
                    bound[q] = res[2]
                    if res[2] > hi:
                        continue
                exact = self.exact_of(q, res)
                if exact is None:
                    live.discard(q)
                    continue
                rho = Fraction(exact[0], self.D * exact[1] * el.costs[q])
                bound[q] = float(rho) * (1 - 4 * _U)
                if (rho, el.costs[q], el.pids[q]) < (Fraction(num, den), *rank):
                    return False
            exact = self.exact_of(w, self.float_eval(w))
            if exact is None:  # affordable at the low share, so cannot happen
                return False
            self.fund(w, exact)
        return all(self.float_eval(q)[0] == "gone" for q in live)


def equal_shares(budget: int, costs: Mapping[str, int], ballots: Sequence[Mapping[str, int]],
                 *, unit: int = 100) -> list[str]:
    """See proposals.counting.rules.equal_shares."""
    n = len(ballots)
    if n == 0:
        return []
    el = _Election(costs, ballots)
    share = Fraction(budget, n)
    previous, last, same, patience = list(el.free), None, 0, 1
    while True:
        run = _Run(el, share.numerator, share.denominator)
        won = run.outcome()
        outcome = el.free + [el.pids[j] for j in won]
        spent = sum(costs[p] for p in outcome)
        if spent > budget:
            return previous
        taken = set(outcome)
        if all(costs[p] + spent > budget for p in el.pids if p not in taken):
            return outcome
        previous = outcome
        same = same + 1 if won == last else 0
        last = won
        if same >= patience:  # a plateau: skip the steps proven to fund the same
            skip, jump, grow = 0, 2, True
            while jump > 1:  # a proof costs about a run: only jumps of 2+ pay
                ahead = share + (skip + jump) * unit
                if _Run(el, ahead.numerator, ahead.denominator).follows(won, run.prices):
                    skip += jump
                    jump = jump * 2 if grow else jump // 2
                else:
                    grow, jump = False, jump // 2
            # where proofs keep failing (rho of capped winners moves with the
            # share), try again only on ever longer plateaus
            patience = 1 if skip else patience * 2
            share += skip * unit
        share += unit
