"""Ideas and their lives: every stage of proposals.stages, reached only by moves its table
allows, each one a StageChange in time order; costings for planned ideas; supports.

Ideas are drafted first (who, where, when) and written last, once the rounds have said
which of them won; until then a `Draft` collects its timeline.
"""
from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass, field
from datetime import timedelta

from proposals.stages import EXIT_STAGES, find_move

from . import texts
from .presets import EPOCH

DAY = timedelta(days=1)
ROUND_SAFE = [i for i, t in enumerate(texts.IDEAS) if t[3][1] <= 100_000 and not t[4]]


@dataclass
class Draft:
    id: int
    place: object
    author: int
    created: object
    template: int
    title: str
    description: str
    place_text: str
    building_id: int | None
    stage: str = "submitted"
    changes: list = field(default_factory=list)
    costing: dict | None = None
    merged_into: int | None = None
    lock_at: object = None  # when the thread locked (an exit or done), else None
    in_round: bool = False

    @property
    def category(self) -> str:
        return texts.IDEAS[self.template][0]

    @property
    def last_at(self):
        return self.changes[-1]["at"] if self.changes else self.created


def move(d: Draft, to: str, at, actor, reason: str = "", cause=None) -> None:
    """Record a move the stage table allows (a programming error otherwise)."""
    if find_move(d.stage, to) is None:
        raise ValueError(f"idea {d.id}: no move {d.stage} → {to}")
    ctype, cid, label = cause or ("", None, "")
    d.changes.append(dict(from_stage=d.stage, to_stage=to, actor_id=actor, reason=reason,
                          cause_type=ctype, cause_id=cid, cause_label=label[:200], at=at))
    d.stage = to
    if to in EXIT_STAGES or to == "done":
        d.lock_at = at


