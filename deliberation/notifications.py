"""The in-app notification centre: write notifications, count, list and mark them read.

Notifications are written by the receivers in `follows` inside the event's own
transaction; e-mail is not sent (the issue makes it optional).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.timeutil import utcnow
from proposals.models import Idea

from .models import Comment, Notification, Thread

PER_PAGE = 30
KINDS = ("reply", "comment", "stage")


def notify(user_ids, kind: str, *, idea_id=None, comment_id=None, actor_id=None,
           detail: str = "") -> None:
    """Add one notification per person; the caller's transaction commits them."""
    assert kind in KINDS, kind
    db.session.add_all(Notification(user_id=uid, kind=kind, idea_id=idea_id,
                                    comment_id=comment_id, actor_id=actor_id,
                                    detail=(detail or "")[:200])
                       for uid in sorted(u for u in user_ids if u is not None))


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


def topic_threads(items) -> dict[int, Thread]:
    """One query for the threads of replies on free topics, which have no idea to link."""
    ids = [n.comment_id for n in items if n.idea_id is None and n.comment_id is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Comment.id, Thread).join(Thread, Comment.thread_id == Thread.id)
        .options(joinedload(Thread.community)).where(Comment.id.in_(ids)))
    return dict(rows.all())


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
                topic_threads=topic_threads(items))


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
