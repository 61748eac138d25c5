"""长辈模式 (elder mode): large text, big controls, strong contrast and a short navigation
with only what a resident comes for (ideas, votes, notices, outcomes).

It is remembered per device in a cookie and, for someone signed in, on their account, so
it follows them: signing in with it set turns it on for that device too. The cookie
decides; without one, the account does. The page's <html> carries class `elder` and
static/css/elder.css does the rest; templates/base.html switches the navigation.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, has_request_context, redirect, request, url_for
from flask_login import current_user, user_logged_in

from .access import access
from .extensions import db
from .i18n import safe_next

COOKIE = "elder"
ON, OFF = "1", "0"
MAX_AGE = 365 * 24 * 3600
_TURN_ON_AT_LOGIN = "_elder_on_at_login"

bp = Blueprint("elder", __name__)


def is_on() -> bool:
    chosen = request.cookies.get(COOKIE)
    if chosen in (ON, OFF):
        return chosen == ON
    return bool(current_user.is_authenticated and current_user.elder_mode)


def back_here() -> str:
    """Where the switch returns to: this page, or for a page shown in answer to a POST
    (a form with its errors), the page the form was on."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    try:
        parts = urlsplit(request.referrer or "")
    except ValueError:  # a malformed Referer ("http://[x")
        return "/"
    if parts.netloc != request.host:
        return "/"
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def remember(response, on: bool) -> None:
    # Lax: a link from a WeChat group opens in the mode this phone chose. Only the server
    # reads it (HttpOnly); SecureCookieResponse adds Secure over HTTPS.
    response.set_cookie(COOKIE, ON if on else OFF, max_age=MAX_AGE, samesite="Lax",
                        httponly=True)


@bp.route("/elder-mode", methods=["GET", "POST"])
@access("public")
def switch():
    """The header's toggle: `on` says which way (1 or 0); without it, it flips.

    Signed out, the switch is a GET form that sets only this device's cookie, like the
    language links: an anonymous page then draws no form token and app/pagecache.py can
    keep it. Signed in, it is a POST (with its CSRF token) that stores the choice on the
    account too."""
    posted = request.method == "POST"
    values = request.form if posted else request.args
    wanted = values.get("on")
    on = wanted == ON if wanted in (ON, OFF) else not is_on()
    if posted and current_user.is_authenticated and current_user.elder_mode != on:
        current_user.elder_mode = on
        db.session.commit()
    response = redirect(safe_next(values.get("next"), url_for("site.index")), code=303)
    remember(response, on)
    return response


@bp.app_context_processor
def _context():
    if not has_request_context():  # a poster or e-mail rendered by a command
        return {"elder": False, "elder_next": "/"}
    return {"elder": is_on(), "elder_next": back_here()}


@user_logged_in.connect
def _signed_in(_app, user=None, **_extra):
    if user is not None and user.elder_mode:
        g.setdefault(_TURN_ON_AT_LOGIN, True)


@bp.after_app_request
def _turn_on_after_login(response):
    if g.pop(_TURN_ON_AT_LOGIN, False):
        remember(response, True)
    return response
