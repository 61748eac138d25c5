"""Kiosk sessions: a tablet in the community centre on which children vote one after
another, started by staff for one round.

The tablet holds a random token in a cookie scoped to /c/<slug>/kids/kiosk; the
database keeps only its SHA-256, so a copy of the database opens no kiosk. A kiosk
ends when staff end it, when its round stops being open, or after KIOSK_IDLE_MINUTES
without a child: measured from `last_seen_at`, which only "next child" and a vote move
on (a waiting screen left open in an empty room does not keep the kiosk alive).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from app import audit
from app.extensions import db
from app.timeutil import utcnow

from .models import ChildCode, KioskSession
from .voting import part_of

COOKIE = "kids_kiosk"
TOKEN_BYTES = 32


class KioskRefused(Exception):
    """Staff may not start a kiosk for this round; `status` is the page's HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def cookie_path(community) -> str:
    """Every kiosk URL (the waiting screen, next, vote, end) and nothing else."""
    return f"/c/{community.slug}/kids/kiosk"


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SETTINGS"].kiosk_idle_minutes)


def start(round_, staff) -> tuple[str, KioskSession]:
    """A new kiosk for this open round with a children's part; the token for the cookie
    is returned once."""
    if part_of(round_) is None:
        raise KioskRefused(422, _("This round has no children's part. Set up the children's "
                                  "ballot first, then start the kiosk."))
    if round_.state != "open":
        raise KioskRefused(409, _("Voting in this round is not open: a kiosk can only be "
                                  "started while it is."))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    kiosk = KioskSession(round_id=round_.id, digest=digest(token), started_by_id=staff.id,
                         started_at=now, last_seen_at=now)
    db.session.add(kiosk)
    db.session.flush()
    audit.record("kids.kiosk_started", actor=staff, community=round_.community,
                 target=round_, kiosk=kiosk.id)
    return token, kiosk


def is_live(kiosk: KioskSession, now=None) -> bool:
    now = now or utcnow()
    return (kiosk.ended_at is None and now - kiosk.last_seen_at <= idle_limit()
            and kiosk.round.state == "open" and part_of(kiosk.round) is not None)


def find(community, token: str | None) -> KioskSession | None:
    """The kiosk this cookie opens in this community, live or not; None when unknown,
    or when it belongs to another community (its cookie does nothing here)."""
    if not token:
        return None
    kiosk = db.session.scalar(select(KioskSession).where(KioskSession.digest == digest(token)))
    if kiosk is None or kiosk.round.community_id != community.id:
        return None
    return kiosk


def end(kiosk: KioskSession) -> None:
    """End the kiosk; the code of a child who walked away stops working with it."""
    if kiosk.ended_at is None:
        kiosk.ended_at = utcnow()
        audit.record("kids.kiosk_ended", community=kiosk.round.community,
                     target=kiosk.round, kiosk=kiosk.id, children=kiosk.children)
    db.session.execute(delete(ChildCode).where(ChildCode.kiosk_id == kiosk.id,
                                               ChildCode.used_at.is_(None)))
    db.session.flush()


def code_of(kiosk: KioskSession, round_, code: str) -> ChildCode | None:
    """The code, if this kiosk minted it (a card's code or another tablet's is not
    voted with here)."""
    from . import codes
    row = codes.find(round_, code)
    return row if row is not None and row.kiosk_id == kiosk.id else None
