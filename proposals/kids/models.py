"""The children's part of a budget round (儿童投票), children's profiles and their ballots.

A child profile holds the least a ballot needs: a nickname, an age band, an animal
avatar, and who answers for it (the guardian, or the member of staff who made it with
the guardian's consent on paper). No password, real name, photo, birthday, school or
contact: `tests/test_kids_profiles.py` fails if a column of that kind appears.

Children's ballots live in tables of their own, so nothing that counts the adults'
ballots (results, `pb tally`, `pb export`) can ever see them. Like the adults' ballots,
a children's ballot has a random id and no time; only a guardian-mode ballot names its
child (so the guardian can see it), and deleting the profile takes that name away.
"""
from __future__ import annotations

import secrets

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.money import Fen
from app.timeutil import UTCDateTime, utcnow

AGE_BANDS = ("6-8", "9-11", "12-14")
AVATARS = ("cat", "dog", "rabbit", "panda", "bear", "fox", "duck", "elephant")
MAX_PICKS = 3
# The version of the guardians' notice a consent was given to (templates/kids/notice.html).
NOTICE_VERSION = "2026-12"
BALLOT_CHANNELS = ("kiosk", "card", "guardian")
CODE_KINDS = ("kiosk", "card")


def new_ballot_id() -> str:
    return secrets.token_hex(16)


class ChildProfile(db.Model):
    __tablename__ = "child_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    nickname: Mapped[str] = mapped_column(String(12))
    age_band: Mapped[str] = mapped_column(String(5))
    avatar: Mapped[str] = mapped_column(String(12))
    # The verified resident who answers for the child; None when staff made the profile
    # at the community centre from a guardian's signed paper form.
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_at = mapped_column(UTCDateTime, nullable=False)
    consent_paper_ref: Mapped[str] = mapped_column(String(40), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    community = relationship("Community")
    guardian = relationship("User", foreign_keys=[guardian_id])
    created_by = relationship("User", foreign_keys=[created_by_id])


class ChildrensPart(db.Model):
    """A round's children's part: opt-in per round."""

    __tablename__ = "childrens_part"
    __table_args__ = (CheckConstraint("picks BETWEEN 1 AND 3", name="picks_range"),)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    picks: Mapped[int] = mapped_column(Integer, default=1)
    # The children's favourite gets this small budget of its own when set.
    budget_fen: Mapped[int | None] = mapped_column(Fen)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    round = relationship("Round", backref=db.backref("childrens_part", uselist=False,
                                                      cascade="all, delete-orphan"))


class PictureCard(db.Model):
    """The picture and spoken label a round entry shows on the children's ballot."""

    __tablename__ = "picture_card"
    entry_id: Mapped[int] = mapped_column(ForeignKey("round_entry.id", ondelete="CASCADE"),
                                          primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    # "builtin": `picture` is a key of proposals.kids.pictures; "upload": a file name.
    picture_kind: Mapped[str] = mapped_column(String(8))
    picture: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(16))
    # "builtin" (the picture's own clip, when the label is the picture's), "recorded"
    # (staff in the browser), "spoken" (espeak-ng on the server), "" (none yet).
    clip_kind: Mapped[str] = mapped_column(String(8), default="")
    clip: Mapped[str] = mapped_column(String(80), default="")

    entry = relationship("RoundEntry", backref=db.backref(
        "picture_card", uselist=False, cascade="all, delete-orphan", passive_deletes=True))


class KioskSession(db.Model):
    """A tablet in the community centre, started by staff for one round."""

    __tablename__ = "kiosk_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # of the tablet's cookie
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    started_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    ended_at = mapped_column(UTCDateTime, nullable=True)
    children: Mapped[int] = mapped_column(Integer, default=0)

    round = relationship("Round")
    started_by = relationship("User")


class ChildCode(db.Model):
    """A one-time code: one child's vote. Only its SHA-256 is kept."""

    __tablename__ = "child_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(6))
    kiosk_id: Mapped[int | None] = mapped_column(
        ForeignKey("kiosk_session.id", ondelete="CASCADE"), index=True)
    avatar: Mapped[str] = mapped_column(String(12))  # the animal that cheers this child
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    used_at = mapped_column(UTCDateTime, nullable=True)


class ChildBallot(db.Model):
    """What one child chose. No time; no code; a child only in guardian mode."""

    __tablename__ = "child_ballot"
    __table_args__ = (UniqueConstraint("round_id", "child_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_ballot_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    child_id: Mapped[int | None] = mapped_column(
        ForeignKey("child_profile.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(8))

    choices: Mapped[list["ChildChoice"]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan", passive_deletes=True)


class ChildChoice(db.Model):
    __tablename__ = "child_choice"
    ballot_id: Mapped[str] = mapped_column(ForeignKey("child_ballot.id", ondelete="CASCADE"),
                                           primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("round_entry.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)

    ballot: Mapped[ChildBallot] = relationship(back_populates="choices")
