"""The public meeting pages and what residents do from their phones: the list of
meetings, a meeting's page with its live part (the item, the floor, the queue, the open
motion), raising and lowering a hand, voting on a motion, signing in by the screen's
code, and the published minutes.

The live part (`_phone.html`, `id="meeting-live"`) is polled every second, like the live
thread (see deliberation/live_views.py): 204 while the meeting's channel version is the
one the phone shows, the whole fragment once it moved. The buttons post with htmx and get
the same fragment back (422 with the refusal when a rule says no); without JavaScript
they are plain forms answered with a redirect and a flash.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask import abort, current_app, flash, g, make_response, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import HiddenField, StringField

from app import permissions
from app.access import access
from app.database import write_transaction
from app.extensions import db, htmx
from app.forms import Form
from app.rendering import render
from app.timeutil import utcnow
from deliberation import live
from deliberation.forms import STANCE_LABELS
from proposals.stages import STAGE_LABELS

from . import board as boards, rules, services
from .blueprint import bp
from .loading import get_meeting, load_whole
from .models import VOTE_LABELS, Meeting, channel_for

STATUS_LABELS = {"live": _l("In session"), "scheduled": _l("Upcoming"), "closed": _l("Past")}
# Scanning, walking to a seat and finding the button takes a while: the pass the join
# page hands out outlives the 30-second code it was opened with.
JOIN_PASS_SECONDS = 600
# Links for the chair and staff; a link shows once its view exists (helpers write them).
MANAGE_LINKS = (("meetings.console", _l("Console"), "chair"),
                ("meetings.agenda", _l("Agenda"), "prepare"),
                ("meetings.edit", _l("Edit"), "prepare"),
                ("meetings.minutes_edit", _l("Write the minutes"), "prepare"))


class HandForm(Form):
    stance = StringField()  # the three buttons are named `stance`; services check it


class VoteForm(Form):
    choice = StringField()  # the three buttons are named `choice`; services check it


class JoinForm(Form):
    ticket = HiddenField()  # the signed pass from the join page



def clock(ms: int) -> str:
    """Remaining time as the countdown shows it: mm:ss, or −mm:ss once over."""
    if ms > 0:
        return "%02d:%02d" % divmod(math.ceil(ms / 1000), 60)
    over = -ms // 1000
    return ("−%02d:%02d" if over else "%02d:%02d") % divmod(over, 60)


# --- who is looking -------------------------------------------------------------------

@dataclass
class Me:
    """What the signed-in person may do on the phone right now."""

    signed_in: bool = False
    member: bool = False
    in_room: bool = False
    place: int | None = None  # their place in the queue while waiting, from 1
    speaking: bool = False
    turns_used_up: bool = False
    voter: bool = False
    choice: str | None = None


def me_in(meeting: Meeting, b: boards.Board) -> Me:
    user = current_user
    if not user.is_authenticated:
        return Me()
    me = Me(signed_in=True, member=permissions.is_member(user, meeting.community),
            in_room=services.is_in_room(meeting, user))
    me.place = next((n for n, s in enumerate(b.queue, 1) if s.user_id == user.id), None)
    me.speaking = b.speaker is not None and b.speaker.user_id == user.id
    if b.item is not None:
        taken = sum(1 for s in b.item.speakers
                    if s.user_id == user.id and s.state in ("speaking", "done"))
        me.turns_used_up = taken >= meeting.max_turns
    if b.motion is not None:
        me.voter = any(c.user_id == user.id for c in services.voters(meeting))
        me.choice = next((v.choice for v in b.motion.votes if v.user_id == user.id), None)
    return me


def manage_links(meeting: Meeting) -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    chair = services.is_chair(meeting, current_user)
    prepare = services.may_prepare(meeting, current_user)
    allowed = {"chair": chair, "prepare": prepare}
    return [(str(label), url_for(endpoint, meeting_id=meeting.id))
            for endpoint, label, who in MANAGE_LINKS
            if allowed[who] and (endpoint != "meetings.minutes_edit" or meeting.status == "closed")]


# --- rendering ------------------------------------------------------------------------


def phone_context(meeting: Meeting, version: str, error: str = "") -> dict:
    b = boards.board(meeting)
    return dict(meeting=meeting, b=b, me=me_in(meeting, b), version=version, error=error,
                stance_labels=STANCE_LABELS, vote_labels=VOTE_LABELS,
                stage_labels=STAGE_LABELS, clock=clock)


def _fragment(meeting_id: int, error: str = "", status: int = 200,
              version: str | None = None):
    # The version before the rows: the phone may show more than its version says (and
    # fetches once more), never less.
    if version is None:
        version = str(live.version(channel_for(meeting_id)))
    meeting = load_whole(meeting_id)
    response = render("meetings/_phone.html", status=status,
                      **phone_context(meeting, version, error))
    response.headers["Cache-Control"] = "no-store"
    return response


def _back(meeting_id: int):
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id), code=303)


def _act(meeting_id: int, change, done: str = ""):
    """Make one change for the person on the phone, then answer htmx with the fresh
    fragment (422 and the reason when refused), a plain form with a redirect."""
    try:
        with write_transaction():
            change(get_meeting(meeting_id))
    except services.MeetingRefused as refused:
        if htmx:
            return _fragment(meeting_id, refused.message, status=422)
        flash(refused.message, "error")
        return _back(meeting_id)
    if htmx:
        return _fragment(meeting_id)
    if done:
        flash(done, "success")
    return _back(meeting_id)


# --- pages ----------------------------------------------------------------------------

@bp.get("/")
@access("public")
def index():
    meetings = db.session.scalars(
        select(Meeting).options(selectinload(Meeting.items), joinedload(Meeting.chair))
        .where(Meeting.community_id == g.community.id)
        .order_by(Meeting.starts_at, Meeting.id)).unique().all()
    groups = {status: [m for m in meetings if m.status == status]
              for status in ("live", "scheduled", "closed")}
    groups["closed"].reverse()  # the latest past meeting first
    is_staff = permissions.is_staff(current_user, g.community)
    return render("meetings/index.html", groups=groups, status_labels=STATUS_LABELS,
                  links={m.id: manage_links(m) for m in meetings},
                  new_url=url_for("meetings.new") if is_staff else None)


@bp.get("/<int:meeting_id>")
@access("public")
def meeting(meeting_id: int):
    version = str(live.version(channel_for(meeting_id)))
    found = load_whole(meeting_id)
    return render("meetings/meeting.html", links=manage_links(found),
                  **phone_context(found, version))


@bp.get("/<int:meeting_id>/live")
@access("public")
def phone_live(meeting_id: int):
    current = str(live.version(channel_for(meeting_id)))
    if request.args.get("v") == current:
        response = make_response("", 204)
        response.headers["Cache-Control"] = "no-store"
        return response
    return _fragment(meeting_id, version=current)


@bp.post("/<int:meeting_id>/hand")
@access("member")
def raise_hand(meeting_id: int):
    stance = (HandForm().stance.data or "").strip()
    return _act(meeting_id, lambda m: services.raise_hand(m, current_user, stance),
                _("Your hand is up: wait for the chair to give you the floor."))


@bp.post("/<int:meeting_id>/hand/lower")
@access("member")
def lower_hand(meeting_id: int):
    return _act(meeting_id, lambda m: services.lower_hand(m, current_user),
                _("Your hand is down."))


@bp.post("/<int:meeting_id>/vote")
@access("member")
def vote(meeting_id: int):
    choice = (VoteForm().choice.data or "").strip()
    return _act(meeting_id, lambda m: services.cast_vote(m, current_user, choice),
                _("Your vote is counted. You may change it until the chair closes the vote."))


# --- signing in by the screen's code ----------------------------------------------------

def _passes() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="meeting-join")


def _pass_ok(ticket: str, meeting: Meeting) -> bool:
    """The join page's pass is for this meeting and this person, and not too old."""
    try:
        data = _passes().loads(ticket or "", max_age=JOIN_PASS_SECONDS)
    except BadSignature:  # also SignatureExpired
        return False
    return isinstance(data, dict) and data.get("m") == meeting.id \
        and data.get("u") == current_user.id


