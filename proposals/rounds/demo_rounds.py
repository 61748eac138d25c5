"""seed-demo's budget rounds, made through the rounds' own services (`demo_round_data`).

`proposals.demo` puts `events()` among the ideas' moves in time order: a round is set up,
its ideas go on the ballot with `add_idea` while it is still upcoming, and an adopted
round is voted and adopted on its day, so the ideas after it (funded, in progress, done)
start from the stages its count gave them. `finish()` then opens the rounds that are open
in the story, timed from the day of seeding, with the ballots cast so far.

`submit_online` only takes ballots while the clock says the round is open, so an adopted
round is opened around "now" while its ballots go in, then given its real past times
before it is counted and adopted (adoption needs a closed round). Everything the
services write is dated like the story: stage changes and audit entries by `dated`,
participations and the adoption by hand. Ballots carry no time, by design.
"""
from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.timeutil import utcnow

from ..demo_data import BASE, SEED
from ..models import StageChange
from . import ballots
from .demo_round_data import ROUNDS, RoundSeed
from .eligibility import paper_voter_for_user, voters_for
from .models import Round
from .results import count, election_of
from .services import add_idea, adopt

RNG_SEED = SEED + 5  # its own random stream: the rest of the story does not shift
SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED_DAYS_AGO = 4  # the open round opened at 09:00 four days before the seeding…
CLOSES_IN_DAYS = 10  # …and closes at 21:00 ten days after it


def at(day: float) -> datetime:
    return BASE + timedelta(days=day)


@contextmanager
def dated(when: datetime):
    """Date the stage changes and audit entries written inside like the story."""
    db.session.flush()
    marks = {model: db.session.scalar(select(func.max(model.id))) or 0
             for model in (StageChange, AuditEntry)}
    yield
    db.session.flush()
    for model, last in marks.items():
        for row in db.session.scalars(select(model).where(model.id > last)):
            row.at = when


def open_round_times(now: datetime) -> tuple[datetime, datetime]:
    """The open round's times: opened some days before `now`, closing some days after
    (from 09:00 and to 21:00 in Shanghai, the same all day long)."""
    nine = now.astimezone(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)
    opens = nine - timedelta(days=OPENED_DAYS_AGO)
    closes = nine.replace(hour=21) + timedelta(days=CLOSES_IN_DAYS)
    return opens.astimezone(timezone.utc), closes.astimezone(timezone.utc)


