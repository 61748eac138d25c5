"""Meetings, their agenda, attendance, speakers, motions and votes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.money import Fen
from app.timeutil import UTCDateTime, utcnow

STATUSES = ("scheduled", "live", "closed")
ITEM_KINDS = ("idea", "topic", "free")
SPEAKER_STATES = ("waiting", "speaking", "done", "withdrawn")
VOTE_CHOICES = ("for", "against", "abstain")
# One set of words for the phones' buttons, the console and the screen's chart.
VOTE_LABELS = {"for": _l("In favour"), "against": _l("Against"), "abstain": _l("Abstain")}
# Stage moves a motion may carry: the stage table lets a passed motion plan an idea.
MOTION_MOVES = ("planned",)


def channel_for(meeting_id: int) -> str:
    """The meeting's live channel, named from its id alone so a poll needs no lookup."""
    return f"meeting:{meeting_id}"


class Meeting(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(120), default="")
    starts_at = mapped_column(UTCDateTime, nullable=False, index=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    # Rules of debate (南塘规则 defaults), configurable per meeting.
    turn_seconds: Mapped[int] = mapped_column(Integer, default=120)
    max_turns: Mapped[int] = mapped_column(Integer, default=2)
    alternate: Mapped[bool] = mapped_column(Boolean, default=True)
    chair_votes: Mapped[bool] = mapped_column(Boolean, default=False)
    # The projector link's secret; rotating it retires the old address.
    screen_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Keys the 30-second join codes; rotated with the screen token.
    join_secret: Mapped[str] = mapped_column(String(64))
    # Not a foreign key: items point at their meeting, and a cycle would complicate deletes.
    current_item_id: Mapped[int | None] = mapped_column(Integer)
    started_at = mapped_column(UTCDateTime, nullable=True)
    ended_at = mapped_column(UTCDateTime, nullable=True)
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_published_at = mapped_column(UTCDateTime, nullable=True)
    minutes_published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    community = relationship("Community")
    chair = relationship("User", foreign_keys=[chair_id])
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan")
    council: Mapped[list["Councillor"]] = relationship(
        back_populates="meeting", order_by="Councillor.user_id", cascade="all, delete-orphan")
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", order_by="Attendance.id", cascade="all, delete-orphan")
    motions: Mapped[list["Motion"]] = relationship(
        back_populates="meeting", order_by="Motion.id", cascade="all, delete-orphan")

    @property
    def channel(self) -> str:
        return channel_for(self.id)

    @property
    def current_item(self) -> "AgendaItem | None":
        return next((i for i in self.items if i.id == self.current_item_id), None)

    @property
    def minutes_published(self) -> bool:
        return self.minutes_published_at is not None


class Councillor(db.Model):
    """A council member invited to the meeting; `present` is what the chair confirmed."""

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_at = mapped_column(UTCDateTime, nullable=True)

    meeting: Mapped[Meeting] = relationship(back_populates="council")
    user = relationship("User")


class Attendance(db.Model):
    """Someone in the room: signed in by scanning the screen's code, or marked by the chair
    (by account, or by name for a resident without a phone)."""

    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(60), default="")
    how: Mapped[str] = mapped_column(String(10), default="qr")  # qr | chair
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    user = relationship("User")

    @property
    def display_name(self) -> str:
        return self.user.display_name if self.user is not None else self.name


class AgendaItem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10), default="free")
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"))
    # For a free item; an idea or topic item shows its own title.
    title: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    started_at = mapped_column(UTCDateTime, nullable=True)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    idea = relationship("Idea")
    thread = relationship("Thread")
    speakers: Mapped[list["Speaker"]] = relationship(
        back_populates="item", order_by="Speaker.id", cascade="all, delete-orphan")

    @property
    def display_title(self) -> str:
        if self.idea is not None:
            return self.idea.title
        if self.thread is not None:
            return self.thread.title
        return self.title


class Speaker(db.Model):
    """One request to speak on an item, and the turn that follows it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(60), default="")  # added by the chair by name
    stance: Mapped[str] = mapped_column(String(10))  # deliberation.models.STANCES
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    requested_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    started_at = mapped_column(UTCDateTime, nullable=True)
    ended_at = mapped_column(UTCDateTime, nullable=True)
    # The timer: time spoken before the current run, and when the current run began
    # (None while paused). The remaining time is computed from these, never stored.
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    running_since = mapped_column(UTCDateTime, nullable=True)

    item: Mapped[AgendaItem] = relationship(back_populates="speakers")
    user = relationship("User")

    @property
    def display_name(self) -> str:
        return self.user.display_name if self.user is not None else self.name

    @property
    def person_key(self) -> str:
        from .rules import person_key
        # Before a flush only the relationship may be set.
        uid = self.user_id if self.user_id is not None else getattr(self.user, "id", None)
        return person_key(uid, self.name)


class Motion(db.Model):
    cause_kind = "motion"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    question: Mapped[str] = mapped_column(Text)
    move_to: Mapped[str] = mapped_column(String(20), default="")
    cost_fen: Mapped[int | None] = mapped_column(Fen)
    responsible: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    # Snapshot when put: the quorum is judged against these.
    council_total: Mapped[int] = mapped_column(Integer, default=0)
    council_present: Mapped[int] = mapped_column(Integer, default=0)
    # The recorded result: from the phones' votes, or the hands the chair counted.
    counted_by_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # What became of the stage move (made, or why not).
    move_note: Mapped[str] = mapped_column(String(300), default="")
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    opened_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    closed_at = mapped_column(UTCDateTime, nullable=True)

    meeting: Mapped[Meeting] = relationship(back_populates="motions")
    item = relationship("AgendaItem")
    votes: Mapped[list["MotionVote"]] = relationship(
        back_populates="motion", cascade="all, delete-orphan")

    def cause_label(self) -> str:
        return f"{self.meeting.title}: {self.question}"


class MotionVote(db.Model):
    """A council member's vote from a phone; one per member, changeable until closed."""

    motion_id: Mapped[int] = mapped_column(
        ForeignKey("motion.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(10))
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    motion: Mapped[Motion] = relationship(back_populates="votes")
