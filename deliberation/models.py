"""Threads (on an idea, or a free topic), comments with stances, reactions, flags,
summaries, follows, notifications, and the change markers behind live updates."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

STANCES = ("support", "oppose", "suggest")


class Thread(db.Model):
    """The debate on an idea, or a free topic (议题) that may later become an idea."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"), unique=True)
    # For free topics; a thread on an idea takes its title from the idea.
    title: Mapped[str] = mapped_column(String(80), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    community = relationship("Community")
    idea = relationship("Idea")
    author = relationship("User")


class Comment(db.Model):
    __table_args__ = (UniqueConstraint("author_id", "once_key", name="uq_comment_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    # Replies hang under a top-level comment: two levels, no deeper.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    stance: Mapped[str | None] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    edited_at = mapped_column(UTCDateTime, nullable=True)
    deleted_at = mapped_column(UTCDateTime, nullable=True)
    hidden_at = mapped_column(UTCDateTime, nullable=True, index=True)  # moderation queue
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    # The key of the form it came from: the same form sent twice writes once (app/once.py).
    once_key: Mapped[str | None] = mapped_column(String(32))

    thread: Mapped[Thread] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    hidden_by = relationship("User", foreign_keys=[hidden_by_id])

    @property
    def is_tombstone(self) -> bool:
        return self.deleted_at is not None or self.hidden_at is not None


class Reaction(db.Model):
    """有道理: one per person and comment."""

    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Flag(db.Model):
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    resolved_at = mapped_column(UTCDateTime, nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    comment: Mapped[Comment] = relationship()
    user = relationship("User", foreign_keys=[user_id])


class ThreadSummary(db.Model):
    """议事小结: each edit is a new version; the newest is shown above the thread."""

    __table_args__ = (UniqueConstraint("thread_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author = relationship("User")


class Follow(db.Model):
    """Following an idea. `active` False remembers that someone turned it off."""

    __table_args__ = (UniqueConstraint("user_id", "idea_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Notification(db.Model):
    # A person's notifications, newest first, a page at a time.
    __table_args__ = (db.Index("ix_notification_user_created", "user_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # reply, comment, stage
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    detail: Mapped[str] = mapped_column(String(200), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at = mapped_column(UTCDateTime, nullable=True, index=True)

    idea = relationship("Idea")
    actor = relationship("User", foreign_keys=[actor_id])


class ChangeMarker(db.Model):
    """Live updates without Redis: a counter per channel that every worker can read."""

    channel: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
