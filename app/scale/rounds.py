"""Budget rounds in every state, their ballots, and the counts of the closed ones.

Ballots are written as `proposals.rounds.ballots` writes them: one Participation per
voter key (u<user> or h<unit>), a Ballot with a random id sharing the participation's
token (erased at adoption), one BallotChoice per chosen entry. Closed and adopted rounds
are counted by the site's own counting code (`results.count`) under both rules; an
adopted round's winners are the result under its rule, as `services.adopt` takes them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from proposals.rounds import results
from proposals.rounds.eligibility import household_key, person_key
from proposals.rounds.tallies import threshold_key

from . import texts
from .bulk import hex_token, token
from .ideas import DAY, move
from .presets import EPOCH, PENDING

RULES = ("greedy", "equal-shares")


@dataclass
class RoundPlan:
    id: int
    place: object
    state: str
    created: object
    opens: object
    closes: object
    adopted: object = None
    recent: bool = False  # adopted lately: its notice is still open
    unit: str = "person"
    scope: list = field(default_factory=list)  # building ids; [] = the whole community
    kind: str = "knapsack"
    max_choices: int | None = None
    rule: str = "greedy"
    title: str = ""
    budget: int = 0
    entries: list = field(default_factory=list)  # (entry id, draft, cost)
    ballots: list = field(default_factory=list)  # (voter key, user, unit, set of entry ids)
    selected: dict = field(default_factory=dict)  # rule -> (project ids, seconds)
    target: bool = False  # the open round of the ballot benchmark

    @property
    def has_ballots(self) -> bool:
        return self.state in ("open", "closed", "adopted")


def tail_states(index: int) -> list[str]:
    """The newest rounds of a community, after its adopted ones."""
    if index == 0:
        return ["closed", "open", "upcoming"]
    return [["open"], ["closed"], [], ["upcoming"]][index % 4]


def allocate(total: int, weights: list[float]) -> list[int]:
    """Largest remainder: whole numbers in proportion, adding up to `total`."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: out[i] - raw[i])[:total - sum(out)]:
        out[i] += 1
    return out


