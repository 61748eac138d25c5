"""Ideas, their photos, supports, costings and the public timeline of stage changes."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.money import Fen
from app.timeutil import UTCDateTime, utcnow

CATEGORIES = ("safety", "environment", "facilities", "culture", "children", "elderly",
              "parking", "other")
FUNDING_KINDS = ("round_budget", "subsidy", "partner", "maintenance_fund", "residents")


class Idea(db.Model):
    # The idea list: a community's ideas, newest first, a page at a time.
    __table_args__ = (db.Index("ix_idea_community_created", "community_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    place: Mapped[str] = mapped_column(String(100), default="")
    estimated_cost_fen: Mapped[int | None] = mapped_column(Fen)
    # Work on common parts (加装电梯, a corner turned into parking) needs an owners' decision.
    changes_common_parts: Mapped[bool] = mapped_column(Boolean, default=False)
    stage: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"))
    # 小朋友的金点子: handed in by a guardian for their child. The mark stays when the
    # child's profile is deleted; the link to the profile does not.
    by_child: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    child_id: Mapped[int | None] = mapped_column(
        ForeignKey("child_profile.id", ondelete="SET NULL"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)

    community = relationship("Community")
    author = relationship("User")
    building = relationship("Building")
    merged_into = relationship("Idea", remote_side=[id])
    photos: Mapped[list["IdeaPhoto"]] = relationship(
        back_populates="idea", order_by="IdeaPhoto.position", cascade="all, delete-orphan"
    )
    timeline: Mapped[list["StageChange"]] = relationship(
        back_populates="idea", order_by="StageChange.id", cascade="all, delete-orphan"
    )
    costing: Mapped["Costing | None"] = relationship(
        back_populates="idea", cascade="all, delete-orphan", uselist=False
    )

    @property
    def needs_owners_decision(self) -> bool:
        spends_fund = self.costing is not None and self.costing.spends_maintenance_fund
        return self.changes_common_parts or spends_fund


class IdeaPhoto(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), index=True)
    filename: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)

    idea: Mapped[Idea] = relationship(back_populates="photos")


class IdeaSupport(db.Model):
    """我也支持: one per verified resident and idea."""

    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class StageChange(db.Model):
    """One entry of an idea's public timeline: who moved it, when, why, and what caused it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    cause_type: Mapped[str] = mapped_column(String(20), default="")
    cause_id: Mapped[int | None] = mapped_column()
    cause_label: Mapped[str] = mapped_column(String(200), default="")
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    idea: Mapped[Idea] = relationship(back_populates="timeline")
    actor = relationship("User")


class Costing(db.Model):
    """What a planned idea costs, who is responsible, and where the money comes from."""

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), unique=True)
    amount_fen: Mapped[int] = mapped_column(Fen)
    responsible: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    idea: Mapped[Idea] = relationship(back_populates="costing")
    sources: Mapped[list["FundingSource"]] = relationship(
        back_populates="costing", order_by="FundingSource.id", cascade="all, delete-orphan"
    )

    @property
    def spends_maintenance_fund(self) -> bool:
        return any(s.kind == "maintenance_fund" and s.amount_fen > 0 for s in self.sources)


class FundingSource(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    costing_id: Mapped[int] = mapped_column(ForeignKey("costing.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(Fen)
    note: Mapped[str] = mapped_column(String(200), default="")

    costing: Mapped[Costing] = relationship(back_populates="sources")
