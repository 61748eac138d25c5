"""`flask --app wsgi seed-demo`: fill an empty database with the demo story.

Four neighbourhoods from the field reports (see `proposals.demo_data`), six demo accounts
that all log in with DEMO_PASSWORD, a few dozen generated residents per neighbourhood (a
hundred in 高荣), ideas spread over every stage with their timelines, supports and photos,
and 高荣's budget rounds (`proposals.rounds.demo_rounds`): an adopted autumn round and a
winter round open for voting; and the owners' decisions (`proposals.owners.demo_owners`):
two lifts' decisions passed and applied, 高荣's added lift open; and the notices, projects
and outcome pages after them (`proposals.demo_projects`). Everything happens in the order
of the story, so an idea goes on to funded from the public notice its round's count gave
it. The content is deterministic (a fixed random seed, times counted from a fixed
date) so screenshots, tests and a demo rehearsed yesterday all show the same thing; only
the open round, decision and notice are timed from the day of seeding, so that they are open
whenever the demo is.

It only ever writes into a database it can tell is its own: it refuses on a production
site and when there are accounts not marked `is_demo` or communities it does not know.
A second run finds its data and changes nothing. `--if-empty` (what `make run` calls on
every start) does nothing at all when there is any community or user, so it never even
reaches the production check on a site already in use.
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from functools import partial

import click
from blinker import signal
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app import audit
from app.accounts import services as accounts
from app.accounts.models import User
from app.accounts.passwords import hash_secret
from app.audit import AuditEntry
from app.cli import fail
from app.community import Building, Community, Unit, UnitOwnership
from app.database import write_transaction
from app.extensions import db

from .demo_data import (
    BASE, COMMUNITIES, GIVEN_NAMES, IDEAS, SEED, SURNAMES, BuildingSeed, CommunitySeed,
    IdeaSeed, Step,
)
from .demo_pictures import scene_photo
from .kids.models import ChildBallot, ChildProfile
from .models import Idea, IdeaPhoto, IdeaSupport, StageChange
from .moves import move_idea
from .notices.models import Notice
from .outcomes.models import Outcome
from .owners.demo_owners import OwnersSeeder
from .photos import process_photo
from .projects.models import Project
from .rounds.demo_round_data import ROUND_IDEAS
from .rounds.demo_rounds import RoundSeeder
from .rounds.models import Ballot, Participation, Round
from .services import hand_in
from .stages import find_move

DEMO_PASSWORD = "yishiting-demo"
DEMO_USERS = (  # username, display name, role in 高荣 (staff is staff in all four)
    ("admin", "管理员", "admin"),
    ("staff", "居委会 社工小李", "staff"),
    ("chair", "议事厅主持人 嵇老师", "chair"),
    ("council", "议事员 老周", "council"),
    ("resident", "居民 王阿姨", "resident"),
    ("owner", "业主 陈先生", "owner"),
)
OWNER_UNIT = ("高荣小区2号楼", "301")
DEMO_SLUGS = tuple(c.slug for c in COMMUNITIES)
UNVERIFIED_PER_COMMUNITY = 2  # so the staff desk has people waiting to be verified
# Sent at the end of the seed, inside its transaction, with the seeder (its communities,
# users and ideas): deliberation adds its demo threads without proposals importing it.
demo_seeded = signal("demo-seeded")
# Sent before the story runs, with the seeder: a receiver returns a part of the story told
# elsewhere (deliberation's meetings) with `events()`, `replaced` and `finish()` like the
# rounds' and owners' seeders, so it runs in time order without proposals importing it.
demo_story = signal("demo-story")

class Refused(Exception):
    """The database holds data seed-demo did not make: demo rows must not mix with it."""


def at(day: float) -> datetime:
    return BASE + timedelta(days=day)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database has any community or user.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Fill an empty database with the demo communities, people and ideas."""
    if if_empty and not database_is_empty():
        click.echo("The database already has communities or users: skipping the demo data.")
        return
    if current_app.config["SETTINGS"].production:
        fail("Refusing to seed demo data: this site runs with production settings.")
    started = time.perf_counter()
    try:
        with write_transaction():
            if demo_already_there():
                click.echo("The demo data is already there: nothing changed.")
                return
            _Seeder().run()
            counts = demo_counts()
    except Refused as exc:
        fail(str(exc))
    click.echo(f"Demo data seeded in {time.perf_counter() - started:.1f} s: "
               + ", ".join(f"{n} {name}" for name, n in counts.items()) + ".")
    click.echo("Log in as " + ", ".join(u for u, _n, _r in DEMO_USERS)
               + f" with the password {DEMO_PASSWORD}.")


