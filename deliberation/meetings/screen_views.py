"""The projector screen: `/<id>/screen/<token>`, no login; the token is the secret.

The page is `screen.html` (no site header or navigation) around the fragment
`_screen.html` (#screen-live), which polls `screen_live` every second: 204 while nothing
changed, else the new fragment. Its version is the meeting's live version plus the
30-second join window, so the QR code is redrawn when its code changes even if nothing
else did. The page's htmx configuration swaps nothing on an error or a dropped network:
the room keeps seeing the last good screen, and the next poll (htmx keeps polling) brings
it up to date. Rotating the token (console) makes the old address and its live URL 404.

Also here: the countdown's values (shared with the console) and absolute links built
from PUBLIC_URL, for the QR code and the screen address shown to the chair.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, make_response, request, url_for
from flask_babel import gettext as _

from app.access import access
from app.rendering import render
from app.timeutil import utcnow
from deliberation import live
from deliberation.forms import STANCE_LABELS
from proposals.stages import STAGE_LABELS

from . import board as boards, rules
from .blueprint import bp
from .chart import vote_chart
from .loading import get_meeting, load_whole
from .models import VOTE_LABELS, Meeting
from app.qr import qr_svg

QUEUE_SHOWN = 5  # the next few names; the rest are counted


# --- shared with the console -----------------------------------------------------------

def mmss(remaining_ms: int) -> str:
    """What the countdown shows, as static/js/meeting.js writes it: "01:59", or "−00:12"
    once over. Whole seconds round up while time is left, so 00:00 is the very end."""
    if remaining_ms > 0:
        seconds, sign = -(-remaining_ms // 1000), ""
    else:
        seconds, sign = -remaining_ms // 1000, "−"
    return f"{sign}{seconds // 60:02d}:{seconds % 60:02d}"


@dataclass(frozen=True)
class Countdown:
    """The data attributes meeting.js reads, and the text it would write now."""

    ends_at_ms: int
    now_ms: int
    remaining_ms: int
    running: bool

    @property
    def text(self) -> str:
        return mmss(self.remaining_ms)

    @property
    def phase(self) -> str:
        return rules.timer_phase(self.remaining_ms)


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def countdown(b: boards.Board) -> Countdown | None:
    """The current turn's countdown. While running, the end is fixed by the server's
    start time (not by when this page was drawn), so every screen and phone agrees."""
    s = b.speaker
    if s is None:
        return None
    if b.running:
        ends = _epoch_ms(s.running_since) + b.turn_ms - s.elapsed_ms
        return Countdown(ends, b.now_ms, ends - b.now_ms, True)
    return Countdown(b.now_ms + b.remaining_ms, b.now_ms, b.remaining_ms, False)


def public_link(path: str) -> str:
    """An address for another device (a phone scanning, a projector's browser)."""
    return current_app.config["SETTINGS"].public_url + path


def join_link(meeting: Meeting, now: datetime) -> str:
    code = rules.join_code(meeting.join_secret, meeting.id, rules.join_window(now))
    return public_link(url_for("meetings.join", meeting_id=meeting.id, join_code=code))


def screen_link(meeting: Meeting) -> str:
    return public_link(url_for("meetings.screen", meeting_id=meeting.id,
                               token=meeting.screen_token))


# --- the screen ------------------------------------------------------------------------

def _by_token(meeting_id: int, token: str) -> Meeting:
    meeting = get_meeting(meeting_id)
    if not hmac.compare_digest(meeting.screen_token.encode(), token.encode()):
        abort(404)
    return meeting


def screen_version(meeting: Meeting, now: datetime) -> str:
    return f"{live.version(meeting.channel)}.{rules.join_window(now)}"


def _context(meeting: Meeting, version: str, now: datetime) -> dict:
    b = boards.board(meeting, now)
    link = join_link(meeting, now)
    item = b.item
    idea = item.idea if item is not None else None
    shown = b.motion or (b.last_motion if b.last_motion is not None and item is not None
                         and b.last_motion.item_id == item.id else None)
    return dict(meeting=meeting, b=b, version=version, item=item, idea=idea,
                photo=idea.photos[0] if idea is not None and idea.photos else None,
                countdown=countdown(b), queue=b.queue[:QUEUE_SHOWN],
                queue_more=max(0, len(b.queue) - QUEUE_SHOWN), motion=shown,
                chart=vote_chart(b.counts, voters=b.voters if b.motion else
                                 shown.council_present, id_prefix="screen-chart")
                if shown is not None else None,
                qr=qr_svg(link, label=_("QR code to sign in to this meeting")),
                join_link=link, join_short=link.split("://", 1)[-1],
                stance_labels=STANCE_LABELS, stage_labels=STAGE_LABELS,
                vote_labels=VOTE_LABELS)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:meeting_id>/screen/<token>")
@access("public")
def screen(meeting_id: int, token: str):
    meeting = _by_token(meeting_id, token)
    now = utcnow()
    version = screen_version(meeting, now)
    meeting = load_whole(meeting.id)  # read after the version: never older than it says
    return _no_store(render("meetings/screen.html", **_context(meeting, version, now)))


@bp.get("/<int:meeting_id>/screen/<token>/live")
@access("public")
def screen_live(meeting_id: int, token: str):
    meeting = _by_token(meeting_id, token)
    now = utcnow()
    version = screen_version(meeting, now)
    if request.args.get("v") == version:
        return _no_store(make_response("", 204))
    meeting = load_whole(meeting.id)
    return _no_store(render("meetings/_screen.html", **_context(meeting, version, now)))
