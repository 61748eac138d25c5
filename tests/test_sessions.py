"""Sessions: cookies that scripts cannot read and HTTPS keeps to itself; sessions ended by
logging out and by changing the password; staff and admin sessions that end after
STAFF_IDLE_MINUTES without a request of their own (polling does not count), with a
warning and "Stay signed in" first; a chair's console that never times out mid-meeting."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
from flask_login import login_user

from app import create_app
from app.accounts.idle import SEEN
from app.access import access
from app.extensions import db
from deliberation.meetings import services as meetings
from deliberation.models import Comment

from .conftest import PASSWORD, Client, _FreshContextClient, make_settings
from .factories import Factory

HTTPS = {"base_url": "https://localhost",
         "headers": {"Referer": "https://localhost/login"}}  # CSRF checks it over HTTPS
BACKGROUND = {"X-Background": "1", "HX-Request": "true"}
MINUTE = 60


def cookie_named(response, name: str) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "="))


def flags(cookie: str) -> set[str]:
    """'session=…; Secure; HttpOnly; Path=/; SameSite=Lax' → {'secure', 'httponly',
    'samesite=Lax'} (the attributes that matter here)."""
    found = set()
    for part in cookie.split(";")[1:]:
        name, _eq, value = part.strip().partition("=")
        found.add(f"samesite={value}" if name.lower() == "samesite" else name.lower())
    return found


# --- cookies ---------------------------------------------------------------------------

def test_session_cookie_is_httponly_and_lax_and_secure_only_over_https(app, make, client):
    user = make.user(make.community())
    plain = client.post("/login", {"username": user.username, "password": PASSWORD})
    assert plain.status_code == 303
    assert flags(cookie_named(plain, "session")) >= {"httponly", "samesite=Lax"}
    assert "secure" not in flags(cookie_named(plain, "session"))
    token = client.csrf_token("/login")
    secure = client.http.post("/login", data={"csrf_token": token, "username": user.username,
                                              "password": PASSWORD}, **HTTPS)
    assert secure.status_code == 303
    assert flags(cookie_named(secure, "session")) >= {"httponly", "samesite=Lax", "secure"}
    # Every other cookie too, e.g. the language chosen.
    lang = client.get("/lang/en?next=/", base_url=HTTPS["base_url"])
    assert "secure" in flags(cookie_named(lang, "lang"))


def test_remember_me_cookie_has_the_same_flags(tmp_path):
    """No form offers "remember me" today; should one, its cookie is as well kept."""
    app = create_app(make_settings(tmp_path, "sqlite"))

    @app.post("/_remember/<int:user_id>")
    @access("public")
    def remember(user_id):
        from app.accounts.models import User
        login_user(db.session.get(User, user_id), remember=True)
        return "", 204

    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        db.create_all()
        user = Factory(PASSWORD).user(Factory(PASSWORD).community())
        http = app.test_client()
        plain = cookie_named(http.post(f"/_remember/{user.id}"), "remember_token")
        secure = cookie_named(http.post(f"/_remember/{user.id}", base_url=HTTPS["base_url"]),
                              "remember_token")
        db.session.remove()
        db.engine.dispose()
    assert flags(plain) >= {"httponly", "samesite=Lax"} and "secure" not in flags(plain)
    assert flags(secure) >= {"httponly", "samesite=Lax", "secure"}


# --- revoking --------------------------------------------------------------------------

def test_logging_out_ends_the_session_for_a_copied_cookie_too(app, make, client, new_client):
    user = make.user(make.community())
    client.login(user)
    copied = client.http.get_cookie("session").value
    client.logout()
    assert client.get("/account").status_code == 302
    elsewhere = new_client()
    elsewhere.http.set_cookie("session", copied)
    assert elsewhere.get("/account").status_code == 302


def test_changing_the_password_ends_every_other_session(app, make, client, new_client):
    user = make.user(make.community())
    phone, laptop = client.login(user), new_client().login(user)
    copied = phone.http.get_cookie("session").value
    assert phone.post("/account/password", {"current": PASSWORD, "password": "a-new-pass-2",
                                            "confirm": "a-new-pass-2"},
                      token_from="/account/password").status_code == 303
    assert phone.get("/account").status_code == 200  # this device goes on, with a new cookie
    assert laptop.get("/account").status_code == 302
    thief = new_client()
    thief.http.set_cookie("session", copied)
    assert thief.get("/account").status_code == 302


# --- staff sessions time out -----------------------------------------------------------

def idle_for(client: Client, seconds: float) -> None:
    """As if the last own request had been `seconds` ago."""
    with client.http.session_transaction() as session:
        session[SEEN] = time.time() - seconds


def remaining(client: Client) -> int | None:
    return client.get("/account/session", headers=BACKGROUND).get_json()["remaining"]


@pytest.fixture
def place(make):
    c = make.community(slug="gr")
    return {"c": c, "staff": make.user(c, "staff"), "admin": make.user(c, "admin"),
            "resident": make.user(c), "idea": make.idea(c)}


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_staff_and_admins_are_signed_out_after_thirty_idle_minutes(place, new_client, en, who):
    person = place[who]
    en.login(person)
    other_device = new_client().login(person)
    idle_for(en, 31 * MINUTE)
    response = en.get("/c/gr/ideas")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/c/gr/ideas")
    page = en.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes without activity" in page
    assert en.get("/account").status_code == 302  # signed out for good, not just redirected
    # Only this session: the same person's other device is still signed in.
    assert other_device.get("/account").status_code == 200


def test_a_site_admin_times_out_too(make, client):
    client.login(make.user(None, is_site_admin=True))
    idle_for(client, 31 * MINUTE)
    assert client.get("/account").status_code == 302


def test_residents_never_time_out(place, client):
    client.login(place["resident"])
    idle_for(client, 10 * 60 * MINUTE)
    assert client.get("/account").status_code == 200
    assert remaining(client) is None


def test_own_requests_reset_the_clock_and_polling_does_not(place, client):
    client.login(place["staff"])
    idle_for(client, 20 * MINUTE)
    poll = client.get(f"/c/gr/ideas/{place['idea'].id}/thread", headers=BACKGROUND)
    assert poll.status_code == 200
    assert 9 * MINUTE <= remaining(client) <= 10 * MINUTE
    assert client.get("/c/gr/ideas").status_code == 200  # an own request
    assert remaining(client) >= 30 * MINUTE - 5


def test_a_poll_after_the_time_is_up_signs_out(place, client):
    client.login(place["staff"])
    idle_for(client, 31 * MINUTE)
    # A public fragment goes on showing (a projector), without the staff session.
    poll = client.get(f"/c/gr/ideas/{place['idea'].id}/thread", headers=BACKGROUND)
    assert poll.status_code == 200
    assert client.get("/account").status_code == 302
    # A staff page's poll sends the whole page to the login page, not into the fragment.
    client.login(place["staff"])
    idle_for(client, 31 * MINUTE)
    staff_poll = client.get("/c/gr/staff/members", headers={
        **BACKGROUND, "HX-Current-URL": "http://localhost/c/gr/staff/members?q=wang"})
    assert staff_poll.status_code == 204
    assert staff_poll.headers["HX-Redirect"] == "/login?next=/c/gr/staff/members?q%3Dwang"


def test_a_form_sent_after_the_time_is_up_changes_nothing(place, client):
    page = f"/c/gr/ideas/{place['idea'].id}"
    client.login(place["staff"])
    token = client.csrf_token(page)
    idle_for(client, 31 * MINUTE)
    response = client.http.post(f"{page}/comments", data={
        "csrf_token": token, "body": "我来说两句。", "stance": "suggest"},
        headers={"Referer": f"http://localhost{page}"})
    assert response.status_code == 303, response.headers.get("Location")
    assert response.headers["Location"] == f"/login?next={page}"  # back to the idea page
    assert db.session.query(Comment).count() == 0

    # A Referer that is no URL at all: the login page without a way back, never a 500.
    client.login(place["staff"])
    token = client.csrf_token(page)
    idle_for(client, 31 * MINUTE)
    response = client.http.post(f"{page}/comments", data={
        "csrf_token": token, "body": "我来说两句。", "stance": "suggest"},
        headers={"Referer": "http://[x"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert db.session.query(Comment).count() == 0


def test_the_warning_and_stay_signed_in(place, client, new_client):
    client.login(place["staff"])
    idle_for(client, 29 * MINUTE)
    page = client.get("/c/gr/ideas").get_data(as_text=True)
    # The page (an own request) starts the clock again; the dialog knows the times.
    assert 'id="idle-warning"' in page and 'data-warn="120"' in page
    assert 'data-idle="1800"' in page
    idle_for(client, 29 * MINUTE)
    assert remaining(client) <= 60
    stay = client.post("/account/session", token_from="/account",
                       headers={"Accept": "application/json"})
    assert stay.status_code == 200 and stay.get_json()["remaining"] >= 30 * MINUTE - 5
    # A resident's pages have no warning at all.
    resident = new_client().login(place["resident"])
    assert 'id="idle-warning"' not in resident.get("/c/gr/ideas").get_data(as_text=True)


def test_logging_in_again_starts_a_new_clock(place, client, new_client):
    laptop = client.login(place["staff"])
    idle_for(laptop, 45 * MINUTE)
    # Signed out from another device (a password change) before the laptop's clock ran
    # out: the laptop's session still holds its old time when its owner logs in again.
    phone = new_client().login(place["staff"])
    assert phone.post("/account/password", {"current": PASSWORD, "password": "a-new-pass-2",
                                            "confirm": "a-new-pass-2"},
                      token_from="/account/password").status_code == 303
    laptop.login(place["staff"], password="a-new-pass-2")
    assert laptop.get("/account").status_code == 200


def test_the_setting_decides(tmp_path):
    app = create_app(replace(make_settings(tmp_path, "sqlite"), staff_idle_minutes=5))
    with app.app_context():
        db.create_all()
        make = Factory(PASSWORD)
        staff = make.user(make.community(), "staff")
        client = Client(_FreshContextClient(app, use_cookies=True)).login(staff)
        idle_for(client, 4 * MINUTE)
        assert client.get("/account").status_code == 200
        idle_for(client, 6 * MINUTE)
        assert client.get("/account").status_code == 302
        db.session.remove()
        db.engine.dispose()


def test_a_chairs_console_never_times_out_during_a_meeting(place, make, client):
    c = place["c"]
    chair = make.user(c, "chair", "staff")
    meeting = make.meeting(c, chair=chair, ideas=[place["idea"]])
    console = f"/c/gr/meetings/{meeting.id}/console/live?v=0"
    client.login(chair)
    # Before the meeting starts, the console's poll is background like any other.
    idle_for(client, 20 * MINUTE)
    assert client.get(console, headers=BACKGROUND).status_code == 200
    assert remaining(client) <= 10 * MINUTE
    meetings.start(meeting, chair)
    db.session.commit()
    # Under way, its poll keeps the chair signed in, however long the meeting runs.
    for _ in range(3):
        idle_for(client, 29 * MINUTE)
        assert client.get(console, headers=BACKGROUND).status_code == 200
        assert remaining(client) >= 30 * MINUTE - 5
    # Once the meeting is closed, the console's poll is background again.
    meetings.close(meeting, chair)
    db.session.commit()
    idle_for(client, 20 * MINUTE)
    client.get(console, headers=BACKGROUND)
    assert remaining(client) <= 10 * MINUTE
