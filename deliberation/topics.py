"""Free topics (议题): a thread with its own title, body and author, not (yet) an idea.

Residents open a topic to talk about something that is not a proposal yet (流浪猫, 楼道堆物);
staff may later turn it into an idea, which keeps the thread and all its comments.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import audit, permissions
from app.extensions import db
from proposals.models import CATEGORIES, Idea
from proposals.services import hand_in

from . import live
from .models import Comment, Thread
from .services import DeliberationError
from .text import MAX_LENGTH

TITLE_MAX = 80
BODY_MAX = MAX_LENGTH  # 5000, like a comment
PER_PAGE = 30


@dataclass
class TopicRow:
    thread: Thread
    comments: int
    last_activity: datetime


@dataclass
class TopicPage:
    rows: list[TopicRow]
    page: int
    has_more: bool


def is_topic(thread: Thread | None) -> bool:
    """A free topic, open or already turned into an idea (it keeps its own title)."""
    return thread is not None and (thread.idea_id is None or bool(thread.title))


def find_topic(community, thread_id: int) -> Thread | None:
    thread = db.session.scalar(select(Thread).options(joinedload(Thread.author))
                               .where(Thread.id == thread_id,
                                      Thread.community_id == community.id))
    return thread if is_topic(thread) else None


def topic_page(community, page: int = 1) -> TopicPage:
    """Open topics, newest activity first, with comment counts: one query, any length."""
    page = max(1, page)
    # Counted over this community's topics only (by the comment.thread_id index), not
    # over every comment of the site.
    topics = select(Thread.id).where(Thread.community_id == community.id,
                                     Thread.idea_id.is_(None))
    stats = (select(Comment.thread_id.label("thread_id"), func.count(Comment.id).label("n"),
                    func.max(Comment.created_at).label("last"))
             .where(Comment.thread_id.in_(topics))
             .group_by(Comment.thread_id).subquery())
    last = func.coalesce(stats.c.last, Thread.created_at)
    rows = db.session.execute(
        select(Thread, func.coalesce(stats.c.n, 0), last)
        .outerjoin(stats, stats.c.thread_id == Thread.id)
        .options(joinedload(Thread.author))
        .where(Thread.community_id == community.id, Thread.idea_id.is_(None))
        .order_by(last.desc(), Thread.id.desc())
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    items = [TopicRow(thread, n, when) for thread, n, when in rows]
    return TopicPage(items[:PER_PAGE], page, len(items) > PER_PAGE)


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DeliberationError(_("Give the topic a title."))
    if len(title) > TITLE_MAX:
        raise DeliberationError(_("A title may have at most %(n)d characters.", n=TITLE_MAX))
    if not body:
        raise DeliberationError(_("Please write something first."))
    if len(body) > BODY_MAX:
        raise DeliberationError(_("A topic may have at most %(n)d characters.", n=BODY_MAX))
    return title, body


def start_topic(community, author, title: str, body: str) -> Thread:
    """Open a topic (call inside a write transaction)."""
    if not permissions.is_verified_resident(author, community):
        raise DeliberationError(_("Only verified residents of this community can take part."))
    title, body = _clean(title, body)
    thread = Thread(community_id=community.id, title=title, body=body, author_id=author.id)
    db.session.add(thread)
    db.session.flush()
    return thread


def may_turn_into_idea(user, thread: Thread) -> bool:
    return thread.idea_id is None and permissions.is_staff(user, thread.community)


def turn_into_idea(thread: Thread, staff, category: str) -> Idea:
    """Staff hand the topic in as an idea by its author; the idea keeps the thread.

    The idea starts as `submitted` and is screened like any other. Call inside a write
    transaction; the audit entry names the topic and who turned it.
    """
    if not permissions.is_staff(staff, thread.community):
        raise DeliberationError(_("Only staff can turn a topic into an idea."))
    if thread.idea_id is not None:
        raise DeliberationError(_("This topic is already an idea."))
    if category not in CATEGORIES:
        raise DeliberationError(_("Choose a category."))
    title, body = _clean(thread.title, thread.body)
    idea = hand_in(thread.community, thread.author or staff, title=title, description=body,
                   category=category)
    live.publish(live.thread_channel(thread))  # readers of the topic page see it moved
    thread.idea_id, thread.idea = idea.id, idea
    db.session.flush()
    audit.record("topic.to_idea", actor=staff, community=thread.community, target=idea,
                 thread_id=thread.id, title=title, category=category,
                 author_id=thread.author_id)
    return idea
