"""Reading outcome pages: one outcome with everything its page shows, the list, the
projects still waiting for theirs. Each function costs a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from proposals.models import Idea, StageChange
from proposals.projects.models import Project

from .models import Outcome, OutcomeComment, OutcomePhoto, SatisfactionVote


def load_outcome(outcome_id: int, community) -> Outcome | None:
    """The outcome with its photos, project (partners, funding, spending) and idea
    (author, timeline with actors) loaded; None if it is not this community's."""
    outcome = db.session.get(Outcome, outcome_id, options=[
        selectinload(Outcome.photos),
        joinedload(Outcome.project).options(
            selectinload(Project.partners), selectinload(Project.funding),
            selectinload(Project.spending),
            joinedload(Project.idea).options(
                joinedload(Idea.author),
                selectinload(Idea.timeline).joinedload(StageChange.actor)))])
    if outcome is None or outcome.community_id != community.id:
        return None
    return outcome


def outcome_list(community, *, drafts: bool) -> list[Outcome]:
    """Published outcomes newest first; with `drafts`, the drafts come first."""
    query = (select(Outcome).options(selectinload(Outcome.photos),
                                     joinedload(Outcome.project).joinedload(Project.idea))
             .where(Outcome.community_id == community.id))
    if not drafts:
        query = query.where(Outcome.published_at.is_not(None))
    query = query.order_by(Outcome.published_at.is_(None).desc(),
                           Outcome.published_at.desc(), Outcome.id.desc())
    return list(db.session.scalars(query))


def vote_summaries(outcomes) -> dict[int, tuple[int, float]]:
    """outcome id → (votes, mean score), for a list of outcomes in one query."""
    ids = [o.id for o in outcomes]
    if not ids:
        return {}
    rows = db.session.execute(
        select(SatisfactionVote.outcome_id, func.count(), func.sum(SatisfactionVote.score))
        .where(SatisfactionVote.outcome_id.in_(ids)).group_by(SatisfactionVote.outcome_id))
    return {oid: (n, total / n) for oid, n, total in rows}


def awaiting_outcome(community) -> list[Project]:
    """Projects in progress that have no outcome page yet."""
    return list(db.session.scalars(
        select(Project).join(Idea, Idea.id == Project.idea_id)
        .outerjoin(Outcome, Outcome.project_id == Project.id)
        .options(joinedload(Project.idea))
        .where(Project.community_id == community.id, Idea.stage == "in_progress",
               Outcome.id.is_(None))
        .order_by(Project.created_at, Project.id)))


def comments(outcome: Outcome, *, with_hidden: bool) -> list[OutcomeComment]:
    query = (select(OutcomeComment).options(joinedload(OutcomeComment.author))
             .where(OutcomeComment.outcome_id == outcome.id)
             .order_by(OutcomeComment.created_at, OutcomeComment.id))
    if not with_hidden:
        query = query.where(OutcomeComment.hidden.is_(False))
    return list(db.session.scalars(query))


def published_outcome_of_idea(idea) -> Outcome | None:
    return db.session.scalar(
        select(Outcome).join(Project, Project.id == Outcome.project_id)
        .where(Project.idea_id == idea.id, Outcome.published_at.is_not(None)))


def project_in(project_id: int, community) -> Project | None:
    project = db.session.get(Project, project_id, options=[joinedload(Project.idea)])
    if project is None or project.community_id != community.id:
        return None
    return project


def photo_of(outcome: Outcome, photo_id: int) -> OutcomePhoto | None:
    return next((p for p in outcome.photos if p.id == photo_id), None)


def comment_of(outcome: Outcome, comment_id: int) -> OutcomeComment | None:
    comment = db.session.get(OutcomeComment, comment_id)
    return comment if comment is not None and comment.outcome_id == outcome.id else None