def database_is_empty() -> bool:
    return (db.session.scalar(select(Community.id).limit(1)) is None
            and db.session.scalar(select(User.id).limit(1)) is None)


def demo_already_there() -> bool:
    """True when the demo was seeded before; Refused when the database holds other data."""
    if db.session.scalar(select(User.id).where(User.is_demo.is_(False)).limit(1)) is not None:
        raise Refused("The database has accounts that seed-demo did not create: "
                      "refusing to mix demo data with them.")
    foreign = db.session.scalar(
        select(Community.slug).where(Community.slug.not_in(DEMO_SLUGS)).limit(1))
    if foreign is not None:
        raise Refused(f"The database has the community {foreign!r}, which seed-demo did not "
                      "create: refusing to mix demo data with it.")
    return not database_is_empty()


def demo_counts() -> dict[str, int]:
    models = {"communities": Community, "buildings": Building, "units": Unit, "users": User,
              "ideas": Idea, "supports": IdeaSupport, "photos": IdeaPhoto, "rounds": Round,
              "participations": Participation, "ballots": Ballot, "notices": Notice,
              "projects": Project, "outcomes": Outcome, "child profiles": ChildProfile,
              "children's ballots": ChildBallot}
    return {name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in models.items()}


def _record_history(idea: Idea, to_stage: str, actor: User, reason: str, cause_label: str,
                    when) -> StageChange:
    """Write a move whose cause the site never held: 益民公寓2号楼's roof, whose owners
    agreed door to door before the 议事厅 went online (seed 003), so there is no owners'
    decision for `move_idea` to check, and no notice or outcome page after it. The demo
    writes those timeline entries (and their audit entries) itself, naming the cause in
    words. Every other move of the story is made by its feature's own service: rounds
    (`proposals.rounds.demo_rounds`), owners' decisions (`proposals.owners.demo_owners`),
    notices, projects and outcome pages (`proposals.demo_projects`).
    """
    if find_move(idea.stage, to_stage) is None:
        raise ValueError(f"the stage table has no move {idea.stage} → {to_stage}")
    change = StageChange(idea=idea, from_stage=idea.stage, to_stage=to_stage,
                         actor_id=actor.id, reason=reason, cause_label=cause_label, at=when)
    db.session.add(change)
    entry = audit.record("idea.move", actor=actor, community=idea.community, target=idea,
                         from_stage=idea.stage, to_stage=to_stage, reason=reason,
                         cause=cause_label, system=False)
    entry.at = when
    idea.stage = to_stage
    return change


def _restamp_last_audit(idea: Idea, when) -> None:
    """Date the audit entry move_idea just wrote like the move, not like the seed run."""
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.target_type == "Idea",
                                 AuditEntry.target_id == idea.id)
        .order_by(AuditEntry.id.desc()).limit(1))
    if entry is not None:
        entry.at = when


def unit_areas(rng: random.Random, b: BuildingSeed) -> list[int]:
    """Areas in hundredths of m²: one floor plan repeated on every floor, as in a real
    building; spread evenly to match the register's total when it is known."""
    plan = [rng.randint(b.min_m2 * 100, b.max_m2 * 100) for _ in range(b.per_floor)]
    areas = plan * b.floors
    if b.total_centi_m2 is not None:
        share, rest = divmod(b.total_centi_m2 - sum(areas), len(areas))
        areas = [a + share + (1 if i < rest else 0) for i, a in enumerate(areas)]
    return areas


