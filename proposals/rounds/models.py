"""Budget rounds (预算轮次): the round, its ideas, who took part, and the secret ballots.

Secrecy is in the shape of the tables: `Participation` says who took part and how (online,
paper, imported); `Ballot` and `BallotChoice` say what was chosen and nothing about whom.
A ballot's id is random and it carries no time, so neither insertion order nor a clock
links it to a participation. The only link is `token`, held on both sides so the voter can
revise; it is never shown to staff or exported, and adoption erases it.
"""
from __future__ import annotations

import secrets

from sqlalchemy import (Boolean, Column, ForeignKey, Integer, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.money import Fen
from app.timeutil import UTCDateTime, utcnow

BALLOT_KINDS = ("knapsack", "approval")  # what the site's ballot page offers
IMPORTED_KINDS = ("approval", "cumulative", "ordinal", "choose-1")  # from .pb files
RULE_NAMES = ("greedy", "equal-shares")
UNITS = ("person", "household")
CHANNELS = ("online", "paper", "import")
STATES = ("upcoming", "open", "closed", "adopted")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_ballot_id() -> str:
    return secrets.token_hex(16)


round_building = Table(
    "round_building", db.metadata,
    Column("round_id", ForeignKey("round.id", ondelete="CASCADE"), primary_key=True),
    Column("building_id", ForeignKey("building.id", ondelete="CASCADE"), primary_key=True),
)


class Round(db.Model):
    cause_kind = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    budget_fen: Mapped[int] = mapped_column(Fen)
    opens_at = mapped_column(UTCDateTime, nullable=False)
    closes_at = mapped_column(UTCDateTime, nullable=False)
    unit: Mapped[str] = mapped_column(String(10), default="person")
    ballot_kind: Mapped[str] = mapped_column(String(12), default="knapsack")
    max_choices: Mapped[int | None] = mapped_column(Integer)  # k of "approval with a limit"
    min_choices: Mapped[int | None] = mapped_column(Integer)
    max_sum_cost_fen: Mapped[int | None] = mapped_column(Fen)
    rule: Mapped[str] = mapped_column(String(20), default="greedy")
    threshold: Mapped[int | None] = mapped_column(Integer)  # greedy: at least N votes
    # Add1 step of equal shares in fen: one whole yuan (or one of an imported currency).
    share_step: Mapped[int] = mapped_column(Integer, default=100)
    paper_needs_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    # The .pb META of an imported round, kept as JSON for export; "" for the site's own.
    pb_meta_json: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    adopted_at = mapped_column(UTCDateTime, nullable=True)
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    community = relationship("Community")
    buildings = relationship("Building", secondary=round_building, order_by="Building.name")
    entries: Mapped[list["RoundEntry"]] = relationship(
        back_populates="round", order_by="RoundEntry.position, RoundEntry.id",
        cascade="all, delete-orphan")

    def state_at(self, now) -> str:
        if self.adopted_at is not None:
            return "adopted"
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"

    @property
    def state(self) -> str:
        return self.state_at(utcnow())

    # What the stage table reads of a round (proposals.needs).
    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def adopted(self) -> bool:
        return self.adopted_at is not None

    @property
    def winners(self) -> list[int]:
        return [e.idea_id for e in self.entries if e.won]

    def cause_label(self) -> str:
        return self.title


class RoundEntry(db.Model):
    """An idea on a round's ballot, with its cost as it stood when added."""

    __table_args__ = (UniqueConstraint("round_id", "idea_id"),
                      UniqueConstraint("round_id", "project_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), index=True)
    # The project id of the .pb format: the idea id as text, or an imported file's own.
    project_id: Mapped[str] = mapped_column(String(64))
    cost_fen: Mapped[int] = mapped_column(Fen)
    position: Mapped[int] = mapped_column(Integer, default=0)
    won: Mapped[bool | None] = mapped_column(Boolean)  # set at adoption
    # Columns of an imported project beyond id and cost, as JSON, for export.
    pb_fields_json: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="entries")
    idea = relationship("Idea")


class Participation(db.Model):
    """Who took part in a round, once: the unique key is what stops double counting."""

    __table_args__ = (UniqueConstraint("round_id", "voter_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    # "u<user id>" per person, "h<unit id>" per household, "pb:<voter_id>" imported.
    voter_key: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    channel: Mapped[str] = mapped_column(String(10))
    paper_ref: Mapped[str] = mapped_column(String(40), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at = mapped_column(UTCDateTime, nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    round = relationship("Round")
    user = relationship("User", foreign_keys=[user_id])
    unit = relationship("Unit")
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])

    @property
    def pending(self) -> bool:
        """A paper ballot waiting for a second member of staff to confirm it."""
        return self.channel == "paper" and self.round.paper_needs_confirmation \
            and self.confirmed_at is None


class Ballot(db.Model):
    """What one participant chose. No time, no person: see the module docstring."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_ballot_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    counted: Mapped[bool] = mapped_column(Boolean, default=True)
    # The voter_id of an imported (already public) file, kept for export; never ours.
    pb_voter_id: Mapped[str | None] = mapped_column(String(80))

    choices: Mapped[list["BallotChoice"]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan", passive_deletes=True)


class BallotChoice(db.Model):
    # No surrogate key: an autoincrement id would record the order of voting.
    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"),
                                           primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("round_entry.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    # 1 for approval; points (cumulative) or max_length - rank (ordinal) when imported.
    weight: Mapped[int] = mapped_column(Integer, default=1)
    rank: Mapped[int | None] = mapped_column(Integer)  # ordinal files: 0 = first choice

    ballot: Mapped[Ballot] = relationship(back_populates="choices")


class Tally(db.Model):
    """A count of a closed round under one rule, done in the background when it is big."""

    __table_args__ = (UniqueConstraint("round_id", "rule", "threshold_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    rule: Mapped[str] = mapped_column(String(20))
    threshold_key: Mapped[int] = mapped_column(Integer, default=0)  # 0 = no threshold
    status: Mapped[str] = mapped_column(String(10), default="queued")  # running/done/failed
    progress: Mapped[str] = mapped_column(String(100), default="")
    selected_json: Mapped[str] = mapped_column(Text, default="")
    seconds: Mapped[float | None] = mapped_column()
    error: Mapped[str] = mapped_column(Text, default="")
    ballots_counted: Mapped[int] = mapped_column(Integer, default=0)
    started_at = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at = mapped_column(UTCDateTime, nullable=True)
    finished_at = mapped_column(UTCDateTime, nullable=True)
