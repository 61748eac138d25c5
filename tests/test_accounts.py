"""Sign up, log in and out, sessions revoked, passwords changed and reset through staff."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.accounts.models import User
from app.audit import AuditEntry
from app.extensions import db


def signup(client, community, username="wang_ayi", password="a-long-password", **extra):
    data = {"username": username, "display_name": "王阿姨", "community": community.slug,
            "password": password, "confirm": password}
    data.update(extra)
    return client.post("/signup", data, token_from="/signup")


def test_signup_joins_the_community_unverified(app, make, client):
    c = make.community()
    response = signup(client, c)
    assert response.status_code == 303
    user = User.by_username("wang_ayi")
    m = user.membership_in(c)
    assert m is not None and not m.verified and user.password_hash.startswith("$argon2id$")


def test_signup_refuses_bad_input_and_taken_names(app, make, client):
    c = make.community()
    make.user(c, username="taken")
    for data in (dict(username="x"), dict(username="taken"), dict(password="short"),
                 dict(confirm="different-password"), dict(community="nowhere"),
                 dict(username="王阿姨")):
        fields = {"username": "new_user", "password": "a-long-password",
                  "confirm": "a-long-password", **data}
        response = client.post("/signup", {"display_name": "王阿姨", "community": c.slug, **fields},
                               token_from="/signup")
        assert response.status_code == 422, data
    assert db.session.scalars(select(User)).all().__len__() == 1


def test_wrong_password_is_refused(app, make, client):
    user = make.user(make.community())
    response = client.post("/login", {"username": user.username, "password": "wrong-one!"})
    assert response.status_code == 422
    assert client.get("/account").status_code == 302


def test_logout_revokes_the_old_cookie(app, make, client, new_client):
    user = make.user(make.community())
    client.login(user)
    stolen = client.http.get_cookie("session").value
    client.logout()
    thief = new_client()
    thief.http.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 302


def test_password_change_signs_out_other_devices(app, make, client, new_client):
    user = make.user(make.community())
    phone, laptop = client.login(user), new_client().login(user)
    response = phone.post("/account/password", {
        "current": "neighbour-pass-1", "password": "brand-new-pass", "confirm": "brand-new-pass"},
        token_from="/account/password")
    assert response.status_code == 303
    assert phone.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302
    new_client().login(user, password="brand-new-pass")


def test_disabling_an_account_ends_its_sessions(app, make, client):
    user = make.user(make.community())
    client.login(user)
    user.disabled = True
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_staff_reset_code_works_once(app, make, client, new_client):
    c = make.community()
    staff, resident = make.user(c, "staff"), make.user(c)
    client.login(staff)
    member_id = resident.membership_in(c).id
    page = client.post(f"/c/{c.slug}/staff/members/{member_id}/reset-code",
                       token_from=f"/c/{c.slug}/staff/members").get_data(as_text=True)
    code = re.search(r'class="code"[^>]*>([A-Z0-9]{8})<', page).group(1)
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "account.reset_code")).one().actor_id == staff.id
    visitor = new_client()
    data = {"username": resident.username, "code": code.lower(), "password": "reset-pass-99",
            "confirm": "reset-pass-99"}
    assert visitor.post("/reset", data, token_from="/reset").status_code == 303
    assert new_client().post("/reset", data, token_from="/reset").status_code == 422
    new_client().login(resident, password="reset-pass-99")


def test_post_without_csrf_token_is_refused(app, make, client):
    user = make.user(make.community())
    response = client.http.post("/login", data={"username": user.username,
                                                "password": "neighbour-pass-1"})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_open_redirects_are_ignored(app, make, client):
    user = make.user(make.community())
    response = client.post("/login?next=//evil.example/x",
                           {"username": user.username, "password": "neighbour-pass-1"})
    assert response.headers["Location"] == "/"