def _code_ok(meeting: Meeting, join_code: str) -> bool:
    # hmac.compare_digest refuses non-ASCII text: such a code is simply wrong.
    if not join_code.isascii() or len(join_code) > 64:
        return False
    return rules.join_code_valid(meeting.join_secret, meeting.id, join_code, utcnow())


def _join_page(meeting: Meeting, state: str, join_code: str, status: int = 200,
               ticket: str = "", login_url: str = ""):
    return render("meetings/join.html", status=status, meeting=meeting, state=state,
                  join_code=join_code, ticket=ticket, login_url=login_url)


def _scan_ok(meeting: Meeting) -> bool:
    """A scan made before logging in: the code was valid then (see `join`)."""
    try:
        data = _passes().loads(request.args.get("scan", ""), max_age=JOIN_PASS_SECONDS)
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("m") == meeting.id and "u" not in data


@bp.get("/<int:meeting_id>/join/<join_code>")
@access("public")
def join(meeting_id: int, join_code: str):
    found = get_meeting(meeting_id)
    if found.status == "closed":
        return _join_page(found, "ended", join_code)
    valid = _code_ok(found, join_code) or _scan_ok(found)
    if not current_user.is_authenticated:
        # Logging in takes longer than a code lives: the scan itself is remembered, for
        # this link only, so the phone comes back ready to sign in.
        scan = _passes().dumps({"m": found.id}) if valid else None
        back = url_for("meetings.join", meeting_id=found.id, join_code=join_code, scan=scan)
        return _join_page(found, "login" if valid else "changed", join_code,
                          login_url=url_for("accounts.login", next=back))
    if not permissions.is_member(current_user, g.community):
        abort(403)
    if services.attendance_of(found, current_user) is not None:
        return _join_page(found, "already", join_code)
    if not valid:
        return _join_page(found, "changed", join_code)
    ticket = _passes().dumps({"m": found.id, "u": current_user.id})
    return _join_page(found, "ready", join_code, ticket=ticket)


@bp.post("/<int:meeting_id>/join/<join_code>")
@access("member")
def join_post(meeting_id: int, join_code: str):
    found = get_meeting(meeting_id)
    if not (_pass_ok(JoinForm().ticket.data, found) or _code_ok(found, join_code)):
        return _join_page(found, "expired", join_code, status=400)
    try:
        with write_transaction():
            new = services.sign_in(get_meeting(meeting_id), current_user, "qr")
    except services.MeetingRefused as refused:
        flash(refused.message, "error")
        return _back(meeting_id)
    flash(_("You are signed in.") if new else _("You were already signed in."), "success")
    return _back(meeting_id)


# --- minutes ----------------------------------------------------------------------------

@bp.get("/<int:meeting_id>/minutes")
@access("public")
def minutes(meeting_id: int):
    found = get_meeting(meeting_id)
    if not found.minutes_published:
        abort(404)
    return render("meetings/minutes.html", meeting=found)
