"""The in-app notification centre: write notifications, count, list and mark them read.

Notifications are written by the receivers in `follows` inside the event's own
transaction; e-mail is not sent (the issue makes it optional). A notification names its
idea and keeps a short `detail`; what it leads to (a project, an outcome page) is looked
up from the idea when the list is shown.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.timeutil import utcnow
from proposals.models import Idea
from proposals.outcomes.models import Outcome
from proposals.projects.models import Project

from .models import Comment, Notification, Thread

PER_PAGE = 30
KINDS = ("reply", "comment", "stage", "milestone", "outcome")
MILESTONE_EVENTS = ("added", "status")


def notify(user_ids, kind: str, *, idea_id=None, comment_id=None, actor_id=None,
           detail: str = "") -> None:
    """Add one notification per person; the caller's transaction commits them."""
    assert kind in KINDS, kind
    db.session.add_all(Notification(user_id=uid, kind=kind, idea_id=idea_id,
                                    comment_id=comment_id, actor_id=actor_id,
                                    detail=(detail or "")[:200])
                       for uid in sorted(u for u in user_ids if u is not None))


def milestone_detail(event: str, status: str, title: str) -> str:
    """What a milestone notification keeps: "added|status", the status, then the title."""
    return f"{event}:{status}:{title}"[:200]


def read_milestone_detail(detail: str) -> tuple[str, str, str]:
    """(event, status, title) back from `milestone_detail`; anything else is its title."""
    event, _sep, rest = (detail or "").partition(":")
    status, _sep2, title = rest.partition(":")
    if event not in MILESTONE_EVENTS or not _sep2:
        return "added", "", detail or ""
    return event, status, title


def unread_count(user) -> int:
    """One COUNT query: the bell in every page header asks for it."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def current_unread() -> int:
    return unread_count(current_user)


@dataclass
class Page:
    items: list[Notification]
    total: int
    page: int
    pages: int
    # Threads of notifications without an idea (free topics), by comment id.
    topic_threads: dict[int, Thread]
    # For milestone and outcome notifications: idea id -> (project id, published outcome id)
    links: dict[int, tuple[int, int | None]]


def topic_threads(items) -> dict[int, Thread]:
    """One query for the threads of replies on free topics, which have no idea to link."""
    ids = [n.comment_id for n in items if n.idea_id is None and n.comment_id is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Comment.id, Thread).join(Thread, Comment.thread_id == Thread.id)
        .options(joinedload(Thread.community)).where(Comment.id.in_(ids)))
    return dict(rows.all())


def project_links(items) -> dict[int, tuple[int, int | None]]:
    """One query for the projects (and published outcomes) that milestone and outcome
    notifications lead to, by idea id."""
    ids = {n.idea_id for n in items if n.kind in ("milestone", "outcome") and n.idea_id}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Project.idea_id, Project.id, Outcome.id)
        .outerjoin(Outcome, (Outcome.project_id == Project.id)
                   & Outcome.published_at.is_not(None))
        .where(Project.idea_id.in_(ids)))
    return {idea_id: (project_id, outcome_id) for idea_id, project_id, outcome_id in rows}


def page_for(user, page: int = 1) -> Page:
    """Newest first, with the idea, its community and the actor loaded alongside."""
    mine = Notification.user_id == user.id
    total = db.session.scalar(select(func.count(Notification.id)).where(mine)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    items = db.session.scalars(
        select(Notification).where(mine)
        .options(joinedload(Notification.idea).joinedload(Idea.community),
                 joinedload(Notification.actor))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Page(items=items, total=total, page=page, pages=pages,
                topic_threads=topic_threads(items), links=project_links(items))


def owned(user, notification_id: int) -> Notification | None:
    """The notification if it is this person's; nobody else's is even acknowledged."""
    n = db.session.get(Notification, notification_id)
    return n if n is not None and n.user_id == user.id else None


def mark_read(notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(user) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount
