"""The audit log: every action of staff, chairs and admins, readable by staff.

Append-only from the application's point of view: the ORM refuses to change or delete an
entry (a flush with one dirty or deleted, or an UPDATE/DELETE statement naming the
table) except inside `rewriting_history()`, which only the demo seeder (dating its
story) and the retention rules of `tick` enter. No route does.

Each entry says who, what, when and from where (the client address, after the trusted
proxies; addresses are personal data: kept ADDRESS_DAYS, then blanked) and, for a
changed row, its fields before and after.
"""
from __future__ import annotations

import contextvars
import json
from contextlib import contextmanager
from datetime import timedelta

from flask import has_request_context, request
from sqlalchemy import ForeignKey, String, Text, delete, event, inspect, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .extensions import db
from .timeutil import UTCDateTime, utcnow

ADDRESS_DAYS = 180  # the client address of an entry is blanked after this long
KEEP_DAYS = 3 * 365  # and the entry itself removed after this long (the privacy notice)

_rewriting = contextvars.ContextVar("audit_rewriting", default=False)


class AuditTampering(RuntimeError):
    """Code tried to change or delete an audit entry outside `rewriting_history()`."""


class AuditEntry(db.Model):
    # The audit log page: a community's newest 200 entries.
    __table_args__ = (db.Index("ix_audit_entry_community_newest", "community_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None] = mapped_column()
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
    address: Mapped[str] = mapped_column(String(45), default="", server_default="")

    actor = relationship("User")

    @property
    def detail(self) -> dict:
        return json.loads(self.detail_json or "{}")


# Never copied into the log: secrets, and anything of a child's profile.
SECRET_WORDS = ("password", "token", "digest", "secret", "hash")
PRIVATE_TABLES = ("child_profile",)


def changes_of(obj) -> dict:
    """{"before": {...}, "after": {...}} of the column attributes changed on `obj` in
    this session (pending changes, before the flush), secrets left out."""
    state = inspect(obj, raiseerr=False)
    if state is None or state.mapper is None or \
            state.mapper.local_table.name in PRIVATE_TABLES:
        return {}
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if any(word in attr.key for word in SECRET_WORDS):
            continue
        history = state.attrs[attr.key].history
        if history.added and (history.deleted or state.persistent):
            before[attr.key] = history.deleted[0] if history.deleted else None
            after[attr.key] = history.added[0]
    return {"before": before, "after": after} if after else {}


def record(action: str, *, actor=None, community=None, target=None, diff_of=None,
           **detail) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits). `diff_of`: a
    row whose pending changes are kept as before/after (the target by default)."""
    source = diff_of if diff_of is not None else target
    diff = changes_of(source) if source is not None else {}
    if diff and "before" not in detail:
        detail.update(diff)
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        community_id=getattr(community, "id", None),
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        detail_json=json.dumps(detail, ensure_ascii=False, default=str),
        address=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    db.session.add(entry)
    return entry


@contextmanager
def rewriting_history():
    """Allow audit entries to be changed: the demo's story and the retention rules."""
    token = _rewriting.set(True)
    try:
        yield
    finally:
        _rewriting.reset(token)


def expire_old(now) -> list[tuple[bool, str]]:
    """`tick`'s retention: blank addresses after ADDRESS_DAYS, remove entries after
    KEEP_DAYS. One transaction; the caller commits."""
    with rewriting_history():
        blanked = db.session.execute(
            update(AuditEntry).where(AuditEntry.at < now - timedelta(days=ADDRESS_DAYS),
                                     AuditEntry.address != "")
            .values(address="").execution_options(synchronize_session=False)).rowcount
        removed = db.session.execute(
            delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=KEEP_DAYS))
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
    lines = []
    if blanked:
        lines.append((True, f"audit: blanked the address of {blanked} entries older than "
                            f"{ADDRESS_DAYS} days"))
    if removed:
        lines.append((True, f"audit: removed {removed} entries older than {KEEP_DAYS} days"))
    return lines


@event.listens_for(Session, "before_flush")
def _append_only(session, _context, _instances):
    if _rewriting.get():
        return
    for obj in session.deleted:
        if isinstance(obj, AuditEntry):
            raise AuditTampering("audit entries cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) and session.is_modified(obj):
            raise AuditTampering("audit entries cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_rewrite(state):
    if _rewriting.get() or not (state.is_update or state.is_delete):
        return
    if any(m.class_ is AuditEntry for m in state.all_mappers):
        raise AuditTampering("audit entries cannot be changed or deleted")
