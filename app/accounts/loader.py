"""Flask-Login wiring: the cookie names a user and their current session token."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager
from .models import User


def load_user(user_id: str):
    ident, _sep, token = (user_id or "").partition(":")
    if not (ident.isascii() and ident.isdigit()) or not token:
        return None
    user = db.session.get(User, int(ident))
    # A rotated token (logout, password change, disabling) makes old cookies worthless.
    if user is None or user.disabled or user.session_token != token:
        return None
    return user


def init(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.session_protection = "basic"
