"""Whole accounts: an account is one for every community, so a reset code (which sets its
password) or disabling it reaches every community where it has a role. Staff may do so
only to accounts they outrank (app.permissions.outranks)."""
from __future__ import annotations

import re

import pytest

from app.accounts import services as accounts
from app.extensions import db
from app.timeutil import utcnow

from .querycount import counted_queries

def _takeover_targets(make, home, other):
    return {"an admin here": make.user(home, "admin"),
            "a site admin who lives here": make.user(home, is_site_admin=True),
            "staff of another community": _member_of(make, home, make.user(other, "staff")),
            "an admin of another community": _member_of(make, home, make.user(other, "admin"))}


def _member_of(make, community, user):
    accounts.join(user, community).verified_at = utcnow()
    db.session.commit()
    return user


@pytest.mark.parametrize("target", ["an admin here", "a site admin who lives here",
                                    "staff of another community",
                                    "an admin of another community"])
def test_staff_cannot_take_over_a_more_powerful_account_with_a_reset_code(
        app, make, client, new_client, target):
    """A reset code lets whoever holds it set the account's password: staff of one
    community must not get one for an account that can do more than they can."""
    home, other = make.community(slug="home"), make.community(slug="other")
    staff = make.user(home, "staff")
    victim = _takeover_targets(make, home, other)[target]
    desk = "/c/home/staff/members"
    client.login(staff)
    response = client.post(f"{desk}/{victim.membership_in(home).id}/reset-code",
                           token_from=desk)
    assert response.status_code == 403
    assert not re.search(r'class="code"', response.get_data(as_text=True))
    assert f"{desk}/{victim.membership_in(home).id}/reset-code" not in \
        client.get(desk).get_data(as_text=True)


@pytest.mark.parametrize("target", ["a site admin who lives here",
                                    "staff of another community",
                                    "an admin of another community"])
def test_an_admin_cannot_lock_out_someone_who_runs_another_community(
        app, make, client, target):
    """Disabling an account closes it everywhere: an admin of one community may not
    shut out the staff of another (nor a site admin)."""
    home, other = make.community(slug="home"), make.community(slug="other")
    admin = make.user(home, "admin")
    victim = _takeover_targets(make, home, other)[target]
    desk = "/c/home/staff/members"
    client.login(admin)
    member_id = victim.membership_in(home).id
    assert client.post(f"{desk}/{member_id}/disable", token_from=desk).status_code == 403
    assert not victim.disabled


def test_staff_still_issue_reset_codes_to_residents_and_admins_to_their_staff(
        app, make, client, new_client):
    home = make.community(slug="home")
    resident, staff, admin = make.user(home), make.user(home, "staff"), make.user(home, "admin")
    desk = "/c/home/staff/members"
    client.login(staff)
    assert client.post(f"{desk}/{resident.membership_in(home).id}/reset-code",
                       token_from=desk).status_code == 200
    other_staff = make.user(home, "staff")
    assert client.post(f"{desk}/{other_staff.membership_in(home).id}/reset-code",
                       token_from=desk).status_code == 403
    boss = new_client().login(admin)
    assert boss.post(f"{desk}/{other_staff.membership_in(home).id}/reset-code",
                     token_from=desk).status_code == 200


def test_the_members_page_judges_every_account_in_a_fixed_number_of_queries(app, make,
                                                                             client):
    """Who may reset or disable an account depends on its roles everywhere; reading them
    must not cost a query per member."""
    home, other = make.community(slug="home"), make.community(slug="other")
    admin = make.user(home, "admin")
    client.login(admin)
    counts = []
    for _round in range(2):
        for _n in range(5):
            _member_of(make, home, make.user(other, "staff"))
            make.user(home, "council")
        with counted_queries() as statements:
            page = client.get("/c/home/staff/members").get_data(as_text=True)
        counts.append(len(statements))
    assert page.count("reset-code") == 5 * 2  # the council members; not the other's staff
    assert counts[0] == counts[1], counts
