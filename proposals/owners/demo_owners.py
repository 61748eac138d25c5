"""seed-demo's owners' decisions, made through the owners' own services (`demo_owner_data`).

`proposals.demo` puts `events()` among the ideas' moves in time order: on its opening day
a finished decision gets its building's register, the links between register lines and
residents' accounts, and its votes; on the day the story moves its idea planned → noticed,
staff apply the result with `apply_result`, so that move is the decision's (the step of
demo_data on that day is skipped, `replaced`). `finish()` then opens the decision still
open in the story, timed from the day of seeding, with the votes cast so far.

The register is written as `owners import-units` writes it, from the building's units and
the names of the foundation's ownership table (the developer's unsold flats, the owners
of two flats and the demo owner's parents' flat renamed there to match). Residents who own
their flat are linked to their register line, so some owners vote online; the others
sign sheets that the `staff` user types in, numbered 签-001… in the order they came in.

The services check the clock: a finished decision is opened with its real past opening
but a closing just after now while its votes go in, then given its real closing, three
days of grace before its result is applied; audit entries, votes and stage changes are
dated like the story (`dated`).
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app import audit
from app.audit import AuditEntry
from app.community import UnitOwnership
from app.extensions import db
from app.timeutil import utcnow

from ..demo_data import SEED
from ..rounds.demo_rounds import at, dated
from . import decisions
from .demo_owner_data import DECISIONS, DecisionSeed
from .models import Owner, OwnersDecision
from .register import replace_register
from .register_csv import UnitRow

RNG_SEED = SEED + 6  # its own random stream: the rest of the story does not shift
SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED_DAYS_AGO = 5  # the open decision opened at 09:00 five days before the seeding…
CLOSES_IN_DAYS = 10  # …and closes at 21:00 ten days after it


def floor_of(number: str) -> int:
    return int(number[:-2])


def open_times(now: datetime) -> tuple[datetime, datetime]:
    nine = now.astimezone(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)
    opens = nine - timedelta(days=OPENED_DAYS_AGO)
    closes = nine.replace(hour=21) + timedelta(days=CLOSES_IN_DAYS)
    return opens.astimezone(timezone.utc), closes.astimezone(timezone.utc)


def import_units(slug: str, rows: list[UnitRow]) -> None:
    # Inside the seed's own transaction: import_register would start (and commit) one.
    replace_register(slug, rows)


class OwnersSeeder:
    def __init__(self, seeder):
        self.seeder = seeder
        self.rng = random.Random(RNG_SEED)
        self.decisions: dict[str, OwnersDecision] = {}
        # (idea key, day) of demo_data's steps that the decisions make instead.
        self.replaced = frozenset((d.idea, d.applied) for d in DECISIONS if d.applied)

    def events(self) -> list[tuple[float, object]]:
        """(day, what happens) for `proposals.demo` to run among the ideas' moves."""
        out = []
        for seed in DECISIONS:
            if seed.opens is not None:
                out.append((seed.opens, partial(self._hold, seed)))
                out.append((seed.applied, partial(self._apply, seed)))
        return out

    def finish(self) -> None:
        now = utcnow()
        for seed in DECISIONS:
            if seed.opens is None:
                opens, closes = open_times(now)
                # Votes until the start of today, so two seeds on one day cast the same.
                self._hold(seed, opens, closes,
                           opens + timedelta(days=OPENED_DAYS_AGO, hours=-9))

    # --- a decision from the register to its votes -----------------------------------

    def _hold(self, seed: DecisionSeed, opens: datetime | None = None,
              closes: datetime | None = None, until: datetime | None = None) -> None:
        opens, closes = opens or at(seed.opens), closes or at(seed.closes)
        until = until or closes  # votes come in until then
        community = self.seeder.communities[seed.community]
        building = next(b for b in community.buildings if b.name == seed.building)
        staff = self.seeder.users["staff"]
        with dated(opens - timedelta(days=3)):
            lines = self._register(seed, community, building)
        self._link(lines, staff, opens - timedelta(days=2) + timedelta(hours=5))
        # Open until just after now while the votes go in (the services check the
        # clock), then closed at the story's time.
        with dated(opens):
            decision = decisions.open_decision(
                community, seed.matter, seed.title, text=seed.text, buildings=[building],
                opens_at=opens, closes_at=max(closes, utcnow() + timedelta(hours=1)),
                idea=self.seeder.ideas[seed.idea], actor=staff)
        decision.created_at = opens
        self._vote(seed, decision, lines, opens, until)
        if decision.closes_at != closes:
            decision.closes_at = closes
            entry = db.session.scalar(select(AuditEntry).where(
                AuditEntry.action == "owners.decision_open",
                AuditEntry.target_type == "OwnersDecision",
                AuditEntry.target_id == decision.id))
            entry.detail_json = json.dumps({**entry.detail, "closes_at": closes},
                                           ensure_ascii=False, default=str)
        db.session.flush()
        self.decisions[seed.key] = decision

    def _register(self, seed: DecisionSeed, community, building) -> list[tuple]:
        """Import the building's register; (owner, floor, account or None) per owner."""
        units = sorted(building.units, key=lambda u: (floor_of(u.number), u.number))
        held = {o.unit_id: o for o in db.session.scalars(select(UnitOwnership).where(
            UnitOwnership.unit_id.in_([u.id for u in units])))}
        free = [u for u in units if held[u.id].user_id is None]  # no account: renamable
        developer = free[:seed.developer_units]
        left = [u for u in free if u not in developer]
        demo = next((u for u in left if floor_of(u.number) == seed.demo_owner_floor), None) \
            if seed.demo_owner else None
        by_number = {u.number: u for u in left if u is not demo}
        both = [(by_number[f"{f}01"], by_number[f"{f}02"])
                for f in sorted({floor_of(n) for n in by_number})
                if f"{f}01" in by_number and f"{f}02" in by_number]
        second_of = {b: a for a, b in self.rng.sample(both, seed.pairs)}

        # Read before the import, which expires every loaded row (reloading is slow).
        rows, names, first = [], {}, {}
        for line, unit in enumerate(units, start=2):
            if unit in developer:
                owner_id, name = f"{seed.id_prefix}DEV", seed.developer
            elif unit in second_of:
                owner_id = f"{seed.id_prefix}{second_of[unit].number}"
                name = held[second_of[unit].id].owner_name
            else:
                owner_id = f"{seed.id_prefix}{unit.number}"
                name = seed.demo_owner if unit is demo else held[unit.id].owner_name
            held[unit.id].owner_name = names.setdefault(owner_id, name)
            account = self.seeder.users["owner"] if unit is demo else held[unit.id].user
            first.setdefault(owner_id, (floor_of(unit.number), account))
            rows.append(UnitRow(line, building.name, unit.number, unit.area_centi_m2,
                                owner_id, unit in developer))
        import_units(community.slug, rows)

        owners = {o.register_id: o for o in db.session.scalars(
            select(Owner).where(Owner.community_id == community.id))}
        lines = []
        for owner_id, name in names.items():
            owners[owner_id].display_name = name
            lines.append((owners[owner_id], *first[owner_id]))
        return lines

    def _link(self, lines, staff, when: datetime) -> None:
        """Staff link the residents' verified accounts to their lines of the register,
        a few minutes apart from `when` on."""
        for owner, _floor, account in lines:
            if account is not None:
                owner.user_id, owner.linked_by_id, owner.linked_at = account.id, staff.id, when
                audit.record("owners.link", actor=staff, community=owner.community,
                             target=owner, owner=owner.register_id,
                             user=account.username).at = when
                when += timedelta(minutes=self.rng.randint(2, 9))

    def _vote(self, seed: DecisionSeed, decision: OwnersDecision, lines, start: datetime,
              end: datetime) -> None:
        """Online votes from linked accounts, signature sheets for the rest, in time order;
        the demo `owner` account and the developer never vote."""
        demo_user = self.seeder.users["owner"]
        linked = [line for line in lines if line[2] is not None and line[2] is not demo_user]
        online = self.rng.sample(linked, min(seed.online, len(linked)))
        # Linked owners not voting online may sign a sheet too (D座 voted on paper).
        paper_pool = [line for line in lines if line not in online
                      and line[2] is not demo_user and not line[0].is_developer]
        target = round(seed.turnout * len(lines))
        on_paper = self.rng.sample(paper_pool, target - len(online))
        votes = [(self._moment(start, end), "online", line, self._choice(seed, line[1]))
                 for line in online]
        votes += [(self._moment(start, end), "sheet", line, self._choice(seed, line[1]))
                  for line in on_paper]
        conflicted = None
        if seed.conflict:  # a low-floor online voter who later signs the other way
            conflicted = min(online, key=lambda line: line[1])
            first, later = sorted(self._moment(start, end) for _ in range(2))
            votes = [v for v in votes if v[2] is not conflicted]
            before = "against" if seed.conflict == "open" else "abstain"
            votes += [(first, "online", conflicted, before),
                      (later, "sheet", conflicted, "agree")]
        staff, sheets, times = self.seeder.users["staff"], 0, []
        db.session.flush()
        last = db.session.scalar(select(func.max(AuditEntry.id))) or 0
        # Without autoflush the audit entries and times go in as a batch at the end; the
        # services' own reads (the snapshot, the vote rows they insert) need no flush.
        with db.session.no_autoflush:
            for when, channel, (owner, _floor, account), choice in sorted(
                    votes, key=lambda v: (v[0], v[2][0].register_id)):
                if channel == "online":
                    vote = decisions.cast_online(decision, owner, account, choice)
                else:
                    sheets += 1
                    vote = decisions.enter_sheet(
                        decision, owner, choice, f"签-{sheets:03d}", staff=staff,
                        signed_on=when.astimezone(SHANGHAI).date())
                vote.cast_at = when
                times.append(when)
        # One audit entry per vote, in order: dated like `dated` would, in one pass.
        db.session.flush()
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > last)
                                     .order_by(AuditEntry.id)).all()
        if len(entries) != len(times):
            raise ValueError("expected one audit entry per vote")
        for entry, when in zip(entries, times):
            entry.at = when
        if seed.conflict == "resolved":
            when = later + timedelta(days=1)
            with dated(when):
                decisions.resolve_conflict(decision, conflicted[0], "agree", staff,
                                           seed.resolution_note).resolved_at = when

    def _choice(self, seed: DecisionSeed, floor: int) -> str:
        agree = seed.low_agree if seed.low_agree is not None and floor <= 2 else seed.agree
        if self.rng.random() < agree:
            return "agree"
        return "against" if self.rng.random() < 0.6 else "abstain"

    def _moment(self, start: datetime, end: datetime) -> datetime:
        """A time between start (09:00 in Shanghai) and end, at 09:00–21:00 of its day."""
        days = self.rng.uniform(0, (end - start).total_seconds() / 86400)
        whole = int(days)
        when = start + timedelta(days=whole + (days - whole) * 0.5)
        return min(when, end - timedelta(minutes=1)).replace(microsecond=0)

    # --- applying ---------------------------------------------------------------------

    def _apply(self, seed: DecisionSeed) -> None:
        """Staff apply the final result: the idea moves planned → noticed with it."""
        decision, when = self.decisions[seed.key], at(seed.applied)
        if decisions.current_tally(decision).result != "passed":  # the story goes on from it
            raise ValueError(f"the {seed.key} decision's votes do not pass it")
        with dated(when):
            decisions.apply_result(decision, self.seeder.users["staff"])
        decision.applied_at = when