class Ideas:
    def __init__(self, w):
        self.w = w
        self.drafts: list[Draft] = []
        self.by_place: dict[int, list[Draft]] = {}

    def draft_all(self) -> None:
        """Who hands in what, where and when: spread over the history, by community size."""
        w, rng = self.w, self.w.rng
        places = w.places
        cum, total = [], 0.0
        for p in places:
            total += p.weight
            cum.append(total)
        span = (EPOCH - w.history_start).total_seconds() - 7200
        times = sorted(rng.random() * span for _ in range(w.preset.ideas))
        for t in times:
            place = places[min(len(places) - 1, bisect(cum, rng.random() * total))]
            self.drafts.append(self._draft(place, w.history_start + timedelta(seconds=int(t))))
        for d in self.drafts:
            self.by_place.setdefault(d.place.id, []).append(d)

    def _draft(self, place, created) -> Draft:
        w, rng = self.w, self.w.rng
        template = rng.randrange(len(texts.IDEAS))
        _cat, title, desc, _cost, _common = texts.IDEAS[template]
        bid, bname = rng.choice(place.buildings)
        spot = rng.choice(texts.PLACES)
        author = rng.choice(place.verified if rng.random() < 0.9 else place.unverified)
        return Draft(w.loader.new_id("idea"), place, author, created, template,
                     title.format(p=spot, b=bname)[:80], desc.format(p=spot, b=bname),
                     spot, bid if "{b}" in title else None)

    # --- candidates for rounds --------------------------------------------------------

    def take_for_round(self, place, before, n: int) -> list[Draft]:
        """Up to n unused ideas handed in early enough to be planned before `before`."""
        limit = before - 3 * DAY
        pool = [d for d in self.by_place.get(place.id, ())
                if not d.in_round and d.created < limit and d.template in ROUND_SAFE]
        picked = self.w.rng.sample(pool, min(n, len(pool)))
        for d in sorted(picked, key=lambda d: d.id):
            d.in_round = True
            self.plan(d, before, within=20)
        return sorted(picked, key=lambda d: d.id)

    def plan(self, d: Draft, before, within: int) -> None:
        """submitted → deliberating → planned (with a costing), all before `before`."""
        rng, staff = self.w.rng, d.place.staff[0]
        room = max(2.0, min(within, (before - d.created) / DAY) - 1)
        t1 = d.created + timedelta(days=rng.uniform(0.2, room / 3))
        move(d, "deliberating", t1, staff, texts.REASONS["deliberating"])
        t2 = t1 + timedelta(days=rng.uniform(0.2, room / 2))
        lo, hi = texts.IDEAS[d.template][3]
        amount = rng.randint(max(lo, 100) // 100, max(hi, 200) // 100) * 100 * 100
        responsible = rng.choice(texts.RESPONSIBLE)
        d.costing = dict(amount_fen=amount, responsible=responsible, created_by_id=staff,
                         created_at=t2, sources=[("round_budget", amount, "")]
                         if d.in_round or rng.random() < 0.7 else
                         [("round_budget", amount // 2, ""), ("subsidy", amount - amount // 2,
                                                               "街道自治金补贴")])
        move(d, "planned", t2, staff, texts.REASONS["planned"])

    # --- the rest: ideas that no round takes ----------------------------------------

    def settle_rest(self) -> None:
        for d in self.drafts:
            if not d.in_round:
                self._fate(d)

    def _fate(self, d: Draft) -> None:
        rng, staff = self.w.rng, d.place.staff[0]
        age = (EPOCH - d.created) / DAY
        r = rng.random()
        if age < 3 or (age < 20 and r < 0.6) or r < 0.05:
            return  # still waiting for staff
        if r < 0.10:
            self._merge(d)
            return
        if r < 0.16:
            move(d, "withdrawn", self._after(d, age), d.author, texts.REASONS["withdrawn"])
            return
        if r < 0.45 and age > 30:
            self.plan(d, min(EPOCH, d.created + 60 * DAY), within=60)
            if r < 0.22:
                move(d, "not_adopted", self._after(d, age), staff,
                     rng.choice(texts.REASONS["not_adopted"]))
            return
        t1 = d.created + timedelta(days=rng.uniform(0.2, min(3.0, age / 2)))
        move(d, "deliberating", t1, staff, texts.REASONS["deliberating"])
        if r < 0.55:
            move(d, "not_adopted", self._after(d, age), staff,
                 rng.choice(texts.REASONS["not_adopted"]))

    def _after(self, d: Draft, age: float):
        """A moment after the idea's last move, before the data set's today."""
        last = d.last_at
        room = (EPOCH - last) / DAY
        return last + timedelta(days=self.w.rng.uniform(0.1, max(0.2, min(30.0, room * 0.8))))

    def _merge(self, d: Draft) -> None:
        earlier = [o for o in self.by_place[d.place.id] if o.id < d.id and o.merged_into is None
                   and o.stage != "merged"]
        if not earlier:
            return
        target = earlier[-1 - self.w.rng.randrange(min(5, len(earlier)))]
        d.merged_into = target.id
        move(d, "merged", self._after(d, (EPOCH - d.created) / DAY), d.place.staff[0],
             texts.REASONS["merged"] + f"（并入“{target.title}”）")

    # --- writing --------------------------------------------------------------------

    def emit(self) -> None:
        loader = self.w.loader
        for d in self.drafts:
            lo, hi = texts.IDEAS[d.template][3]
            loader.add("idea", dict(
                id=d.id, community_id=d.place.id, author_id=d.author, title=d.title,
                description=d.description, category=d.category, building_id=d.building_id,
                place=d.place_text, estimated_cost_fen=(lo + hi) // 2 * 100 if hi else None,
                changes_common_parts=texts.IDEAS[d.template][4], stage=d.stage,
                merged_into_id=d.merged_into, by_child=False, child_id=None,
                created_at=d.created))
            loader.add("stage_change", dict(
                id=loader.new_id("stage_change"), idea_id=d.id, from_stage=None,
                to_stage="submitted", actor_id=d.author, reason="", cause_type="",
                cause_id=None, cause_label="", at=d.created))
            for c in d.changes:
                loader.add("stage_change", dict(id=loader.new_id("stage_change"),
                                                idea_id=d.id, **c))
            if d.costing is not None:
                self._costing(d)
            self._supports(d)

    def _costing(self, d: Draft) -> None:
        loader = self.w.loader
        c = dict(d.costing)
        sources = c.pop("sources")
        cid = loader.new_id("costing")
        loader.add("costing", dict(id=cid, idea_id=d.id, **c))
        for kind, amount, note in sources:
            loader.add("funding_source", dict(id=loader.new_id("funding_source"),
                                              costing_id=cid, kind=kind, amount_fen=amount,
                                              note=note))

    def _supports(self, d: Draft) -> None:
        rng, loader = self.w.rng, self.w.loader
        pool = d.place.verified
        n = min(len(pool) - 1, int(rng.paretovariate(1.2) * 2) - 1)
        if n <= 0:
            return
        end = min(EPOCH, d.lock_at or EPOCH)
        window = max(600, int((end - d.created).total_seconds() * 0.5))
        for uid in [u for u in rng.sample(pool, n + 1) if u != d.author][:n]:
            loader.add("idea_support", dict(
                id=loader.new_id("idea_support"), idea_id=d.id, user_id=uid,
                created_at=d.created + timedelta(seconds=rng.randint(60, window))))
