"""Writing in threads: comments with stances, replies, edits, deletion, 有道理 reactions."""
from __future__ import annotations

from datetime import timedelta

from blinker import signal
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import once, permissions
from app.extensions import db
from app.timeutil import utcnow
from proposals.stages import EXIT_STAGES

from . import live
from .models import STANCES, Comment, Reaction, Thread
from .text import MAX_LENGTH

EDIT_WINDOW = timedelta(minutes=15)
LOCKING_STAGES = EXIT_STAGES | {"done"}

# Sent after a comment or reply is written; notifications listen.
comment_posted = signal("comment-posted")


class DeliberationError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def find_thread(idea) -> Thread:
    """The idea's thread; an unsaved empty one if nobody has written yet (reads never write)."""
    thread = db.session.scalar(select(Thread).where(Thread.idea_id == idea.id))
    if thread is None:
        thread = Thread(community_id=idea.community_id, idea_id=idea.id)
        thread.idea, thread.community = idea, idea.community
    return thread


def thread_for_idea(idea) -> Thread:
    """The idea's thread, made on the first comment (call inside a write transaction).

    Two first comments at once on PostgreSQL both find no thread; the unique idea_id
    lets one make it and the other use it."""
    thread = _idea_thread(idea)
    if thread is not None:
        return thread
    try:
        with db.session.begin_nested():
            thread = Thread(community_id=idea.community_id, idea_id=idea.id)
            db.session.add(thread)
            db.session.flush()
        return thread
    except IntegrityError:
        return _idea_thread(idea)


def _idea_thread(idea) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.idea_id == idea.id))


def is_locked(thread: Thread) -> bool:
    return thread.idea is not None and thread.idea.stage in LOCKING_STAGES


def may_comment(user, thread: Thread) -> bool:
    return permissions.is_verified_resident(user, thread.community) and not is_locked(thread)


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DeliberationError(_("Please write something first."))
    if len(body) > MAX_LENGTH:
        raise DeliberationError(_("A comment may have at most %(n)d characters.", n=MAX_LENGTH))
    return body


def _check_may_write(user, thread: Thread) -> None:
    if is_locked(thread):
        raise DeliberationError(_("This discussion is closed: the idea has left deliberation."))
    if not permissions.is_verified_resident(user, thread.community):
        raise DeliberationError(_("Only verified residents of this community can take part."))


def _written(comment: Comment, replied_to: Comment | None = None) -> Comment:
    db.session.add(comment)
    db.session.flush()
    live.publish(live.thread_channel(comment.thread))
    comment_posted.send(comment, replied_to=replied_to)
    return comment


def post_comment(thread: Thread, author, body: str, stance: str,
                 once_key: str | None = None) -> Comment:
    """`once_key` comes from the form: the same form sent again returns the first comment."""
    _check_may_write(author, thread)
    if stance not in STANCES:
        raise DeliberationError(_("Choose whether you support, oppose or add a suggestion."))
    body = _check_body(body)
    return once.write_once(Comment, author.id, once_key, lambda key: _written(Comment(
        thread=thread, author=author, stance=stance, body=body, once_key=key)))


def reply(parent: Comment, author, body: str, once_key: str | None = None) -> Comment:
    """A reply to a reply joins the same top-level comment: threads stay two levels deep."""
    thread = parent.thread
    _check_may_write(author, thread)
    if parent.is_tombstone:
        raise DeliberationError(_("This comment can no longer be answered."))
    top_id = parent.parent_id or parent.id
    body = _check_body(body)
    return once.write_once(Comment, author.id, once_key, lambda key: _written(Comment(
        thread=thread, parent_id=top_id, author=author, body=body, once_key=key),
        replied_to=parent))


def can_edit(comment: Comment, user, now=None) -> bool:
    now = now or utcnow()
    return (getattr(user, "id", None) == comment.author_id and not comment.is_tombstone
            and not is_locked(comment.thread) and now - comment.created_at <= EDIT_WINDOW)


def edit_comment(comment: Comment, user, body: str) -> Comment:
    if not can_edit(comment, user):
        raise DeliberationError(_("Comments can be edited by their author for 15 minutes."))
    comment.body = _check_body(body)
    comment.edited_at = utcnow()
    live.publish(live.thread_channel(comment.thread))
    return comment


def can_delete(comment: Comment, user) -> bool:
    return getattr(user, "id", None) == comment.author_id and comment.deleted_at is None


def delete_comment(comment: Comment, user) -> Comment:
    """The author's words are removed; a tombstone keeps the replies readable in place."""
    if not can_delete(comment, user):
        raise DeliberationError(_("Only the author can delete a comment."))
    comment.deleted_at = utcnow()
    comment.body = ""
    live.publish(live.thread_channel(comment.thread))
    return comment


def toggle_reaction(comment: Comment, user) -> bool:
    """有道理, or take it back. Returns whether the person now agrees."""
    if comment.is_tombstone or not permissions.is_verified_resident(user, comment.thread.community):
        raise DeliberationError(_("Only verified residents of this community can take part."))
    existing = db.session.scalar(select(Reaction.id).where(
        Reaction.comment_id == comment.id, Reaction.user_id == user.id))
    if existing is not None:
        db.session.execute(delete(Reaction).where(Reaction.id == existing))
        result = False
    else:
        try:
            with db.session.begin_nested():
                db.session.add(Reaction(comment_id=comment.id, user_id=user.id))
        except IntegrityError:
            pass
        result = True
    live.publish(live.thread_channel(comment.thread))
    return result
