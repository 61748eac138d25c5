"""Rate limits: on logging in, signing up, posting and voting. The values are settings
(app/settings.py, README); the counts live in Redis when REDIS_URL is set, so every
worker and machine shares them, else in each worker's memory.

Logging in counts failures only: strictly per account (someone guessing one person's
password, from however many addresses) and generously per address (a meeting room of
fifty phones, a kiosk, or everyone behind one NAT shares an address). A person who logs
in correctly is never held back by others' mistakes on another account.

The address is `request.remote_addr`: the peer, or the client named in X-Forwarded-For
when TRUSTED_PROXIES says how many proxies to believe (ProxyFix in create_app).
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from .. import permissions
from ..extensions import limiter


def _settings():
    return current_app.config["SETTINGS"]


def address_key() -> str:
    return f"ip:{request.remote_addr}"


def person_key() -> str:
    """The signed-in person (any device, any address), else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id().split(':')[0]}"
    return address_key()


def _account_key() -> str:
    # The name as the login form normalises it; an empty name skips the limit (the form
    # refuses it anyway, and it would otherwise lock out nobody in particular).
    name = (request.form.get("username") or "").strip().lower()[:40]
    return f"account:{name}" if name else ""


def _refused(response) -> bool:
    """A failed attempt: the form came back with a reason (wrong password, bad code)."""
    return response.status_code == 422


def _created(response) -> bool:
    """Success answers 303 to a browser and 204 with HX-Location to htmx."""
    return response.status_code in (204, 303)


def _posting_value() -> str:
    s = _settings()
    if permissions.is_moderator(current_user, getattr(g, "community", None)):
        return s.limit_posting_moderator
    return s.limit_posting


# Failed logins and reset codes: one bucket per account, one per address.
account_failures = limiter.shared_limit(
    lambda: _settings().limit_account_failures, scope="account-failures",
    key_func=_account_key, methods=["POST"], deduct_when=_refused)
address_failures = limiter.shared_limit(
    lambda: _settings().limit_address_failures, scope="address-failures",
    key_func=address_key, methods=["POST"], deduct_when=_refused)
# Accounts created per address; a refused sign-up counts as an address failure instead.
signups = limiter.limit(lambda: _settings().limit_signups, scope="signups",
                        key_func=address_key, methods=["POST"], deduct_when=_created)
# Comments, topics and ideas, per person, shared by all of them.
posting_limit = limiter.shared_limit(_posting_value, scope="posting", key_func=person_key,
                                     methods=["POST"])
# Ballots saved, per person: generous for revising a ballot a few times, tight for a script.
ballot_limit = limiter.limit(lambda: _settings().limit_voting, scope="ballot",
                             key_func=person_key, methods=["POST"])