class Rounds:
    def __init__(self, w, ideas):
        self.w, self.ideas = w, ideas
        self.plans: list[RoundPlan] = []

    def run(self) -> None:
        places = self.w.places
        total = self.w.preset.rounds
        biggest = min(total, max(6, round(total * places[0].weight)))
        rest = allocate(total - biggest, [p.weight for p in places[1:]]) \
            if len(places) > 1 else []
        for place, k in zip(places, [biggest] + rest):
            if k:
                self._community(place, k)
        self._allocate_ballots()
        for plan in self.plans:
            if plan.has_ballots:
                self._ballots(plan)
            if plan.state in ("closed", "adopted"):
                self._count(plan)

    # --- when and what --------------------------------------------------------------

    def _community(self, place, k: int) -> None:
        # Leave ideas for every round of the community, and for the rest of the stages.
        self.most = max(3, min(12, len(self.ideas.by_place.get(place.id, ())) // (k * 2)))
        tail = tail_states(place.index)[-k:]
        adopted = k - len(tail)
        recent = adopted > 0 and place.index % 2 == 0
        old = adopted - recent
        h0 = self.w.history_start + 60 * DAY
        span = (EPOCH - 170 * DAY) - h0
        for j in range(old):
            start = h0 + span * j / max(1, old)
            self._plan(place, "adopted", start, start + 7 * DAY, start + 21 * DAY,
                       start + 23 * DAY)
        if recent:
            self._plan(place, "adopted", EPOCH - 60 * DAY, EPOCH - 53 * DAY,
                       EPOCH - 39 * DAY, EPOCH - 37 * DAY, recent=True)
        slots = {"closed": (35, 28, -4), "open": (14, 7, None), "upcoming": (3, None, None)}
        for state in tail:
            c, o, cl = slots[state]
            opens = EPOCH - o * DAY if o is not None else PENDING
            closes = EPOCH + cl * DAY if cl is not None else \
                (PENDING if state == "open" else PENDING + 14 * DAY)
            self._plan(place, state, EPOCH - c * DAY, opens, closes, None,
                       target=place.index == 0 and state == "open")

    def _plan(self, place, state, created, opens, closes, adopted, recent=False,
              target=False) -> None:
        w, rng = self.w, self.w.rng
        hour = timedelta(hours=1)  # EPOCH is midnight in Shanghai: open 09:00, close 20:00
        plan = RoundPlan(w.loader.new_id("round"), place, state, created + 10 * hour,
                         opens + 9 * hour, closes + 20 * hour,
                         adopted + 10 * hour if adopted else None,
                         recent=recent, target=target)
        local = plan.opens + timedelta(hours=8)
        plan.title = rng.choice(texts.ROUND_TITLES).format(
            year=local.year, season=texts.SEASONS[(local.month - 1) // 3])
        fixed = target or (place.index == 0 and state == "closed")
        if not fixed and place.owners and rng.random() < 0.15:
            plan.unit = "household"
        elif not fixed and len(place.buildings) > 2 and rng.random() < 0.15:
            plan.scope = sorted(b for b, _n in rng.sample(place.buildings,
                                                          len(place.buildings) // 2))
        if rng.random() < 0.3:
            plan.kind, plan.max_choices = "approval", 3
        plan.rule = RULES[plan.id % 2]
        drafts = self.ideas.take_for_round(place, plan.created, rng.randint(min(5, self.most), self.most))
        if len(drafts) < 2:
            return  # too few ideas to vote on: no round here
        for pos, d in enumerate(drafts, start=1):
            cost = d.costing["amount_fen"]
            plan.entries.append((w.loader.new_id("round_entry"), d, cost))
            move(d, "in_round", plan.created + timedelta(minutes=10 + pos), place.staff[0],
                 cause=("round", plan.id, plan.title))
        costs = [c for _e, _d, c in plan.entries]
        plan.budget = max(max(costs), -(-sum(costs) * 45 // 100 // 100_000) * 100_000)
        self.plans.append(plan)

    # --- ballots ----------------------------------------------------------------------

    def voters(self, plan: RoundPlan) -> list[tuple[str, int | None, int | None]]:
        place = plan.place
        if plan.unit == "household":
            return [(household_key(unit), user, unit) for user, unit in place.owners]
        scope = set(plan.scope)
        return [(person_key(u), u, None) for u in place.verified
                if not scope or place.home[u] in scope]

    def _allocate_ballots(self) -> None:
        """The preset's ballots over the rounds with voting, in proportion to who may
        vote, filling no round beyond a believable turnout."""
        open_plans = [p for p in self.plans if p.has_ballots]
        caps = {}
        for p in open_plans:
            turnout = 0.3 if p.state == "open" else 0.85
            caps[p.id] = max(1, int(len(self.voters(p)) * turnout))
        want, left = {p.id: 0 for p in open_plans}, self.w.preset.ballots
        active = [p for p in open_plans]
        while left > 0 and active:
            weight = sum(caps[p.id] for p in active)
            given = 0
            for p in active:
                n = min(caps[p.id] - want[p.id], max(1, left * caps[p.id] // weight))
                want[p.id] += n
                given += n
                if given >= left:
                    break
            left -= given
            active = [p for p in active if want[p.id] < caps[p.id]]
        self.wanted = want

    def _ballots(self, plan: RoundPlan) -> None:
        rng = self.w.rng
        voters = rng.sample(self.voters(plan), self.wanted.get(plan.id, 0))
        appeal = {eid: rng.uniform(0.05, 0.8) for eid, _d, _c in plan.entries}
        costs = {eid: c for eid, _d, c in plan.entries}
        order = [eid for eid, _d, _c in plan.entries]
        for key, user, unit in sorted(voters):
            rng.shuffle(order)
            chosen, spent = set(), 0
            for eid in order:
                if rng.random() >= appeal[eid]:
                    continue
                if plan.kind == "approval" and len(chosen) >= plan.max_choices:
                    break
                if plan.kind == "knapsack" and spent + costs[eid] > plan.budget:
                    continue
                chosen.add(eid)
                spent += costs[eid]
            if not chosen:
                chosen.add(max(order, key=lambda e: (appeal[e], -e)))
            plan.ballots.append((key, user, unit, chosen))

    def _count(self, plan: RoundPlan) -> None:
        """Both rules, by the site's counting code, on exactly the ballots written."""
        pid = {eid: str(d.id) for eid, d, _c in plan.entries}
        election = results.Election(
            budget=plan.budget, costs={str(d.id): c for _e, d, c in plan.entries},
            ballots=[{pid[e]: 1 for e in chosen} for _k, _u, _n, chosen in plan.ballots],
            step=100)
        for rule in RULES:
            plan.selected[rule] = results.count(election, rule, threshold=None)

    # --- writing ----------------------------------------------------------------------

    def emit(self) -> None:
        for plan in self.plans:
            self._emit_round(plan)

    def _emit_round(self, plan: RoundPlan) -> None:
        loader, rng = self.w.loader, self.w.rng
        staff = plan.place.staff[0]
        loader.add("round", dict(
            id=plan.id, community_id=plan.place.id, title=plan.title,
            description=f"本轮共有{len(plan.entries)}个金点子，预算{plan.budget // 100}元。"
            "每位居民可以选择自己支持的项目。",
            budget_fen=plan.budget, opens_at=plan.opens, closes_at=plan.closes,
            unit=plan.unit, ballot_kind=plan.kind, max_choices=plan.max_choices,
            min_choices=None, max_sum_cost_fen=None, rule=plan.rule, threshold=None,
            share_step=100, paper_needs_confirmation=False, pb_meta_json="",
            created_by_id=staff, created_at=plan.created, adopted_at=plan.adopted,
            adopted_by_id=staff if plan.adopted else None))
        for bid in plan.scope:
            loader.add("round_building", dict(round_id=plan.id, building_id=bid))
        won = set(plan.selected.get(plan.rule, ([], 0))[0]) if plan.adopted else None
        for pos, (eid, d, cost) in enumerate(plan.entries, start=1):
            loader.add("round_entry", dict(
                id=eid, round_id=plan.id, idea_id=d.id, project_id=str(d.id), cost_fen=cost,
                position=pos, won=None if won is None else str(d.id) in won,
                pb_fields_json=""))
        last = min(plan.closes, EPOCH) - plan.opens
        for n, (key, user, unit, chosen) in enumerate(plan.ballots):
            secret = None if plan.adopted else token(rng)
            paper = rng.random() < 0.04
            at = plan.opens + timedelta(seconds=rng.randint(60, int(last.total_seconds())))
            revised = rng.random() < 0.1 and not paper
            loader.add("participation", dict(
                id=loader.new_id("participation"), round_id=plan.id, voter_key=key,
                user_id=user, unit_id=unit, channel="paper" if paper else "online",
                paper_ref=f"P{n + 1:05d}" if paper else "",
                entered_by_id=staff if paper else None, confirmed_by_id=None,
                confirmed_at=None, revision=2 if revised else 1, token=secret,
                created_at=at, updated_at=at + timedelta(minutes=7) if revised else at))
            bid = hex_token(rng)
            loader.add("ballot", dict(id=bid, round_id=plan.id, token=secret, counted=True,
                                      pb_voter_id=None))
            for eid in sorted(chosen):
                loader.add("ballot_choice", dict(ballot_id=bid, entry_id=eid, weight=1,
                                                 rank=None))
        self._tallies(plan)

    def _tallies(self, plan: RoundPlan) -> None:
        loader = self.w.loader
        done = plan.closes + timedelta(minutes=2)
        for rule, (selected, seconds) in plan.selected.items():
            loader.add("tally", dict(
                id=loader.new_id("tally"), round_id=plan.id, rule=rule,
                threshold_key=threshold_key(rule, None), status="done", progress="",
                selected_json=json.dumps(selected), seconds=round(seconds, 1), error="",
                ballots_counted=len(plan.ballots), started_at=done - timedelta(minutes=1),
                heartbeat_at=done, finished_at=done))
