"""The owners' register and owners' decisions (业主表决), in their own tables.

`Owner` is a line of the register (one person, a co-owning household, or the developer
for all its unsold units); `RegisterUnit` says which owner holds each unit now. A
decision copies the register in its scope when it is made (`DecisionUnit`), so a later
import never changes the totals it is counted against.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, \
    UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

from .rule import CHOICES, MATTERS  # noqa: F401  (the vocabulary of these tables)

CHANNELS = ("online", "sheet")


class Owner(db.Model):
    __table_args__ = (UniqueConstraint("community_id", "register_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    register_id: Mapped[str] = mapped_column(String(100))  # the spreadsheet's owner_id
    display_name: Mapped[str] = mapped_column(String(100), default="")
    is_developer: Mapped[bool] = mapped_column(Boolean, default=False)
    # The verified account that votes online for this owner, linked by staff.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    linked_at = mapped_column(UTCDateTime, nullable=True)

    community = relationship("Community")
    user = relationship("User", foreign_keys=[user_id])
    units: Mapped[list["RegisterUnit"]] = relationship(back_populates="owner")


class RegisterUnit(db.Model):
    """Who owns a unit now: exactly one register line per unit (co-owners share it)."""

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"),
                                         primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)

    unit = relationship("Unit")
    owner: Mapped[Owner] = relationship(back_populates="units")


decision_building = Table(
    "decision_building", db.metadata,
    Column("decision_id", ForeignKey("owners_decision.id", ondelete="CASCADE"),
           primary_key=True),
    Column("building_id", ForeignKey("building.id", ondelete="CASCADE"), primary_key=True),
)


class OwnersDecision(db.Model):
    cause_kind = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"), index=True)
    matter: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")  # what is put to the owners
    opens_at = mapped_column(UTCDateTime, nullable=False)
    closes_at = mapped_column(UTCDateTime, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Set when staff apply the final result to the idea (or record it without one).
    applied_at = mapped_column(UTCDateTime, nullable=True)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    result: Mapped[str] = mapped_column(String(12), default="")  # final result, once applied

    community = relationship("Community")
    idea = relationship("Idea")
    buildings = relationship("Building", secondary=decision_building, order_by="Building.name")
    units: Mapped[list["DecisionUnit"]] = relationship(
        back_populates="decision", cascade="all, delete-orphan")

    @property
    def passed(self) -> bool:
        return self.result == "passed"

    def cause_label(self) -> str:
        return self.title


class DecisionUnit(db.Model):
    """The register in scope, frozen when the decision was made."""

    __table_args__ = (UniqueConstraint("decision_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("owners_decision.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    area_centi: Mapped[int] = mapped_column(Integer)

    decision: Mapped[OwnersDecision] = relationship(back_populates="units")
    owner = relationship("Owner")
    unit = relationship("Unit")


class OwnerVote(db.Model):
    """One owner's choice through one channel: at most one online and one on a sheet.
    Both with different choices is a conflict until staff resolve it."""

    __table_args__ = (UniqueConstraint("decision_id", "owner_id", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("owners_decision.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    choice: Mapped[str] = mapped_column(String(10))
    sheet_ref: Mapped[str] = mapped_column(String(100), default="")
    sheet_signed_on = mapped_column(UTCDateTime, nullable=True)  # the date on the sheet
    scan_filename: Mapped[str] = mapped_column(String(80), default="")
    cast_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # voter or staff
    cast_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    owner = relationship("Owner")
    cast_by = relationship("User")


class ConflictResolution(db.Model):
    """Staff's decision on an owner whose online vote and sheet disagree."""

    __table_args__ = (UniqueConstraint("decision_id", "owner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("owners_decision.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"))
    choice: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    resolved_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
