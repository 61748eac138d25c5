"""议事小结: the summary of a debate, written by council members, the chair or staff.

Every save is a new version; nothing is overwritten, so anyone can see how the summary
changed and who changed it. A locked thread still takes summaries: the summary is where
the outcome of the debate is recorded.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import audit, permissions
from app.extensions import db

from . import live, queries
from .models import Thread, ThreadSummary
from .services import DeliberationError

MAX_LENGTH = 10000


class SummaryConflict(DeliberationError):
    """Someone saved a newer version than the one the writer started from."""

    def __init__(self, newest: int):
        super().__init__(_("Someone saved a newer version (version %(n)d) while you were "
                           "writing. Read it, then save your text again.", n=newest))
        self.newest = newest


def may_write(user, community) -> bool:
    """Council members, the chair, staff and admins (the moderators)."""
    return permissions.is_moderator(user, community)


def latest(thread: Thread) -> ThreadSummary | None:
    return queries.latest_summary(thread) if thread.id is not None else None


def versions(thread: Thread) -> list[ThreadSummary]:
    """All versions, newest first."""
    if thread.id is None:
        return []
    return list(db.session.scalars(
        select(ThreadSummary).options(joinedload(ThreadSummary.author))
        .where(ThreadSummary.thread_id == thread.id).order_by(ThreadSummary.version.desc())))


def _check_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise DeliberationError(_("Please write the summary first."))
    if len(body) > MAX_LENGTH:
        raise DeliberationError(_("A summary may have at most %(n)d characters.", n=MAX_LENGTH))
    return body


def _lock(thread: Thread) -> int:
    """The newest version number, with the thread row locked on PostgreSQL so that two
    moderators saving at once get versions n+1 and n+2 rather than a clash.
    (SQLite needs no lock: a write transaction there holds the whole database.)"""
    db.session.execute(select(Thread.id).where(Thread.id == thread.id).with_for_update())
    return db.session.scalar(select(func.max(ThreadSummary.version))
                             .where(ThreadSummary.thread_id == thread.id)) or 0


def write(thread: Thread, author, body: str, based_on: int | None = None) -> ThreadSummary:
    """Save a new version (call inside a write transaction, with a saved thread).

    `based_on` is the version the writer started from: if someone saved a newer one in
    the meantime, the save is refused so that nobody replaces words they have not read.
    """
    if not may_write(author, thread.community):
        raise DeliberationError(_("Council members, the chair and staff write the summary."))
    body = _check_body(body)
    newest = _lock(thread)
    if based_on is not None and based_on != newest:
        raise SummaryConflict(newest)
    summary = ThreadSummary(thread_id=thread.id, version=newest + 1, body=body,
                            author_id=author.id)
    db.session.add(summary)
    db.session.flush()
    audit.record("summary.write", actor=author, community=thread.community, target=summary,
                 thread_id=thread.id, idea_id=thread.idea_id, version=summary.version)
    live.publish(live.thread_channel(thread))
    return summary