class _Seeder:
    """Builds the story in order: places, people, then ideas, moves and rounds by day."""

    def __init__(self):
        self.rng = random.Random(SEED)
        self.password_hash = hash_secret(DEMO_PASSWORD)  # once: argon2 is slow on purpose
        self.clock = 0  # minutes after BASE, so accounts are created one after another
        self.communities: dict[str, Community] = {}
        self.units: dict[str, list[Unit]] = {}
        self.owned: set[Unit] = set()  # kept here: reading unit.ownerships would query each
        self.users: dict[str, User] = {}
        self.supporters: dict[str, list[User]] = {}
        self.ideas: dict[str, Idea] = {}

    def run(self) -> None:
        # The story happens in the past: its audit entries are dated like it.
        with audit.rewriting_history():
            self._run()

    def _run(self) -> None:
        for seed in COMMUNITIES:
            self._community(seed)
        self._demo_users()
        for seed in COMMUNITIES:
            self._residents(seed)
        for slug in DEMO_SLUGS:
            self._register_owners(slug)
        db.session.flush()
        rounds, owners = RoundSeeder(self), OwnersSeeder(self)
        others = [part for _receiver, part in demo_story.send(self)]
        replaced = owners.replaced.union(*(part.replaced for part in others))
        events = self._events(replaced) + rounds.events() + owners.events()
        events += [event for part in others for event in part.events()]
        for _day, event in sorted(events, key=lambda e: e[0]):
            event()  # a stable sort: on the same day, ideas' moves before rounds' steps
        rounds.finish()
        owners.finish()
        db.session.flush()
        demo_seeded.send(self)
        for part in others:
            part.finish()  # after demo_seeded: it may name what its receivers wrote

    def _events(self, replaced=frozenset()) -> list[tuple[float, object]]:
        """(day, what happens) for every idea: handed in, then each move of its timeline
        but those `replaced` ((idea key, day): an owners' decision makes them)."""
        events = []
        for seed in IDEAS + ROUND_IDEAS:
            events.append((seed.day, partial(self._idea, seed)))
            events.extend((step.day, partial(self._step, seed, step)) for step in seed.steps
                          if (seed.key, step.day) not in replaced)
        return events

    # --- places -------------------------------------------------------------------------

    def _community(self, seed: CommunitySeed) -> None:
        c = Community(slug=seed.slug, name=seed.name, district=seed.district,
                      description=seed.description, created_at=BASE)
        self.units[seed.slug] = []
        for b in seed.buildings:
            building = Building(name=b.name)
            floors = range(b.first_floor, b.first_floor + b.floors)
            numbers = [f"{floor}{i:02d}" for floor in floors for i in range(1, b.per_floor + 1)]
            building.units = [Unit(number=n, area_centi_m2=a)
                              for n, a in zip(numbers, unit_areas(self.rng, b))]
            c.buildings.append(building)
            self.units[seed.slug].extend(building.units)
        db.session.add(c)
        self.communities[seed.slug] = c
        self.supporters[seed.slug] = []

    def _register_owners(self, slug: str) -> None:
        """Every unit nobody in the demo owns still has a name in the owners' register."""
        for unit in self.units[slug]:
            if unit not in self.owned:
                db.session.add(UnitOwnership(unit=unit, owner_name=self._name()))

    # --- people -------------------------------------------------------------------------

    def _name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)

    def _user(self, username: str, display_name: str, **fields) -> User:
        self.clock += 1
        user = User(username=username, display_name=display_name, is_demo=True,
                    password_hash=self.password_hash,
                    created_at=BASE + timedelta(minutes=self.clock), **fields)
        db.session.add(user)
        self.users[username] = user
        return user

    def _member(self, user: User, community: Community, building=None, verifier=None,
                role: str = "resident"):
        m = accounts.join(user, community, building)
        m.joined_at = user.created_at
        if verifier is not None:
            m.verified_at, m.verified_by = user.created_at + timedelta(hours=2), verifier
        m.grant(role)
        return m

    def _demo_users(self) -> None:
        """The six accounts of the README, all verified members of 高荣."""
        gaorong, home = self.communities["gaorong"], self._unit("gaorong", *OWNER_UNIT)
        for username, display_name, role in DEMO_USERS:
            self._user(username, display_name, is_site_admin=(role == "admin"))
        # Ids first: memberships are matched to communities by id, ownerships name staff.
        db.session.flush()
        admin, staff = self.users["admin"], self.users["staff"]
        for username, _name, role in DEMO_USERS:
            self._member(self.users[username], gaorong, home.building if role == "owner" else None,
                         admin if role in ("admin", "staff") else staff, role)
        for slug in DEMO_SLUGS[1:]:
            self._member(staff, self.communities[slug], verifier=admin, role="staff")
        self._own(self.users["owner"], home)
        self.supporters["gaorong"].extend(self.users[u] for u in ("resident", "owner", "council"))

    def _unit(self, slug: str, building: str, number: str) -> Unit:
        return next(u for u in self.units[slug]
                    if u.building.name == building and u.number == number)

    def _own(self, user: User, unit: Unit) -> None:
        self.owned.add(unit)
        db.session.add(UnitOwnership(unit=unit, user=user, owner_name=user.display_name,
                                     verified_by_id=self.users["staff"].id,
                                     verified_at=user.created_at + timedelta(hours=3)))

    def _residents(self, seed: CommunitySeed) -> None:
        """Generated residents: odd-numbered ones own their flat, the last few await staff."""
        community, staff = self.communities[seed.slug], self.users["staff"]
        homes = [u for u in self.units[seed.slug] if u not in self.owned]
        self.rng.shuffle(homes)
        for n in range(1, seed.residents + 1):
            user = self._user(f"{seed.slug}_r{n:02d}", seed.named.get(n) or self._name())
            home = homes.pop()
            verified = n <= seed.residents - UNVERIFIED_PER_COMMUNITY
            self._member(user, community, home.building, staff if verified else None)
            if verified:
                self.supporters[seed.slug].append(user)
                if n % 2:
                    self._own(user, home)

    # --- ideas --------------------------------------------------------------------------

    def _author(self, seed: IdeaSeed) -> User:
        if seed.author.startswith("r") and seed.author[1:].isdigit():
            return self.users[f"{seed.community}_{seed.author}"]
        return self.users[seed.author]

    def _photo(self, scene: str):
        settings = current_app.config["SETTINGS"]
        return process_photo(scene_photo(self.rng, scene), max_bytes=settings.max_photo_bytes,
                             max_pixels=settings.max_photo_pixels)

    def _idea(self, seed: IdeaSeed) -> None:
        community, author = self.communities[seed.community], self._author(seed)
        building = next((b for b in community.buildings if b.name == seed.building), None)
        if seed.building and building is None:
            raise ValueError(f"{seed.key}: no building {seed.building} in {seed.community}")
        idea = hand_in(community, author, title=seed.title, description=seed.description,
                       category=seed.category, building=building, place=seed.place,
                       estimated_cost_fen=None if seed.estimate_yuan is None
                       else seed.estimate_yuan * 100,
                       changes_common_parts=seed.common_parts,
                       photos=[self._photo(scene) for scene in seed.photos])
        idea.created_at = idea.timeline[0].at = at(seed.day)
        self._supports(idea, seed, author)
        self.ideas[seed.key] = idea

    def _supports(self, idea: Idea, seed: IdeaSeed, author: User) -> None:
        """Supports come in the hours after handing in, before the idea could leave."""
        pool = [u for u in self.supporters[seed.community] if u is not author]
        window = 24 * ((seed.steps[0].day if seed.steps else seed.day + 2) - seed.day)
        for user in self.rng.sample(pool, min(seed.supporters, len(pool))):
            hours = self.rng.uniform(0.5, min(40.0, 0.9 * window))
            db.session.add(IdeaSupport(idea_id=idea.id, user_id=user.id,
                                       created_at=at(seed.day) + timedelta(hours=hours)))

    def _step(self, seed: IdeaSeed, step: Step) -> None:
        idea, author = self.ideas[seed.key], self._author(seed)
        when, staff = at(step.day), self.users["staff"]
        if step.cause:
            _record_history(idea, step.to, staff, step.reason, step.cause, when)
            return
        change = move_idea(idea, step.to, actor=author if step.by_author else staff,
                           reason=step.reason, costing=step.costing,
                           merged_into=self.ideas.get(step.merged_into))
        change.at = when
        if step.costing is not None:
            idea.costing.created_at = when
        _restamp_last_audit(idea, when)


# Its part of the story (notices, projects, outcomes) joins through `demo_story`; imported
# last because it builds on what this module defines.
from . import demo_projects  # noqa: E402,F401
