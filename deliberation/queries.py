"""Reading a thread in a fixed number of queries, whatever its length."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db

from .models import STANCES, Comment, Reaction, Thread, ThreadSummary


@dataclass
class CommentView:
    comment: Comment
    agrees: int = 0
    agreed: bool = False
    replies: list["CommentView"] = field(default_factory=list)


@dataclass
class ThreadView:
    thread: Thread
    by_stance: dict[str, list[CommentView]]
    total: int
    summary: ThreadSummary | None

    def count(self, stance: str) -> int:
        return len(self.by_stance.get(stance, []))


def latest_summary(thread: Thread) -> ThreadSummary | None:
    return db.session.scalar(select(ThreadSummary).options(joinedload(ThreadSummary.author))
                             .where(ThreadSummary.thread_id == thread.id)
                             .order_by(ThreadSummary.version.desc()).limit(1))


def _reaction_counts(thread: Thread) -> dict[int, int]:
    rows = db.session.execute(
        select(Reaction.comment_id, func.count(Reaction.id)).join(Comment)
        .where(Comment.thread_id == thread.id).group_by(Reaction.comment_id))
    return dict(rows.all())


def _mine(thread: Thread, user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(select(Reaction.comment_id).join(Comment).where(
        Comment.thread_id == thread.id, Reaction.user_id == user.id)))


def thread_view(thread: Thread, user) -> ThreadView:
    if thread.id is None:  # nobody has written yet
        return ThreadView(thread, {s: [] for s in STANCES}, 0, None)
    comments = db.session.scalars(
        select(Comment).options(joinedload(Comment.author), joinedload(Comment.hidden_by))
        .where(Comment.thread_id == thread.id).order_by(Comment.created_at, Comment.id)).all()
    counts, mine = _reaction_counts(thread), _mine(thread, user)
    views = {c.id: CommentView(c, counts.get(c.id, 0), c.id in mine) for c in comments}
    by_stance: dict[str, list[CommentView]] = defaultdict(list)
    for c in comments:
        if c.parent_id is None:
            by_stance[c.stance or "suggest"].append(views[c.id])
        elif c.parent_id in views:
            views[c.parent_id].replies.append(views[c.id])
    return ThreadView(thread, {s: by_stance.get(s, []) for s in STANCES}, len(comments),
                      latest_summary(thread))
