"""What a meeting shows right now, computed once per request for the screen, the chair's
console and the phones alike, so they cannot disagree."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.timeutil import utcnow

from . import rules, services
from .models import Meeting, Motion, Speaker


@dataclass
class Board:
    meeting: Meeting
    now: datetime
    item: object = None
    speaker: Speaker | None = None
    remaining_ms: int = 0
    running: bool = False
    phase: str = "normal"
    queue: list[Speaker] = field(default_factory=list)
    motion: Motion | None = None
    last_motion: Motion | None = None
    counts: dict = field(default_factory=dict)
    voters: int = 0
    council_present: int = 0
    council_total: int = 0
    attendees: int = 0

    @property
    def now_ms(self) -> int:
        return int(self.now.timestamp() * 1000)

    @property
    def ends_at_ms(self) -> int:
        """When the turn ends, in server epoch milliseconds (what the countdown reads)."""
        return self.now_ms + self.remaining_ms

    @property
    def turn_ms(self) -> int:
        return self.meeting.turn_seconds * 1000


def board(meeting: Meeting, now: datetime | None = None) -> Board:
    now = now or utcnow()
    b = Board(meeting=meeting, now=now, item=meeting.current_item,
              council_total=len(meeting.council),
              council_present=sum(1 for c in meeting.council if c.present),
              attendees=len(meeting.attendance), voters=len(services.voters(meeting)))
    b.speaker = services.speaking(meeting)
    if b.speaker is not None:
        s = b.speaker
        b.running = s.running_since is not None
        b.remaining_ms = rules.remaining_ms(meeting.turn_seconds, s.elapsed_ms,
                                            s.running_since, now)
        b.phase = rules.timer_phase(b.remaining_ms)
    b.queue = services.queue(meeting)
    b.motion = services.open_motion(meeting)
    closed = [m for m in meeting.motions if m.status == "closed"]
    b.last_motion = closed[-1] if closed else None
    shown = b.motion or b.last_motion
    if shown is not None:
        b.counts = services.live_counts(shown)
    return b
