"""The rules of a meeting that need no database: the speaker queue, the timer, the
quorum and the count of a motion, and the screen's changing join code.

Defaults follow 罗伯特议事规则 as adapted by 南塘规则 for neighbourhood councils: a turn
is 2 minutes, a person speaks at most twice on an item, nobody speaks a second time
while someone who has not spoken yet is waiting, and when both sides are waiting the
floor alternates between 支持 and 反对. Each meeting may change these.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from flask_babel import gettext as _

JOIN_WINDOW_SECONDS = 30
# A code shown on the screen is accepted in its own window and the next one: long
# enough to scan at a window's end, too short for a photo sent to someone at home.
JOIN_WINDOWS_ACCEPTED = 2
OPPOSITE = {"support": "oppose", "oppose": "support"}


def person_key(user_id: int | None, name: str = "") -> str:
    """Who a request to speak is from: an account, or a name the chair typed."""
    if user_id is not None:
        return f"u{user_id}"
    return "n:" + "".join(name.split()).casefold()


@dataclass(frozen=True)
class Turn:
    """What the queue rules read of a speaker row (a model or a test double)."""

    id: int
    key: str
    stance: str
    state: str  # waiting | speaking | done | withdrawn
    order: float  # when the hand went up (any increasing number)


def turns_taken(history: Iterable[Turn], key: str) -> int:
    return sum(1 for t in history if t.key == key and t.state in ("speaking", "done"))


def why_not_raise(turns: Sequence[Turn], key: str, max_turns: int) -> str | None:
    """Why this person may not raise a hand on this item now, or None."""
    if any(t.key == key and t.state in ("waiting", "speaking") for t in turns):
        return _("This person is already in the queue for this item.")
    if turns_taken(turns, key) >= max_turns:
        return _("This person has had %(n)d turns on this item, the most allowed.",
                 n=max_turns)
    return None


def last_side(turns: Sequence[Turn]) -> str | None:
    """The stance of the last 支持 or 反对 speaker on the item (补充 does not count)."""
    spoken = [t for t in turns if t.state in ("speaking", "done") and t.stance in OPPOSITE]
    return spoken[-1].stance if spoken else None


def queue_order(turns: Sequence[Turn], *, alternate: bool = True) -> list[Turn]:
    """The waiting speakers in the order they will be called.

    First turns before second turns, then by when the hand went up. With `alternate`,
    when both sides are waiting the floor goes to the side opposite the last speaker
    of a side, among those with as few turns as the next in line (Robert's rule: nobody
    speaks twice while someone who has not spoken waits); 补充 speakers keep their
    place in time."""
    waiting = [t for t in turns if t.state == "waiting"]
    taken = {t.key: turns_taken(turns, t.key) for t in waiting}
    waiting.sort(key=lambda t: (taken[t.key], t.order, t.id))
    if not alternate:
        return waiting
    ordered: list[Turn] = []
    side = last_side(turns)
    while waiting:
        pick = waiting[0]
        if side is not None and pick.stance == side:
            # Alternating never lets a second turn pass someone still waiting for a first.
            other = next((t for t in waiting if t.stance == OPPOSITE[side]
                          and taken[t.key] == taken[pick.key]), None)
            pick = other or pick
        ordered.append(pick)
        waiting.remove(pick)
        if pick.stance in OPPOSITE:
            side = pick.stance
    return ordered


def next_turn(turns: Sequence[Turn], *, alternate: bool = True) -> Turn | None:
    order = queue_order(turns, alternate=alternate)
    return order[0] if order else None


# --- the timer ----------------------------------------------------------------------

def spoken_ms(elapsed_ms: int, running_since: datetime | None, now: datetime) -> int:
    if running_since is None:
        return elapsed_ms
    return elapsed_ms + max(0, int((now - running_since).total_seconds() * 1000))


def remaining_ms(turn_seconds: int, elapsed_ms: int, running_since: datetime | None,
                 now: datetime) -> int:
    """Milliseconds left in the turn; negative once the speaker runs over."""
    return turn_seconds * 1000 - spoken_ms(elapsed_ms, running_since, now)


def timer_phase(remaining: int) -> str:
    """How the countdown looks: normal, amber in the last 30 s, red at 0."""
    if remaining <= 0:
        return "over"
    return "ending" if remaining <= 30_000 else "normal"


# --- motions ------------------------------------------------------------------------

def has_quorum(council_total: int, present: int) -> bool:
    """More than half of the meeting's council members are present."""
    return council_total > 0 and present * 2 > council_total


def passes(votes_for: int, votes_against: int) -> bool:
    """支持 more than 反对; a tie fails; 弃权 is not counted."""
    return votes_for > votes_against


def why_not_counts(votes_for: int, votes_against: int, votes_abstain: int,
                   voters: int) -> str | None:
    """Counted hands must fit the members who may vote."""
    counts = (votes_for, votes_against, votes_abstain)
    if any(n < 0 for n in counts):
        return _("Counts cannot be negative.")
    if sum(counts) > voters:
        return _("%(n)d hands were counted but only %(m)d members present may vote.",
                 n=sum(counts), m=voters)
    return None


# --- the join code ------------------------------------------------------------------

def join_window(now: datetime) -> int:
    return int(now.timestamp()) // JOIN_WINDOW_SECONDS


def join_code(secret: str, meeting_id: int, window: int) -> str:
    digest = hmac.new(secret.encode(), f"{meeting_id}:{window}".encode(),
                      hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def join_code_valid(secret: str, meeting_id: int, code: str, now: datetime) -> bool:
    window = join_window(now)
    return any(hmac.compare_digest(join_code(secret, meeting_id, window - k), code.lower())
               for k in range(JOIN_WINDOWS_ACCEPTED))
