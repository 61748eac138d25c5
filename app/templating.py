"""Template globals and filters: money in yuan, areas in m², times in Asia/Shanghai."""
from __future__ import annotations

from decimal import Decimal

from flask import Flask, current_app, g, request
from flask_babel import format_datetime, get_locale

from . import permissions
from .i18n import LANGUAGES, html_lang
from .once import new_key


def yuan(fen: int | None) -> str:
    """Integer fen shown as yuan with two decimals, e.g. 1234567 → '12,345.67'."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def square_metres(centi: int | None) -> str:
    if centi is None:
        return ""
    return f"{Decimal(centi) / 100:.2f}"


def when(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    return format_datetime(value, fmt) if value is not None else ""


def init(app: Flask) -> None:
    app.jinja_env.filters.update(yuan=yuan, m2=square_metres, when=when)
    app.jinja_env.globals.update(perm=permissions, LANGUAGES=LANGUAGES, once_key=new_key)

    @app.context_processor
    def _context():
        locale = str(get_locale() or "zh_Hans")
        return {
            "community": getattr(g, "community", None),
            "current_locale": locale,
            "html_lang": html_lang(locale),
            "current_path": request.full_path.rstrip("?") if request else "/",
            # Absolute links for link previews (Open Graph) and printed QR codes.
            "public_url": current_app.config["SETTINGS"].public_url,
        }
