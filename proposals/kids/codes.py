"""One-time codes: each lets one child vote once, and only its SHA-256 is stored.

A code comes from a printed card (`flask --app wsgi kids cards`) or from staff tapping
"下一位小朋友" on a kiosk. Using it is one conditional UPDATE (… WHERE used_at IS NULL):
of two submissions racing with the same code, the database lets exactly one change the
row, and the other is told the code is used. The update and the ballot share a
transaction, so a vote that fails to save leaves its code unused.
"""
from __future__ import annotations

import hashlib
import random
import secrets

from sqlalchemy import delete, select, update

from app.extensions import db
from app.timeutil import utcnow

from .models import AVATARS, ChildCode, KioskSession

# No 0/O, 1/I/L: a code typed from a card by hand should not be mistyped.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def mint_cards(round_, count: int) -> list[str]:
    """`count` fresh card codes for this round, stored hashed; the codes themselves are
    returned once, for printing."""
    codes = [new_code() for _ in range(count)]
    db.session.add_all(ChildCode(round_id=round_.id, digest=digest(c), kind="card",
                                 avatar=random.choice(AVATARS)) for c in codes)
    db.session.flush()
    return codes


def mint_for_kiosk(kiosk: KioskSession) -> tuple[str, ChildCode]:
    """The next child's code on this tablet. A code minted before and never used (the
    child walked away) stops working: one tap, one child."""
    db.session.execute(delete(ChildCode).where(ChildCode.kiosk_id == kiosk.id,
                                               ChildCode.used_at.is_(None)))
    code = new_code()
    row = ChildCode(round_id=kiosk.round_id, digest=digest(code), kind="kiosk",
                    kiosk_id=kiosk.id, avatar=random.choice(AVATARS))
    db.session.add(row)
    kiosk.last_seen_at = utcnow()
    db.session.flush()
    return code, row


def find(round_, code: str) -> ChildCode | None:
    if not normalise(code):
        return None
    return db.session.scalar(select(ChildCode).where(ChildCode.round_id == round_.id,
                                                     ChildCode.digest == digest(code)))


def use(round_, code: str) -> ChildCode | None:
    """Mark the code used, atomically; None when it is unknown or already used."""
    row = find(round_, code)
    if row is None:
        return None
    changed = db.session.execute(
        update(ChildCode).where(ChildCode.id == row.id, ChildCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    return row if changed == 1 else None
