"""The dashboard's figures for one community and one calendar year in Asia/Shanghai.

Each figure is one aggregate query, so the page costs the same number of queries however
many ideas, projects or ledger lines a community has. Money is integer fen; PostgreSQL
sums big integers as numeric, hence the `int(...)` around every sum.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import utcnow
from proposals.models import FUNDING_KINDS, Costing, Idea, StageChange
from proposals.notices.models import Notice
from proposals.outcomes.models import Outcome
from proposals.projects.models import Project, ProjectFunding, SpendingEntry
from proposals.rounds.models import Round
from proposals.stages import STAGES

SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_YEAR, MAX_YEAR = 2000, 2100
PROJECT_STATUSES = ("funded", "in_progress", "done", "not_adopted")
LATEST_OUTCOMES = 5
_YEAR = re.compile(r"\d{4}", re.ASCII)


def current_year(now: datetime | None = None) -> int:
    return (now or utcnow()).astimezone(SHANGHAI).year


def parse_year(raw: str | None, now: datetime | None = None) -> int:
    """The year asked for in the URL; anything else (text, 0, 99999) is this year."""
    raw = (raw or "").strip()
    if _YEAR.fullmatch(raw) and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return current_year(now)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of the year and of the next one, Shanghai wall clock, as aware
    datetimes (UTCDateTime stores them as UTC)."""
    return (datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI))


def _in_year(column, year: int):
    start, end = year_bounds(year)
    return (column >= start) & (column < end)


def _fen(value) -> int:
    return int(value or 0)


@dataclass(frozen=True)
class SourceMoney:
    kind: str
    committed_fen: int
    spent_fen: int


@dataclass(frozen=True)
class OutcomeLine:
    id: int
    title: str
    published_at: datetime


@dataclass(frozen=True)
class NoticeLine:
    id: int
    title: str
    closes_at: datetime


@dataclass(frozen=True)
class Figures:
    year: int
    stages: dict[str, int]  # every stage of STAGES, in order, zeros included
    handed_in: int
    budgeted_rounds_fen: int
    budgeted_outside_fen: int
    by_source: list[SourceMoney]  # every funding kind, in the order of FUNDING_KINDS
    projects: dict[str, int]  # every status of PROJECT_STATUSES, in order
    outcomes: list[OutcomeLine]
    previous_year: int | None
    next_year: int | None

    @property
    def budgeted_fen(self) -> int:
        return self.budgeted_rounds_fen + self.budgeted_outside_fen

    @property
    def committed_fen(self) -> int:
        return sum(s.committed_fen for s in self.by_source)

    @property
    def spent_fen(self) -> int:
        return sum(s.spent_fen for s in self.by_source)

    @property
    def sources_with_money(self) -> list[SourceMoney]:
        return [s for s in self.by_source if s.committed_fen or s.spent_fen]

    @property
    def ideas(self) -> int:
        return sum(self.stages.values())

    @property
    def project_count(self) -> int:
        return sum(self.projects.values())


def ideas_by_stage(community) -> dict[str, int]:
    rows = db.session.execute(select(Idea.stage, func.count(Idea.id))
                              .where(Idea.community_id == community.id).group_by(Idea.stage))
    counts = dict(rows.all())
    return {stage: int(counts.get(stage, 0)) for stage in STAGES}


def ideas_handed_in(community, year: int) -> int:
    return int(db.session.scalar(select(func.count(Idea.id)).where(
        Idea.community_id == community.id, _in_year(Idea.created_at, year))) or 0)


def _reached(community, year: int, to_stage: str, from_stage: str | None = None):
    """The ids of the community's ideas that moved to `to_stage` during the year."""
    stmt = (select(StageChange.idea_id).join(Idea, Idea.id == StageChange.idea_id)
            .where(Idea.community_id == community.id, StageChange.to_stage == to_stage,
                   _in_year(StageChange.at, year)))
    if from_stage is not None:
        stmt = stmt.where(StageChange.from_stage == from_stage)
    return stmt


def budgeted_by_rounds(community, year: int) -> int:
    return _fen(db.session.scalar(select(func.sum(Round.budget_fen)).where(
        Round.community_id == community.id, _in_year(Round.opens_at, year))))


def budgeted_outside_rounds(community, year: int) -> int:
    """The costings of plans noticed during the year without a round (planned → noticed:
    a subsidy, a partner, an owners' decision). An idea noticed twice counts once."""
    ideas = _reached(community, year, "noticed", from_stage="planned")
    return _fen(db.session.scalar(select(func.sum(Costing.amount_fen))
                                  .where(Costing.idea_id.in_(ideas))))


