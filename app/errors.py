"""Error pages in both languages, whole or as htmx fragments; a busy database is a 503."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from flask import Flask
from flask_babel import format_time, format_timedelta, gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .database import is_busy_error, set_write_intent
from .extensions import db, htmx, limiter
from .rendering import render

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Not found"), _l("This page does not exist, or it has been removed.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large. Photos may be at most 10 MB each.")),
    422: (_l("Please check your input"), _l("Some of what you entered could not be accepted.")),
    429: (_l("Too many requests"), _l("Too many attempts in a short time. Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. It has been logged; please try again later.")),
    503: (_l("Busy, please try again"), _l("The site is busy right now. Please try again in a moment.")),
}


def error_page(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    response = render("errors/error.html", fragment="errors/_error.html", status=code,
                      code=code, title=title, message=detail or message)
    if htmx:
        # An error must not replace the part of the page htmx was updating: it goes to
        # the alert area every page has.
        response.headers["HX-Retarget"] = "#htmx-errors"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def _retry_message() -> str | None:
    """When to try again, from the limit that was hit (None for a bare 429)."""
    limit = limiter.current_limit
    if limit is None or not limit.breached:
        return None
    wait = max(1, int(limit.reset_at - time.time()) + 1)
    at = datetime.now(timezone.utc) + timedelta(seconds=wait)
    return _("Too many attempts in a short time. Please try again in %(wait)s (at %(time)s).",
             wait=format_timedelta(timedelta(seconds=wait), threshold=1.1),
             time=format_time(at, "HH:mm:ss"))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_page(400, str(_l("Your form expired or was sent from elsewhere. "
                                     "Please reload the page and try again.")))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 429:
            return error_page(429, _retry_message())
        if exc.code in MESSAGES:
            return error_page(exc.code)
        return exc

    @app.errorhandler(OperationalError)
    def _db(exc: OperationalError):
        db.session.rollback()
        # The error page only reads; with WAL a plain BEGIN reads while another writer works.
        set_write_intent(False)
        if is_busy_error(exc):
            return error_page(503)
        app.logger.exception("database error")
        return error_page(500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http(exc)
        db.session.rollback()
        app.logger.exception("unhandled error")
        return error_page(500)
