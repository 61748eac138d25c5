"""Following ideas, and the notifications that follow from comments and stage moves.

People follow an idea without asking when they hand it in, support it or comment on
it; a Follow row with active=False remembers that someone turned it off, so taking part
again does not bring it back. The receivers below run inside the transaction of the
comment or the move, so a notification exists exactly when its event does.
"""
from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from proposals.models import Idea, IdeaSupport
from proposals.moves import idea_moved
from proposals.projects.signals import milestone_changed, outcome_published

from . import notifications
from .models import Comment, Follow, Thread
from .services import comment_posted


def _candidates(idea):
    """Everyone who follows without asking, plus those who asked."""
    return union(
        select(Follow.user_id.label("user_id"))
        .where(Follow.idea_id == idea.id, Follow.active.is_(True)),
        select(Idea.author_id).where(Idea.id == idea.id),
        select(IdeaSupport.user_id).where(IdeaSupport.idea_id == idea.id),
        select(Comment.author_id).join(Thread, Comment.thread_id == Thread.id)
        .where(Thread.idea_id == idea.id),
    ).subquery()


def _followers_query(idea, user_id: int | None = None):
    candidates = _candidates(idea)
    turned_off = select(Follow.user_id).where(Follow.idea_id == idea.id,
                                              Follow.active.is_(False))
    query = select(candidates.c.user_id).where(candidates.c.user_id.not_in(turned_off))
    if user_id is not None:
        query = query.where(candidates.c.user_id == user_id)
    return query


def followers(idea) -> set[int]:
    """Ids of the people who hear about this idea, in one query."""
    return set(db.session.scalars(_followers_query(idea)))


def is_following(user, idea) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(_followers_query(idea, user.id).limit(1)) is not None


def set_following(user, idea, on: bool) -> bool:
    """Record the person's choice; an explicit row always beats automatic following."""
    row = db.session.scalar(select(Follow).where(Follow.user_id == user.id,
                                                 Follow.idea_id == idea.id))
    if row is None:
        try:
            # A double click on PostgreSQL can race past the check; the unique key wins.
            with db.session.begin_nested():
                db.session.add(Follow(user_id=user.id, idea_id=idea.id, active=on))
            return on
        except IntegrityError:
            row = db.session.scalar(select(Follow).where(Follow.user_id == user.id,
                                                         Follow.idea_id == idea.id))
    row.active = on
    return on


def _reply_targets(comment: Comment, replied_to: Comment | None) -> set[int]:
    """Replies hang under the top-level comment: its author and the author of the reply
    that was answered both hear of them."""
    if comment.parent_id is None:
        return set()
    top_author = db.session.scalar(select(Comment.author_id)
                                   .where(Comment.id == comment.parent_id))
    answered = getattr(replied_to, "author_id", None)
    return {top_author, answered} - {comment.author_id, None}


def on_comment(comment: Comment, replied_to: Comment | None = None, **_extra) -> None:
    """A reply tells whom it answers; everyone else following the idea hears of a comment.

    Each person gets one notification per comment (a reply outranks a comment), and the
    writer none. Free topics have no followers: only replies are announced there.
    """
    thread = comment.thread
    targets = _reply_targets(comment, replied_to)
    topic_title = "" if thread.idea_id else thread.title
    notifications.notify(targets, "reply", idea_id=thread.idea_id, comment_id=comment.id,
                         actor_id=comment.author_id, detail=topic_title)
    if thread.idea_id is None:
        return
    others = followers(thread.idea or db.session.get(Idea, thread.idea_id))
    notifications.notify(others - targets - {comment.author_id}, "comment",
                         idea_id=thread.idea_id, comment_id=comment.id,
                         actor_id=comment.author_id)


def on_move(idea, change=None, **_extra) -> None:
    """Followers hear of every stage an idea reaches, except from their own move. Done
    because its outcome was published is told once, by the outcome's notification."""
    if change is None or change.cause_type == "outcome":
        return
    notifications.notify(followers(idea) - {change.actor_id}, "stage", idea_id=idea.id,
                         actor_id=change.actor_id, detail=change.to_stage)


def on_milestone(milestone, actor=None, event: str = "added", **_extra) -> None:
    """A milestone added, or its status changed: the idea's followers hear of it, except
    the staff member who did it."""
    idea = milestone.project.idea
    actor_id = getattr(actor, "id", None)
    notifications.notify(followers(idea) - {actor_id}, "milestone", idea_id=idea.id,
                         actor_id=actor_id,
                         detail=notifications.milestone_detail(
                             "status" if event == "status" else "added", milestone.status,
                             milestone.title))


def on_outcome(outcome, actor=None, **_extra) -> None:
    """The 金钥匙 page is published: the idea's followers hear of it, once."""
    idea = outcome.project.idea
    actor_id = getattr(actor, "id", None)
    notifications.notify(followers(idea) - {actor_id}, "outcome", idea_id=idea.id,
                         actor_id=actor_id, detail=outcome.title)


comment_posted.connect(on_comment)
idea_moved.connect(on_move)
milestone_changed.connect(on_milestone)
outcome_published.connect(on_outcome)
