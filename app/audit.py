"""The audit log: every action of staff, chairs and admins, readable by staff."""
from __future__ import annotations

import json

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .timeutil import UTCDateTime, utcnow


class AuditEntry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None] = mapped_column()
    detail_json: Mapped[str] = mapped_column(Text, default="{}")

    actor = relationship("User")

    @property
    def detail(self) -> dict:
        return json.loads(self.detail_json or "{}")


def record(action: str, *, actor=None, community=None, target=None, **detail) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        community_id=getattr(community, "id", None),
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        detail_json=json.dumps(detail, ensure_ascii=False, default=str),
    )
    db.session.add(entry)
    return entry
