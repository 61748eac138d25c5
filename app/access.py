"""Every view declares who may open it; a test fails for any route that does not.

Rules: "public" (anyone), "signed_in" (any account), "member" (a member of the
community in the URL), "verified" (a verified resident there), "staff" (its staff or
admins), "site_admin", and "system" (health checks and static files).
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from . import permissions

RULES = ("public", "signed_in", "member", "verified", "staff", "site_admin", "system")

_CHECKS = {
    "member": permissions.is_member,
    "verified": permissions.is_verified_resident,
    "staff": permissions.is_staff,
}


def access(rule: str):
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}")

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if rule in ("public", "system"):
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            if rule == "site_admin" and not permissions.is_site_admin(current_user):
                abort(403)
            check = _CHECKS.get(rule)
            if check is not None and not check(current_user, g.community):
                abort(403)
            return view(*args, **kwargs)

        wrapped.access_rule = rule
        return wrapped

    return decorate


def rule_of(view) -> str | None:
    return getattr(view, "access_rule", None)
