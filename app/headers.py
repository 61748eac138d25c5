"""Security headers on every answer, and cookies that go only where they should.

Scripts and styles come only from our own static files: no inline code, no `hx-on`, no
`js:` values (tests/test_headers.py reads every template and script for them), and htmx
itself runs without eval (`allowEval: false` in base.html's htmx-config).
"""
from __future__ import annotations

from flask import Flask, Response, has_request_context, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    # A recording staff make of a card's label plays from a blob: URL before it is kept.
    "media-src 'self' blob:",
    "form-action 'self'",
    # No page is meant to be shown inside another site's frame (clickjacking).
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])
HSTS = "max-age=31536000"

_COOKIE_ARGS = ("value", "max_age", "expires", "path", "domain", "secure", "httponly",
                "samesite", "partitioned")


class SecureCookieResponse(Response):
    """Every cookie set over HTTPS is Secure: the session, the remember-me cookie, the
    language and the kiosk's. Whether a request is HTTPS is known per request (behind nginx,
    from X-Forwarded-Proto through ProxyFix), so a fixed setting cannot say it."""

    def set_cookie(self, key, *args, **kwargs):
        kwargs.update(zip(_COOKIE_ARGS, args))
        if has_request_context() and request.is_secure:
            kwargs["secure"] = True
        return super().set_cookie(key, **kwargs)


def init(app: Flask) -> None:
    app.response_class = SecureCookieResponse
    # The session cookie's flags are set in create_app; Flask-Login's remember-me cookie
    # (not used by the login form today) gets the same ones.
    app.config.update(REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax")

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            # Only over HTTPS: sent over plain HTTP it would lock out a site without TLS.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
