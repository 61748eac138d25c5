"""Staff operations on memberships; each is audited."""
from __future__ import annotations

from .. import audit
from ..community import UnitOwnership
from ..extensions import db
from ..timeutil import utcnow


def link_owner(membership, unit, staff) -> UnitOwnership:
    """Record a verified owner of `unit`; a register entry without an account is claimed."""
    owner = next((o for o in unit.ownerships if o.user_id == membership.user_id), None)
    if owner is None:
        owner = next((o for o in unit.ownerships if o.user_id is None
                      and o.owner_name == membership.user.display_name), None)
    if owner is None:
        owner = UnitOwnership(unit=unit, owner_name=membership.user.display_name)
        db.session.add(owner)
    owner.user_id = membership.user_id
    owner.verified_by_id = staff.id
    owner.verified_at = utcnow()
    membership.grant("owner")
    audit.record("member.owner", actor=staff, community=membership.community,
                 target=membership.user, unit=unit.label)
    return owner


def set_role(membership, role: str, grant: bool, staff) -> None:
    if grant:
        membership.grant(role)
    else:
        membership.revoke(role)
    audit.record("member.role", actor=staff, community=membership.community,
                 target=membership.user, role=role, granted=grant)


def set_disabled(membership, disabled: bool, staff) -> None:
    """Disabling ends every session of the account at once (its token rotates)."""
    user = membership.user
    user.disabled = disabled
    user.revoke_sessions()
    audit.record("account.disable" if disabled else "account.enable", actor=staff,
                 community=membership.community, target=user)
