"""Security headers on every answer. Scripts come only from our own static files."""
from __future__ import annotations

from flask import Flask

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    # A recording staff make of a card's label plays from a blob: URL before it is kept.
    "media-src 'self' blob:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def init(app: Flask) -> None:
    secure = app.config["SETTINGS"].session_cookie_secure

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
