"""Sending a form twice writes once.

A phone on a weak signal posts a comment, the server commits, and the answer is lost on
the way back: the person presses again (or the browser retries) and, without this, the
comment appears twice. Every such form carries a random key made when it was drawn; the
row remembers (author, key), so a second arrival of the same key returns the first row.
"""
from __future__ import annotations

import re
import secrets

from flask import request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from .extensions import db

FIELD = "once"
LENGTH = 22  # token_urlsafe(16)
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,32}$")


def new_key() -> str:
    return secrets.token_urlsafe(16)


def key_from(value) -> str | None:
    """The key if it looks like one of ours; anything else means "no promise" (a form
    drawn before this existed, or a hand-made request), never an error."""
    value = value if isinstance(value, str) else None
    return value if value and _SHAPE.match(value) else None


def submitted_key() -> str | None:
    return key_from(request.form.get(FIELD))


class OnceField(HiddenField):
    """A fresh key when the form is drawn; the submitted one when it is re-drawn with
    errors (nothing was written, so the retry is still the same attempt)."""

    def __init__(self, **kwargs):
        super().__init__(default=new_key, **kwargs)


def write_once(model, author_id: int, key: str | None, make):
    """`make(key)` adds, flushes and returns a new row of `model` carrying `key`, unless
    `author_id` already wrote one with `key`: then that row is returned and `make` is
    not called (nothing is announced twice). Call inside a write transaction.

    On PostgreSQL two copies can race; the unique (author_id, once_key) index lets one
    win and the other find it after the savepoint rolls back."""
    if key is None:
        return make(None)
    earlier = _earlier(model, author_id, key)
    if earlier is not None:
        return earlier
    try:
        with db.session.begin_nested():
            return make(key)
    except IntegrityError:
        earlier = _earlier(model, author_id, key)
        if earlier is None:
            raise
        return earlier


def _earlier(model, author_id: int, key: str):
    return db.session.scalar(select(model).where(
        model.author_id == author_id, model.once_key == key))
