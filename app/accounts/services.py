"""Account operations: create, authenticate, change and reset passwords, join, verify."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..timeutil import utcnow
from .models import Membership, ResetCode, User
from .passwords import hash_secret, needs_rehash, verify_secret

RESET_CODE_HOURS = 24
# Readable aloud at a counter: no 0/O or 1/I/l.
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class AccountError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def create_user(username: str, display_name: str, password: str, **fields) -> User:
    user = User(username=username.strip().lower(), display_name=display_name.strip(),
                password_hash=hash_secret(password), **fields)
    db.session.add(user)
    return user


def authenticate(username: str, password: str) -> User | None:
    """The account, if the password is right. Reads only; the caller persists a stronger
    hash with `upgrade_hash` in a write transaction when `needs_rehash` says so."""
    user = User.by_username(username)
    if user is None or user.disabled or not verify_secret(user.password_hash, password):
        return None
    return user


def upgrade_hash(user: User, password: str) -> None:
    if needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)


def change_password(user: User, new_password: str) -> None:
    user.password_hash = hash_secret(new_password)
    user.revoke_sessions()


def join(user: User, community, building=None) -> Membership:
    m = user.membership_in(community)
    if m is None:
        m = Membership(user=user, community=community, building=building)
        db.session.add(m)
        m.grant("resident")
    return m


def verify_member(m: Membership, staff: User, building=None) -> None:
    m.verified_at = m.verified_at or utcnow()
    m.verified_by_id = staff.id
    if building is not None:
        m.building = building
    audit.record("member.verify", actor=staff, community=m.community, target=m.user,
                 building=getattr(building, "name", None))


def issue_reset_code(user: User, staff: User, community) -> str:
    """A code for staff to hand over in person; earlier unused codes stop working."""
    now = utcnow()
    for old in db.session.scalars(select(ResetCode).where(
            ResetCode.user_id == user.id, ResetCode.used_at.is_(None))):
        old.used_at = now
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    db.session.add(ResetCode(user_id=user.id, code_hash=hash_secret(code), issued_by_id=staff.id,
                             expires_at=now + timedelta(hours=RESET_CODE_HOURS)))
    audit.record("account.reset_code", actor=staff, community=community, target=user)
    return code


def redeem_reset_code(username: str, code: str, new_password: str) -> User:
    user = User.by_username(username)
    normalised = code.strip().upper().replace(" ", "").replace("-", "")
    if user is not None and not user.disabled:
        now = utcnow()
        for rc in db.session.scalars(select(ResetCode).where(
                ResetCode.user_id == user.id, ResetCode.used_at.is_(None))):
            if rc.expires_at > now and verify_secret(rc.code_hash, normalised):
                rc.used_at = now
                change_password(user, new_password)
                audit.record("account.reset_redeemed", target=user)
                return user
    raise AccountError("invalid")
