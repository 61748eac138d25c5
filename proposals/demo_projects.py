"""seed-demo's notices, projects and outcomes, made through their own services
(`demo_project_data`).

`proposals.demo` asks for this part of the story with `demo_story` and runs `events()`
among the ideas' moves in time order: a notice opens just after its ideas reach
`noticed`, objections are filed and answered during its period, and on its last day staff
fund its ideas with `finish` (the projects are made by the projects' own receiver of that
move); staff then fill in each project, add milestones and spending on their days, and
publish the outcome pages, which move the ideas to done; residents rate them afterwards.

The services take "now" as the time of what they do, and refuse what the clock forbids
(an objection after the period, a payment dated in the future), so each step runs with
the notice's times set around now, and everything written is then dated like the story by
`dated`, which restamps the rows each table gained inside it.
"""
from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.timeutil import utcnow

from .demo import DEMO_USERS, at, demo_story
from .demo_pictures import PAPERS, paper_photo, scene_photo
from .demo_data import SEED
from .demo_project_data import NOTICES, OPEN_NOTICE, OPEN_NOTICE_REASON, OUTCOMES, \
    PROJECTS, NoticeSeed, ObjectionSeed, OutcomeSeed, ProjectSeed
from .moves import move_idea
from .notices import services as notices
from .notices.drafts import draft_text
from .outcomes import services as outcomes
from .photos import process_photo, store
from .services import photo_folder
from .projects import milestones, services as projects, spending
from .projects.models import Project

RNG_SEED = SEED + 11  # its own random stream: the rest of the story does not shift
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Rows written while a step runs, restamped with the step's time: (table, time columns).
STAMPED = (("stage_change", ("at",)), ("audit_entry", ("at",)),
           ("notification", ("created_at",)), ("notice", ("created_at",)),
           ("objection", ("created_at",)), ("project", ("created_at",)),
           ("milestone", ("created_at",)), ("spending_entry", ("created_at",)),
           ("outcome", ("created_at",)), ("satisfaction_vote", ("created_at", "updated_at")),
           ("outcome_comment", ("created_at",)))


@contextmanager
def dated(when: datetime):
    """Date every row the tables in STAMPED gain inside the block at `when`, in the
    database and in the objects the session holds (without reloading them)."""
    tables = db.metadata.tables
    db.session.flush()
    marks = {name: db.session.scalar(select(func.max(tables[name].c.id))) or 0
             for name, _columns in STAMPED}
    yield
    db.session.flush()
    for name, columns in STAMPED:
        table = tables[name]
        db.session.execute(update(table).where(table.c.id > marks[name])
                           .values({c: when for c in columns}))
    stamped = dict(STAMPED)
    for obj in list(db.session.identity_map.values()):
        name = getattr(getattr(obj, "__table__", None), "name", None)
        if name in stamped and (obj.id or 0) > marks[name]:
            for column in stamped[name]:
                set_committed_value(obj, column, when)


