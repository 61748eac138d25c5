"""Deleting one's own account (PIPL): the person goes, their public contributions stay.

The user row is kept as a tombstone so that every foreign key to it holds: ideas,
comments, supports, reactions, participations in budget votes, owners' votes,
attendance and objections keep counting and keep showing, under a neutral name. What
says who the person was goes: the username, the display name, the password hash, the
memberships (with building, roles and verification), the links to flats and to lines of
the owners' register, follows, notifications and reset codes. A guardian's children's
profiles are deleted with the account, through `profiles.delete`, so their votes stay
only as anonymous counts and their ideas stay without a link to the child.

What stays on purpose: the owners' register lines themselves (kept for owners'
decisions, which the law wants signed), an owners' vote already cast (counted), and the
audit entries already written (append-only; removed after `audit.KEEP_DAYS` by `tick`).
"""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from .. import audit
from ..community import UnitOwnership
from ..extensions import db
from .models import ResetCode, User

# Shown wherever the person's name was: stored, not translated, so it reads in both
# languages of the site on every page that prints `display_name`.
DELETED_NAME = "已注销用户 / Deleted user"
# Nobody may sign up as one of these: a live account named so would pass for a removed one.
_RESERVED = ("已注销", "deleteduser", "pabulib导入")


def is_reserved_name(name: str) -> bool:
    """'已注销用户', 'Deleted  User', 'ＤＥＬＥＴＥＤ-user' … after folding width, case,
    spaces and punctuation."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKC", name or "").casefold()
                     if ch.isalnum())
    return any(word in folded for word in _RESERVED)


# A hyphen never passes the sign-up form's username pattern, so nobody can take one.
DELETED_PREFIX = "deleted-"
# Not an argon2 hash: verifying any password against it fails (passwords.verify_secret).
UNUSABLE_HASH = "!deleted"


class DeletionRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Deleted:
    children: int
    memberships: int


def children_of(user) -> list:
    """Every child profile this person answers for, in any community."""
    from proposals.kids.models import ChildProfile
    return list(db.session.scalars(select(ChildProfile).where(
        ChildProfile.guardian_id == user.id).order_by(ChildProfile.id)))


def _other_site_admins(user, lock: bool) -> int:
    query = select(User.id).where(User.is_site_admin.is_(True), User.disabled.is_(False))
    if lock:
        # When two admins delete themselves at once on PostgreSQL, the second waits here,
        # then no longer finds the first, and is refused. (SQLite serialises writers.)
        query = query.with_for_update()
    return len([i for i in db.session.scalars(query) if i != user.id])


def refusal(user, *, lock: bool = False) -> str | None:
    """Why this account may not be deleted now, or None. `lock` inside the deletion."""
    if user.is_site_admin and _other_site_admins(user, lock) == 0:
        return _("You are the only site administrator. Make someone else a site "
                 "administrator first, so that the site can still be run.")
    return None


def delete_account(user: User) -> Deleted:
    """Anonymise `user` and remove their personal data. Call inside a write transaction;
    raises DeletionRefused (nothing changed) for the last site administrator."""
    why = refusal(user, lock=True)
    if why:
        raise DeletionRefused(why)
    from proposals.kids import profiles
    from proposals.owners.models import Owner
    from deliberation.models import Follow, Notification

    kids = children_of(user)
    memberships = list(user.memberships)
    # Written before anything changes: `audit.record` copies the target's pending
    # changes as before/after, and the old name must not reach the log.
    per_community: dict[int, int] = {}
    for kid in kids:
        per_community[kid.community_id] = per_community.get(kid.community_id, 0) + 1
    for m in memberships:
        audit.record("account.deleted", actor=user, community=m.community, target=user,
                     child_profiles=per_community.get(m.community_id, 0))
    if not memberships:
        audit.record("account.deleted", actor=user, target=user,
                     child_profiles=len(kids))

    for kid in kids:
        profiles.delete(kid, user)
    uid = user.id
    db.session.execute(update(Owner).where(Owner.user_id == uid)
                       .values(user_id=None, linked_by_id=None, linked_at=None)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(UnitOwnership).where(UnitOwnership.user_id == uid)
                       .values(user_id=None, verified_by_id=None, verified_at=None)
                       .execution_options(synchronize_session=False))
    for model in (Follow, Notification, ResetCode):
        db.session.execute(delete(model).where(model.user_id == uid)
                           .execution_options(synchronize_session=False))
    user.memberships.clear()  # each with its roles (delete-orphan cascade)

    user.username = DELETED_PREFIX + secrets.token_hex(8)
    user.display_name = DELETED_NAME
    user.password_hash = UNUSABLE_HASH
    user.is_site_admin = False
    user.disabled = True
    user.revoke_sessions()  # every device is signed out at once
    db.session.flush()
    return Deleted(children=len(kids), memberships=len(memberships))
