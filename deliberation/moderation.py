"""Moderation: residents flag comments, moderators hide, restore or dismiss, all audited.

A hidden comment keeps its words in the database (so it can be restored and the
moderators can see what they hid); readers see a tombstone with the moderator's reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import distinct, func, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import audit, permissions
from app.extensions import db
from app.timeutil import utcnow

from . import live
from .models import Comment, Flag, Thread
from .services import DeliberationError

MAX_REASON = 500
# The queue shows every open case and this many already handled ones.
HANDLED_SHOWN = 50


def may_flag(user, comment: Comment) -> bool:
    """Members of the community, not the author: outsiders would only add noise."""
    return (permissions.is_member(user, comment.thread.community)
            and getattr(user, "id", None) != comment.author_id)


def may_moderate(user, community) -> bool:
    return permissions.is_moderator(user, community)


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DeliberationError(_("Please give a reason."))
    if len(reason) > MAX_REASON:
        raise DeliberationError(_("A reason may have at most %(n)d characters.", n=MAX_REASON))
    return reason


def _check_moderator(user, comment: Comment) -> None:
    if not may_moderate(user, comment.thread.community):
        raise DeliberationError(_("Only moderators of this community can do this."))


def _changed(action: str, comment: Comment, actor, **detail) -> None:
    """Every moderation step is audited and shown to readers of the thread at once."""
    audit.record(action, actor=actor, community=comment.thread.community, target=comment,
                 thread_id=comment.thread_id, idea_id=comment.thread.idea_id, **detail)
    live.publish(live.thread_channel(comment.thread))


def flag(comment: Comment, user, reason: str) -> Flag:
    """One flag per person and comment: a second one is refused, not counted twice."""
    if not may_flag(user, comment):
        raise DeliberationError(_("Members of this community can report comments of others."))
    if comment.is_tombstone:
        raise DeliberationError(_("This comment is no longer shown."))
    reason = _check_reason(reason)
    already = _("You have already reported this comment.")
    if db.session.scalar(select(Flag.id).where(Flag.comment_id == comment.id,
                                               Flag.user_id == user.id)) is not None:
        raise DeliberationError(already)
    try:
        with db.session.begin_nested():
            report = Flag(comment_id=comment.id, user_id=user.id, reason=reason)
            db.session.add(report)
    except IntegrityError:  # the same person, twice at once
        raise DeliberationError(already) from None
    _changed("comment.flag", comment, user, reason=reason)
    return report


def _resolve_open_flags(comment: Comment, moderator) -> int:
    result = db.session.execute(
        update(Flag).where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=moderator.id)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def hide(comment: Comment, moderator, reason: str) -> Comment:
    """Replace the comment by a tombstone with the reason; its open flags are settled."""
    _check_moderator(moderator, comment)
    reason = _check_reason(reason)
    if comment.hidden_at is not None:
        raise DeliberationError(_("This comment is already hidden."))
    if comment.deleted_at is not None:
        raise DeliberationError(_("The author already deleted this comment."))
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = utcnow(), moderator.id, reason
    settled = _resolve_open_flags(comment, moderator)
    _changed("comment.hide", comment, moderator, reason=reason, flags_resolved=settled)
    return comment


def restore(comment: Comment, moderator) -> Comment:
    _check_moderator(moderator, comment)
    if comment.hidden_at is None:
        raise DeliberationError(_("This comment is not hidden."))
    reason = comment.hidden_reason
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = None, None, ""
    _changed("comment.restore", comment, moderator, hidden_reason=reason)
    return comment


def dismiss(comment: Comment, moderator) -> int:
    """The comment stays as it is; its open flags are marked as looked at."""
    _check_moderator(moderator, comment)
    settled = _resolve_open_flags(comment, moderator)
    if not settled:
        raise DeliberationError(_("There are no open reports on this comment."))
    _changed("comment.dismiss", comment, moderator, flags_resolved=settled)
    return settled


@dataclass
class Case:
    """A comment in the queue with every report on it, open ones first."""

    comment: Comment
    flags: list[Flag] = field(default_factory=list)

    @property
    def open_flags(self) -> list[Flag]:
        return [f for f in self.flags if f.resolved_at is None]


@dataclass
class Queue:
    open: list[Case]
    handled: list[Case]


def _comments(where, order, limit=None) -> list[Comment]:
    query = (select(Comment).join(Thread, Comment.thread_id == Thread.id)
             .options(joinedload(Comment.author), joinedload(Comment.hidden_by),
                      joinedload(Comment.thread).joinedload(Thread.idea))
             .where(*where).order_by(*order))
    return list(db.session.scalars(query.limit(limit) if limit else query))


def queue(community) -> Queue:
    """Open cases, oldest report first; then recently handled ones (hidden, or dismissed).

    A fixed number of queries, whatever the size of the queue."""
    open_ids = select(Flag.comment_id).where(Flag.resolved_at.is_(None))
    first_open = (select(Flag.created_at).where(Flag.comment_id == Comment.id,
                                                Flag.resolved_at.is_(None))
                  .order_by(Flag.created_at).limit(1).scalar_subquery())
    in_community = Thread.community_id == community.id
    opened = _comments([in_community, Comment.id.in_(open_ids)], [first_open, Comment.id])
    last_settled = (select(func.max(Flag.resolved_at)).where(Flag.comment_id == Comment.id)
                    .scalar_subquery())
    # Flagged or hidden, as one id list: each part is read by its index (an OR of the
    # two would read every comment of the site).
    dealt_with = union(select(Flag.comment_id),
                       select(Comment.id).where(Comment.hidden_at.is_not(None)))
    handled = _comments(
        [in_community, Comment.id.not_in(open_ids), Comment.id.in_(dealt_with)],
        [func.coalesce(Comment.hidden_at, last_settled).desc(), Comment.id.desc()],
        HANDLED_SHOWN)
    cases = {c.id: Case(c) for c in opened + handled}
    if cases:
        flags = db.session.scalars(
            select(Flag).options(joinedload(Flag.user)).where(Flag.comment_id.in_(cases))
            .order_by(Flag.resolved_at.is_not(None), Flag.created_at, Flag.id))
        for f in flags:
            cases[f.comment_id].flags.append(f)
    return Queue([cases[c.id] for c in opened], [cases[c.id] for c in handled])


def open_count(community) -> int:
    """For a badge next to the link to the queue."""
    return db.session.scalar(
        select(func.count(distinct(Flag.comment_id))).join(Comment)
        .join(Thread, Comment.thread_id == Thread.id)
        .where(Thread.community_id == community.id, Flag.resolved_at.is_(None))) or 0
