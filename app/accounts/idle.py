"""Staff and admin sessions end after STAFF_IDLE_MINUTES without a request of their own.

The session cookie carries the time of the person's last own request (`SEEN`, epoch
seconds). Background polling does not move it: static/js/session-timeout.js marks every
htmx `every Ns` request with `X-Background: 1`, so a staff page left open with a live
tally still ends. One exception: the chair's console of a meeting under way polls as its
chair's own requests, so it never times out in the middle of a meeting.

When the time has passed, the next request signs out this session only (the person's
other devices keep theirs) and, unless it is a background request to a public page (a
projector screen, which keeps showing), sends them to log in with a message. Two minutes
before, the page offers one-click "Stay signed in" (WCAG 2.2.1); `remaining` feeds it.

Residents never time out. The stamp is kept for everyone anyway: knowing who is staff
takes a query, which is only paid once a session has been idle long enough to matter.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in, user_logged_out
from sqlalchemy import exists, select

from ..access import rule_of
from ..extensions import db, htmx
from ..i18n import safe_next
from .models import MemberRole, Membership

SEEN = "_seen"
BACKGROUND_HEADER = "X-Background"
WARN_SECONDS = 120  # the warning opens this long before the end
# The stamp is rewritten at most this often, so not every answer sets a cookie.
GRANULARITY = 10
TIMED_ROLES = ("staff", "admin")


def idle_seconds() -> int:
    return current_app.config["SETTINGS"].staff_idle_minutes * 60


def times_out(user) -> bool:
    """Staff or admin of any community, or a site admin: one query at most."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_site_admin:
        return True
    return bool(db.session.scalar(select(exists().where(
        Membership.user_id == user.id, Membership.verified_at.is_not(None),
        MemberRole.membership_id == Membership.id, MemberRole.role.in_(TIMED_ROLES)))))


def is_background() -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "1"


def _chair_console_of_live_meeting() -> bool:
    if request.endpoint != "meetings.console_live":
        return False
    # Imported here: the accounts package sits below the features that use it.
    from deliberation.meetings.models import Meeting
    meeting = db.session.get(Meeting, (request.view_args or {}).get("meeting_id", 0))
    return meeting is not None and meeting.status == "live" and \
        meeting.chair_id == current_user.id


def is_own_request() -> bool:
    return not is_background() or _chair_console_of_live_meeting()


def remaining(now: float | None = None) -> int | None:
    """Seconds this session has left, or None for a session that does not time out."""
    if not times_out(current_user):
        return None
    now = time.time() if now is None else now
    seen = session.get(SEEN, now)
    return max(0, int(idle_seconds() - (now - seen)))


def stamp(now: float | None = None) -> None:
    session[SEEN] = time.time() if now is None else now


def _skipped() -> bool:
    """Static files and health checks are nobody's activity."""
    view = current_app.view_functions.get(request.endpoint or "")
    return view is None or rule_of(view) == "system" or request.endpoint.endswith("static")


def _back_after_login() -> str:
    """The page to return to: this one for a plain GET, else the page the person was on
    (htmx names it in HX-Current-URL; a form's page is its Referer)."""
    if request.method == "GET" and not htmx:
        return request.full_path.rstrip("?")
    try:
        parts = urlsplit(request.headers.get("HX-Current-URL") or request.referrer or "")
    except ValueError:  # a malformed header ("http://[x") is nobody's page
        return ""
    if parts.netloc != request.host:
        return ""
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), "")


def _to_login():
    if request.endpoint == "accounts.login":
        return None  # the login page itself shows, with the message
    login = url_for("accounts.login", next=_back_after_login() or None)
    if htmx:
        # A fragment must not become the login page: the whole page goes there.
        response = make_response("", 204)
        response.headers["HX-Redirect"] = login
        return response
    return redirect(login, code=303 if request.method != "GET" else 302)


def check():
    """Before every request: end a staff session that has been idle too long.

    Reads the session cookie first and loads the person only when the time is up (or for
    the chair's console): a poll every second or two must stay a query or none."""
    if _skipped() or "_user_id" not in session:  # Flask-Login's mark of a signed-in session
        return None
    now = time.time()
    seen = session.get(SEEN)
    if seen is not None and now - seen > idle_seconds() and times_out(current_user):
        logout_user()
        flash(_("You were signed out after %(minutes)d minutes without activity. "
                "Please log in again.", minutes=idle_seconds() // 60), "error")
        view = current_app.view_functions[request.endpoint]
        if is_background() and rule_of(view) == "public":
            return None  # a projector screen goes on showing what anyone may see
        return _to_login()
    if seen is None or (is_own_request() and now - seen >= GRANULARITY):
        stamp(now)
    return None


@user_logged_in.connect
def _logged_in(_app, **_extra):
    stamp()  # a new session starts its clock, whatever an earlier one left behind


@user_logged_out.connect
def _logged_out(_app, **_extra):
    session.pop(SEEN, None)
