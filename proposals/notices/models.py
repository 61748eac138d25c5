"""Notices (公示), the ideas each one puts on notice, and residents' objections (异议).

A notice's state follows from its times (open until `closes_at`), never from a flag a
background job flips; `finished_at` records when the due moves to funded were made.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

KINDS = ("round", "plan", "decision")  # what is noticed: a round's result, a plan, a decision


class Notice(db.Model):
    cause_kind = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("owners_decision.id"))
    opens_at = mapped_column(UTCDateTime, nullable=False)
    closes_at = mapped_column(UTCDateTime, nullable=False, index=True)
    # A photo of the notice as posted on the 公告栏 (public, EXIF stripped).
    photo_filename: Mapped[str] = mapped_column(String(80), default="")
    photo_width: Mapped[int] = mapped_column(Integer, default=0)
    photo_height: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    finished_at = mapped_column(UTCDateTime, nullable=True)
    finished_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    community = relationship("Community")
    round = relationship("Round")
    decision = relationship("OwnersDecision")
    created_by = relationship("User", foreign_keys=[created_by_id])
    items: Mapped[list["NoticeIdea"]] = relationship(
        back_populates="notice", order_by="NoticeIdea.id", cascade="all, delete-orphan")
    objections: Mapped[list["Objection"]] = relationship(
        back_populates="notice", order_by="Objection.id", cascade="all, delete-orphan")

    def is_over_at(self, now) -> bool:
        return now >= self.closes_at

    @property
    def is_over(self) -> bool:
        return self.is_over_at(utcnow())

    @property
    def all_answered(self) -> bool:
        return all(o.answered for o in self.objections)

    def cause_label(self) -> str:
        return self.title


class NoticeIdea(db.Model):
    """One idea on a notice; `result` is "" while noticed, then "funded" or "returned"."""

    __table_args__ = (UniqueConstraint("notice_id", "idea_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), index=True)
    result: Mapped[str] = mapped_column(String(12), default="")

    notice: Mapped[Notice] = relationship(back_populates="items")
    idea = relationship("Idea")


class Objection(db.Model):
    cause_kind = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))  # the idea objected to
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    answer: Mapped[str] = mapped_column(Text, default="")
    upheld: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at = mapped_column(UTCDateTime, nullable=True)

    notice: Mapped[Notice] = relationship(back_populates="objections")
    idea = relationship("Idea")
    author = relationship("User", foreign_keys=[author_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def cause_label(self) -> str:
        return self.notice.title
