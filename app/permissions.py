"""Who may do what. Plain functions: views call them, templates use them to hide buttons."""
from __future__ import annotations


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and not getattr(user, "disabled", False))


def membership(user, community):
    if not _active(user) or community is None:
        return None
    return user.membership_in(community)


def has_role(user, community, role: str) -> bool:
    m = membership(user, community)
    return m is not None and m.verified and role in m.roles


def is_site_admin(user) -> bool:
    return _active(user) and user.is_site_admin


def is_admin(user, community) -> bool:
    return is_site_admin(user) or has_role(user, community, "admin")


def is_staff(user, community) -> bool:
    """Staff of this community; admins can do everything staff can."""
    return is_admin(user, community) or has_role(user, community, "staff")


def is_moderator(user, community) -> bool:
    """Staff, admins, council and the chair: members of this community with those roles.
    A site administrator who is no member is not one (moderation is members' business,
    and its pages refuse non-members: no link should lead there)."""
    return any(has_role(user, community, role) for role in MODERATING_ROLES)


MODERATING_ROLES = ("staff", "admin", "council", "chair")


def is_member(user, community) -> bool:
    return membership(user, community) is not None


def is_verified_resident(user, community) -> bool:
    m = membership(user, community)
    return m is not None and m.verified


def can_hand_in(user, community) -> bool:
    # Unverified members may hand in ideas: staff screen every idea anyway.
    return is_member(user, community)


def can_support(user, community) -> bool:
    return is_verified_resident(user, community)


def can_grant(user, community, role: str) -> bool:
    from .accounts.models import ADMIN_GRANTABLE, STAFF_GRANTABLE
    if is_admin(user, community):
        return role in ADMIN_GRANTABLE
    return is_staff(user, community) and role in STAFF_GRANTABLE


def outranks(user, community, target) -> bool:
    """Whether `user`, acting from this community, may act on `target`'s whole account
    (disable it, issue it a reset code): an account is one for every community, so its
    powers anywhere count. A site admin outranks everyone else; an admin outranks this
    community's staff and residents; staff outrank residents (council and chair
    included). Staff or admins of another community, and site admins, are left to a
    site admin."""
    if target is None or target.id == getattr(user, "id", None) or not is_staff(user, community):
        return False
    if is_site_admin(user):
        return True
    if target.is_site_admin:
        return False
    for m in target.memberships:
        power = m.roles & {"staff", "admin"}
        if power and (m.community_id != community.id or "admin" in power
                      or not is_admin(user, community)):
            return False
    return True


def can_disable(user, community, target) -> bool:
    """Community admins may disable the accounts they outrank, never their own."""
    return is_admin(user, community) and outranks(user, community, target)


def can_issue_reset_code(user, community, target) -> bool:
    """A reset code sets the account's password: only for accounts staff outrank."""
    return outranks(user, community, target)