def committed_by_source(community, year: int) -> dict[str, int]:
    """Planned funding of the projects whose idea was funded during the year, leaving
    out the cancelled ones (their idea is now not_adopted)."""
    funded = _reached(community, year, "funded")
    rows = db.session.execute(
        select(ProjectFunding.kind, func.sum(ProjectFunding.amount_fen))
        .join(Project, Project.id == ProjectFunding.project_id)
        .join(Idea, Idea.id == Project.idea_id)
        .where(Project.community_id == community.id, Idea.stage != "not_adopted",
               Project.idea_id.in_(funded))
        .group_by(ProjectFunding.kind))
    return {kind: _fen(total) for kind, total in rows.all()}


def spent_by_source(community, year: int) -> dict[str, int]:
    """Ledger lines dated in the year, of every project (money spent on a project later
    cancelled was still spent); a reversal is a negative line and simply adds in."""
    rows = db.session.execute(
        select(SpendingEntry.source_kind, func.sum(SpendingEntry.amount_fen))
        .join(Project, Project.id == SpendingEntry.project_id)
        .where(Project.community_id == community.id,
               SpendingEntry.spent_on >= date(year, 1, 1),
               SpendingEntry.spent_on < date(year + 1, 1, 1))
        .group_by(SpendingEntry.source_kind))
    return {kind: _fen(total) for kind, total in rows.all()}


def money_by_source(community, year: int) -> list[SourceMoney]:
    committed = committed_by_source(community, year)
    spent = spent_by_source(community, year)
    # Kinds outside FUNDING_KINDS should not exist; if one does, it still adds up.
    kinds = list(FUNDING_KINDS) + sorted((set(committed) | set(spent)) - set(FUNDING_KINDS))
    return [SourceMoney(k, committed.get(k, 0), spent.get(k, 0)) for k in kinds]


def projects_by_status(community) -> dict[str, int]:
    rows = db.session.execute(
        select(Idea.stage, func.count(Project.id)).join(Idea, Idea.id == Project.idea_id)
        .where(Project.community_id == community.id).group_by(Idea.stage))
    counts = dict(rows.all())
    return {status: int(counts.get(status, 0)) for status in PROJECT_STATUSES}


def latest_outcomes(community, limit: int = LATEST_OUTCOMES) -> list[OutcomeLine]:
    rows = db.session.execute(
        select(Outcome.id, Outcome.title, Outcome.published_at)
        .where(Outcome.community_id == community.id, Outcome.published_at.is_not(None))
        .order_by(Outcome.published_at.desc(), Outcome.id.desc()).limit(limit))
    return [OutcomeLine(*row) for row in rows.all()]


def open_notices(community, now: datetime | None = None, limit: int = 5) -> list[NoticeLine]:
    """Notices still open for objections, the one closing first first."""
    rows = db.session.execute(
        select(Notice.id, Notice.title, Notice.closes_at)
        .where(Notice.community_id == community.id, Notice.closes_at > (now or utcnow()))
        .order_by(Notice.closes_at, Notice.id).limit(limit))
    return [NoticeLine(*row) for row in rows.all()]


def _edges(community, year: int):
    """Per kind of dated record: the latest before the year and the earliest after it."""
    start, end = year_bounds(year)
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    stage_change = (select(StageChange.at).join(Idea, Idea.id == StageChange.idea_id)
                    .where(Idea.community_id == community.id,
                           StageChange.to_stage.in_(("noticed", "funded"))).subquery())
    spending = (select(SpendingEntry.spent_on).join(Project)
                .where(Project.community_id == community.id).subquery())
    dated = [
        (select(Idea.created_at).where(Idea.community_id == community.id).subquery(), start, end),
        (select(Round.opens_at).where(Round.community_id == community.id).subquery(), start, end),
        (stage_change, start, end),
        (spending, first, after),
    ]
    columns = []
    for sub, low, high in dated:
        col = list(sub.c)[0]
        columns.append(select(func.max(col)).where(col < low).scalar_subquery())
        columns.append(select(func.min(col)).where(col >= high).scalar_subquery())
    return db.session.execute(select(*columns)).one()


def _year_of(value) -> int:
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).year
    return value.year


def neighbour_years(community, year: int) -> tuple[int | None, int | None]:
    """The nearest earlier and later years with anything to show, in one query."""
    values = _edges(community, year)
    before = [_year_of(v) for v in values[0::2] if v is not None]
    after = [_year_of(v) for v in values[1::2] if v is not None]
    previous = max(before) if before else None
    following = min(after) if after else None
    return (previous if previous and previous >= MIN_YEAR else None,
            following if following and following <= MAX_YEAR else None)


def figures(community, year: int) -> Figures:
    previous, following = neighbour_years(community, year)
    return Figures(year=year, stages=ideas_by_stage(community),
                   handed_in=ideas_handed_in(community, year),
                   budgeted_rounds_fen=budgeted_by_rounds(community, year),
                   budgeted_outside_fen=budgeted_outside_rounds(community, year),
                   by_source=money_by_source(community, year),
                   projects=projects_by_status(community),
                   outcomes=latest_outcomes(community),
                   previous_year=previous, next_year=following)