class RoundSeeder:
    def __init__(self, seeder):
        self.seeder = seeder
        self.rng = random.Random(RNG_SEED)
        self.rounds: dict[str, Round] = {}

    def events(self) -> list[tuple[float, object]]:
        """(day, what happens) for `proposals.demo` to run among the ideas' moves."""
        out = []
        for seed in ROUNDS:
            out.append((seed.created, partial(self._set_up, seed)))
            out.append((seed.added, partial(self._add_ideas, seed)))
            if seed.adopted is not None:
                out.append((seed.adopted, partial(self._vote_and_adopt, seed)))
        return out

    def finish(self) -> None:
        """Open the rounds still open in the story, with the ballots cast before today
        (so two seeds on the same day cast the same ballots at the same times)."""
        now = utcnow()
        for seed in ROUNDS:
            if seed.adopted is None:
                r = self.rounds[seed.key]
                r.opens_at, r.closes_at = open_round_times(now)
                self._cast(seed, r, r.opens_at,
                           r.opens_at + timedelta(days=OPENED_DAYS_AGO, hours=-9))

    # --- the steps of a round ---------------------------------------------------------

    def _set_up(self, seed: RoundSeed) -> None:
        now = utcnow()
        # Upcoming for now: ideas can only be put on the ballot of a round not yet open.
        r = Round(community=self.seeder.communities[seed.community], title=seed.title,
                  description=seed.description, budget_fen=seed.budget_yuan * 100,
                  opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2),
                  unit="person", ballot_kind="knapsack", rule=seed.rule,
                  paper_needs_confirmation=True, created_by_id=self.seeder.users["staff"].id,
                  created_at=at(seed.created))
        db.session.add(r)
        db.session.flush()
        self.rounds[seed.key] = r

    def _add_ideas(self, seed: RoundSeed) -> None:
        r, staff = self.rounds[seed.key], self.seeder.users["staff"]
        with dated(at(seed.added)):
            for key, _chance in seed.ideas:
                add_idea(r, self.seeder.ideas[key], staff)

    def _vote_and_adopt(self, seed: RoundSeed) -> None:
        r, now = self.rounds[seed.key], utcnow()
        r.opens_at, r.closes_at = now - timedelta(hours=1), now + timedelta(hours=1)
        self._cast(seed, r, at(seed.opens), at(seed.closes))
        r.opens_at, r.closes_at = at(seed.opens), at(seed.closes)
        selected, _seconds = count(election_of(r), r.rule, threshold=r.threshold)
        expected = {str(self.seeder.ideas[key].id) for key in seed.winners}
        if set(selected) != expected:  # the ideas' later moves are written for these
            raise ValueError(f"the {seed.key} round's ballots elect {selected}, "
                             f"not the story's {sorted(expected)}")
        with dated(at(seed.adopted)):
            adopt(r, self.seeder.users["staff"], selected)
        r.adopted_at = at(seed.adopted)

    # --- ballots ----------------------------------------------------------------------

    def _cast(self, seed: RoundSeed, r: Round, start: datetime, end: datetime) -> None:
        """Online ballots from residents at waking hours between `start` and `end`, and
        the paper ballots of the elderly, typed in by staff, most checked by the admin."""
        users = self.seeder.users
        on_paper = {users[f"{seed.community}_r{p.resident:02d}"] for p in seed.paper}
        demo = [users[name] for name in seed.demo_voters]
        left_out = on_paper | set(demo) | {users[name] for name in seed.not_voting}
        pool = [u for u in self.seeder.supporters[seed.community] if u not in left_out]
        voters = demo + self.rng.sample(pool, seed.online - len(demo))
        self.rng.shuffle(voters)
        times = sorted(self._moment(start, end) for _ in voters)
        for user, when in zip(voters, times):
            p = ballots.submit_online(r, voters_for(r, user)[0], self._choices(seed, r))
            p.created_at = p.updated_at = when
        staff, admin = users["staff"], users["admin"]
        for paper in seed.paper:
            when = min(start + timedelta(days=paper.after), end)
            voter = paper_voter_for_user(r, users[f"{seed.community}_r{paper.resident:02d}"])
            with dated(when):
                p = ballots.enter_paper(r, staff, voter, self._choices(seed, r), paper.ref)
            p.created_at = p.updated_at = when
            if paper.confirmed:
                checked = min(when + timedelta(minutes=self.rng.randint(60, 300)), end)
                with dated(checked):
                    ballots.confirm_paper(r, admin, p)
                p.confirmed_at = checked

    def _choices(self, seed: RoundSeed, r: Round) -> list[int]:
        """What one voter ticks: the ideas they want, in their own order of preference,
        as long as the total still fits the budget; at least the most wanted one."""
        entry_of = {e.idea_id: e for e in r.entries}
        wants = [(entry_of[self.seeder.ideas[key].id], chance) for key, chance in seed.ideas]
        liked = [e for e, chance in wants if self.rng.random() < chance]
        self.rng.shuffle(liked)
        chosen, total, limit = [], 0, ballots.limit_fen(r)
        for e in liked:
            if total + e.cost_fen <= limit:
                chosen.append(e)
                total += e.cost_fen
        if not chosen:
            chosen = [max(wants, key=lambda w: w[1])[0]]
        return [e.id for e in chosen]

    def _moment(self, start: datetime, end: datetime) -> datetime:
        """A time between start (09:00 in Shanghai) and end, at 09:00–23:24 of its day."""
        days = self.rng.uniform(0, (end - start).total_seconds() / 86400)
        whole = int(days)
        when = start + timedelta(days=whole + (days - whole) * 0.6)
        return min(when, end - timedelta(minutes=1)).replace(microsecond=0)
