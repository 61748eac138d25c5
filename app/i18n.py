"""Language: the visitor's choice (remembered in a cookie), else Accept-Language, else zh-Hans."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, has_request_context, redirect, request

from .access import access

LANGUAGES = {"zh_Hans": "中文", "en": "English"}
DEFAULT = "zh_Hans"
COOKIE = "lang"

bp = Blueprint("i18n", __name__)


def _from_accept_language() -> str | None:
    for value, _q in request.accept_languages:
        tag = value.lower().replace("_", "-")
        if tag.startswith("zh"):
            return "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return None


def select_locale() -> str:
    if not has_request_context():  # CLI commands and jobs speak the default language
        return DEFAULT
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return _from_accept_language() or DEFAULT


def html_lang(locale: str) -> str:
    return "zh-Hans" if locale == "zh_Hans" else locale


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site paths, so a crafted link cannot send people elsewhere."""
    # The prefix first: urlsplit raises on some hosts ("//[x"), which must not be a 500.
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    # Browsers read "/\\evil.example" as "//evil.example" and drop tabs and newlines from
    # a URL ("/\t/evil.example"): such a path would lead to another site after all.
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


@bp.get("/lang/<code>")
@access("public")
def switch(code: str):
    response = redirect(safe_next(request.args.get("next")), code=303)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