class ProjectsSeeder:
    replaced = frozenset()  # demo_data has no steps for these moves: they are made here

    def __init__(self, seeder):
        self.seeder = seeder
        self.rng = random.Random(RNG_SEED)
        self.notices = {}
        self.outcomes = {}

    @property
    def staff(self):
        return self.seeder.users["staff"]

    def _resident(self, community: str, ref: str):
        return self.seeder.users[f"{community}_{ref}"]

    def _photo(self, scene: str):
        settings = current_app.config["SETTINGS"]
        raw = paper_photo(self.rng, scene) if scene in PAPERS else scene_photo(self.rng, scene)
        return process_photo(raw, max_bytes=settings.max_photo_bytes,
                             max_pixels=settings.max_photo_pixels)

    def events(self) -> list[tuple[float, object]]:
        out = []
        for seed in NOTICES:
            if seed.finished < seed.day + seed.days:
                raise ValueError(f"{seed.title}: funded before its notice period ends")
            out.append((seed.day, partial(self._open, seed)))
            for o in seed.objections:
                out.append((o.day, partial(self._object, seed, o)))
                out.append((o.answered, partial(self._answer, seed, o)))
            out.append((seed.finished, partial(self._finish, seed)))
        funded = {key: seed.finished for seed in NOTICES for key in seed.ideas}
        for seed in PROJECTS:
            out.append((funded[seed.idea] + 0.01, partial(self._fill_in, seed)))
            out.extend((m.day, partial(self._milestone, seed, m)) for m in seed.milestones)
            out.extend((s.day, partial(self._spend, seed, s)) for s in seed.spending)
        for seed in OUTCOMES:
            out.append((seed.day - 0.2, partial(self._draft, seed)))
            out.append((seed.day, partial(self._publish, seed)))
            out.append((seed.day + 0.5, partial(self._rate, seed)))
        return out

    def finish(self) -> None:
        """The notice open now: the benches went into notice at 09:00 two days before the
        seeding (the same times all day long, as the open round's), for seven days."""
        seed = OPEN_NOTICE
        nine = utcnow().astimezone(SHANGHAI).replace(hour=9, minute=0, second=0,
                                                      microsecond=0)
        opened = (nine + timedelta(days=seed.day)).astimezone(timezone.utc)
        idea = self.seeder.ideas[seed.ideas[0]]
        with dated(opened):
            move_idea(idea, "noticed", actor=self.staff, reason=OPEN_NOTICE_REASON)
        self._open(seed, opened)
        notice = self._notice_of(seed)
        for o in seed.objections:
            with dated(opened + timedelta(days=o.day)):
                notices.file_objection(notice, self._resident(seed.community, o.author),
                                       idea, o.reason)

    # --- notices ---------------------------------------------------------------------------

    def _notice_of(self, seed: NoticeSeed):
        return self.notices[(seed.community, seed.title)]

    def _open(self, seed: NoticeSeed, when: datetime | None = None) -> None:
        community = self.seeder.communities[seed.community]
        ideas = [self.seeder.ideas[key] for key in seed.ideas]
        found = next(c for c in notices.candidates(community)
                     if {i.id for i in c.ideas} == {i.id for i in ideas})
        when = when or at(seed.day)
        with dated(when):
            notice = notices.open_notice(
                community, self.staff, seed.kind, ideas=ideas, title=seed.title,
                text=draft_text(found, community, seed.days, when), days=seed.days,
                round=found.round, decision=found.decision)
        notice.opens_at, notice.closes_at = when, when + timedelta(days=seed.days)
        if seed.posted:  # staff photograph the poster on the 公告栏 the next morning
            photo = self._photo("board")
            with dated(when + timedelta(hours=20)):
                notices.set_photo(notice, self.staff, store(photo, photo_folder()),
                                  photo.width, photo.height)
        self.notices[(seed.community, seed.title)] = notice

    @contextmanager
    def _open_now(self, notice):
        """The notice open around now while a resident objects, then its own times."""
        opens, closes = notice.opens_at, notice.closes_at
        notice.closes_at = datetime.now(tz=opens.tzinfo) + timedelta(hours=1)
        try:
            yield
        finally:
            notice.opens_at, notice.closes_at = opens, closes

    def _object(self, seed: NoticeSeed, o: ObjectionSeed) -> None:
        notice = self._notice_of(seed)
        with self._open_now(notice), dated(at(o.day)):
            notices.file_objection(notice, self._resident(seed.community, o.author),
                                   self.seeder.ideas[o.idea], o.reason)

    def _answer(self, seed: NoticeSeed, o: ObjectionSeed) -> None:
        notice = self._notice_of(seed)
        objection = next(x for x in notice.objections if x.reason == o.reason)
        with dated(at(o.answered)):
            notices.answer_objection(objection, self.staff, o.answer, o.upheld)
        objection.answered_at = at(o.answered)

    def _finish(self, seed: NoticeSeed) -> None:
        notice = self._notice_of(seed)
        with dated(at(seed.finished)):
            notices.finish(notice, self.staff)
        notice.finished_at = at(seed.finished)

    # --- projects --------------------------------------------------------------------------

    def _project(self, key: str) -> Project:
        return projects.project_of(self.seeder.ideas[key])

    def _fill_in(self, seed: ProjectSeed) -> None:
        project = self._project(seed.idea)
        with dated(at(seed_day(seed))):
            projects.update_project(project, self.staff, responsible_kind=seed.responsible_kind,
                                    responsible_name=seed.responsible_name,
                                    progress=seed.progress)
            for p in list(project.partners):
                projects.remove_partner(p, self.staff)
            for name, contribution in seed.partners:
                projects.add_partner(project, self.staff, name=name, contribution=contribution)

    def _milestone(self, seed: ProjectSeed, m) -> None:
        project = self._project(seed.idea)
        with dated(at(m.day)):
            milestones.add_milestone(project, self.staff, due_on=local_date(m.day),
                                     title=m.title, text=m.text, status=m.status,
                                     photos=[self._photo(m.photo)] if m.photo else [])

    def _spend(self, seed: ProjectSeed, s) -> None:
        project = self._project(seed.idea)
        with dated(at(s.day)):
            spending.add_spending(project, self.staff, spent_on=local_date(s.day),
                                  amount_fen=s.yuan * 100, payee=s.payee, purpose=s.purpose,
                                  source_kind=s.source,
                                  receipt=self._photo("receipt") if s.receipt else None,
                                  overspend_reason=s.overspend_reason)

    # --- outcomes --------------------------------------------------------------------------

    def _draft(self, seed: OutcomeSeed) -> None:
        project = self._project(seed.idea)
        with dated(at(seed.day - 0.2)):
            outcome = outcomes.draft_outcome(project, self.staff)
            outcomes.edit(outcome, self.staff, title=seed.title, summary=seed.summary)
            outcomes.add_photo(outcome, self.staff, "before", self._photo(seed.before),
                               caption="施工前")
            outcomes.add_photo(outcome, self.staff, "after", self._photo(seed.after + "-after"),
                               caption="完工后")
        self.outcomes[seed.idea] = outcome

    def _publish(self, seed: OutcomeSeed) -> None:
        outcome = self.outcomes[seed.idea]
        with dated(at(seed.day)):
            outcomes.publish(outcome, self.staff)
        outcome.published_at = at(seed.day)

    def _rate(self, seed: OutcomeSeed) -> None:
        """Residents rate in the days after publication; the demo accounts leave theirs
        for a visitor to give."""
        outcome, community = self.outcomes[seed.idea], outcome_community(seed)
        authors = {self._resident(community, ref) for ref, _body in seed.comments}
        pool = [u for u in self.seeder.supporters[community]
                if u.username not in DEMO_ACCOUNTS and u not in authors]
        # Highest first: those who also wrote a comment (a thankful one) rated it well.
        scores = [score for score, n in zip(range(5, 0, -1), reversed(seed.ratings))
                  for _ in range(n)]
        raters = list(authors) + self.rng.sample(pool, len(scores) - len(authors))
        for n, (user, score) in enumerate(zip(raters, scores)):
            vote = outcomes.rate(outcome, user, score)
            vote.created_at = vote.updated_at = at(seed.day + 0.5 + n * 0.07)
        for n, (ref, body) in enumerate(seed.comments):
            comment = outcomes.add_comment(outcome, self._resident(community, ref), body)
            comment.created_at = at(seed.day + 0.6 + n * 0.4)


DEMO_ACCOUNTS = {username for username, _name, _role in DEMO_USERS}
def seed_day(seed: ProjectSeed) -> float:
    return next(n.finished for n in NOTICES if seed.idea in n.ideas) + 0.01


def outcome_community(seed: OutcomeSeed) -> str:
    return next(n.community for n in NOTICES if seed.idea in n.ideas)


def local_date(day: float):
    return at(day).astimezone(SHANGHAI).date()


@demo_story.connect
def _projects_part(seeder):
    return ProjectsSeeder(seeder)
