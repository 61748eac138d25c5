"""Outcome pages (金钥匙), their before/after photos, satisfaction votes and comments.

The idea's debate thread is locked once it is done; the outcome's short comments are a
thread of their own, kept here so the deliberation rules (stances, replies) stay apart.
"""
from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, \
    UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

PHOTO_KINDS = ("before", "after")
SCORES = (1, 2, 3, 4, 5)  # 很不满意 … 很满意, drawn as five faces


class Outcome(db.Model):
    cause_kind = "outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")  # what was done
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    published_at = mapped_column(UTCDateTime, nullable=True, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    community = relationship("Community")
    project = relationship("Project")
    photos: Mapped[list["OutcomePhoto"]] = relationship(
        back_populates="outcome", order_by="OutcomePhoto.kind.desc(), OutcomePhoto.position",
        cascade="all, delete-orphan")

    @property
    def published(self) -> bool:
        return self.published_at is not None

    def cause_label(self) -> str:
        return self.title


class OutcomePhoto(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # before, after
    filename: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    outcome: Mapped[Outcome] = relationship(back_populates="photos")


class SatisfactionVote(db.Model):
    """One per verified resident and outcome; changing one's mind replaces the score."""

    __table_args__ = (UniqueConstraint("outcome_id", "user_id"),
                      CheckConstraint("score BETWEEN 1 AND 5", name="satisfaction_score"))
    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class OutcomeComment(db.Model):
    __table_args__ = (UniqueConstraint("author_id", "once_key", name="uq_outcome_comment_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # by a moderator
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    once_key: Mapped[str | None] = mapped_column(String(32))  # app/once.py

    author = relationship("User")
