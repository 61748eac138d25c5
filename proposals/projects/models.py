"""A project is a funded idea being built: planned money by source, what was spent, the
milestones on the way, and who helped. Money is integer fen throughout.

Its status follows the idea's stage (funded, in_progress, done, or not_adopted when
cancelled): there is no second status to drift from the timeline.
"""
from __future__ import annotations

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.money import Fen
from app.timeutil import UTCDateTime, utcnow

# The 三驾马车 and partners: who answers for the work.
RESPONSIBLE_KINDS = ("property", "residents_committee", "owners_committee", "partner")
MILESTONE_STATUSES = ("planned", "in_progress", "done")


class Project(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), unique=True)
    responsible_kind: Mapped[str] = mapped_column(String(24))
    responsible_name: Mapped[str] = mapped_column(String(100))
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent, 0–100
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    community = relationship("Community")
    idea = relationship("Idea")
    partners: Mapped[list["ProjectPartner"]] = relationship(
        back_populates="project", order_by="ProjectPartner.id", cascade="all, delete-orphan")
    funding: Mapped[list["ProjectFunding"]] = relationship(
        back_populates="project", order_by="ProjectFunding.id", cascade="all, delete-orphan")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="project", order_by="Milestone.due_on, Milestone.id",
        cascade="all, delete-orphan")
    spending: Mapped[list["SpendingEntry"]] = relationship(
        back_populates="project", order_by="SpendingEntry.spent_on, SpendingEntry.id",
        cascade="all, delete-orphan")

    @property
    def planned_fen(self) -> int:
        return sum(f.amount_fen for f in self.funding)

    @property
    def spent_fen(self) -> int:
        return sum(e.amount_fen for e in self.spending)

    @property
    def overspent(self) -> bool:
        return self.spent_fen > self.planned_fen


class ProjectPartner(db.Model):
    """A 共建单位 credited on the project, and what it gave (money is in the funding)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    contribution: Mapped[str] = mapped_column(String(200), default="")

    project: Mapped[Project] = relationship(back_populates="partners")


class ProjectFunding(db.Model):
    """Planned money from one source (kinds of `proposals.models.FUNDING_KINDS`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(Fen)
    note: Mapped[str] = mapped_column(String(200), default="")

    project: Mapped[Project] = relationship(back_populates="funding")


class Milestone(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    due_on = mapped_column(Date, nullable=False)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="planned")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    project: Mapped[Project] = relationship(back_populates="milestones")
    photos: Mapped[list["MilestonePhoto"]] = relationship(
        back_populates="milestone", order_by="MilestonePhoto.position",
        cascade="all, delete-orphan")


class MilestonePhoto(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"), index=True)
    filename: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    milestone: Mapped[Milestone] = relationship(back_populates="photos")


class SpendingEntry(db.Model):
    """One line of the ledger. An entry that takes the total above plan carries the
    explanation staff had to give for it.

    The ledger is append-only: a mistaken entry is corrected by a reversal, a negative
    entry that names it in `reverses_id` (unique: an entry is reversed once at most)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    spent_on = mapped_column(Date, nullable=False)
    amount_fen: Mapped[int] = mapped_column(Fen)
    payee: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(200))
    source_kind: Mapped[str] = mapped_column(String(20))  # which funding it draws on
    receipt_filename: Mapped[str] = mapped_column(String(80), default="")
    overspend_reason: Mapped[str] = mapped_column(Text, default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("spending_entry.id"),
                                                    unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    project: Mapped[Project] = relationship(back_populates="spending")
