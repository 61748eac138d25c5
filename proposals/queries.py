"""Reading ideas: the filtered, searched, paginated list and support counts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db

from .models import Idea, IdeaSupport

PER_PAGE = 20


@dataclass(frozen=True)
class IdeaFilter:
    q: str = ""
    stage: str = ""
    category: str = ""
    building: int = 0
    page: int = 1


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def support_count_column():
    return (select(func.count(IdeaSupport.id)).where(IdeaSupport.idea_id == Idea.id)
            .correlate(Idea).scalar_subquery())


def filtered(community, f: IdeaFilter):
    stmt = select(Idea).where(Idea.community_id == community.id)
    if f.stage:
        stmt = stmt.where(Idea.stage == f.stage)
    if f.category:
        stmt = stmt.where(Idea.category == f.category)
    if f.building:
        stmt = stmt.where(Idea.building_id == f.building)
    for term in f.q.split()[:5]:
        # LIKE finds Chinese substrings (充电 in 充电桩) on SQLite and PostgreSQL alike.
        pattern = _like(term)
        stmt = stmt.where(or_(Idea.title.like(pattern, escape="\\"),
                              Idea.description.like(pattern, escape="\\"),
                              Idea.place.like(pattern, escape="\\")))
    return stmt


@dataclass
class Page:
    items: list
    total: int
    page: int
    pages: int


def idea_page(community, f: IdeaFilter) -> Page:
    base = filtered(community, f)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, f.page), pages)
    rows = db.session.execute(
        base.add_columns(support_count_column().label("supports"))
        .options(selectinload(Idea.photos), joinedload(Idea.building))
        .order_by(Idea.created_at.desc(), Idea.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return Page(items=[(idea, supports) for idea, supports in rows], total=total,
                page=page, pages=pages)


def stage_counts(community) -> dict[str, int]:
    rows = db.session.execute(select(Idea.stage, func.count(Idea.id))
                              .where(Idea.community_id == community.id).group_by(Idea.stage))
    return dict(rows.all())


def support_count(idea) -> int:
    return db.session.scalar(select(func.count(IdeaSupport.id))
                             .where(IdeaSupport.idea_id == idea.id))


def has_supported(idea, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(IdeaSupport.id).where(
        IdeaSupport.idea_id == idea.id, IdeaSupport.user_id == user.id)) is not None
