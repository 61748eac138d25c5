"""长辈模式 (elder mode) over HTTP: a switch on every page that works without JavaScript,
remembered on the device (a long-lived cookie) and on the person (so it follows them to
another phone when they sign in); a safe way back to the page; CSRF; and the short
navigation with only what a resident comes for."""
from __future__ import annotations

import re

import pytest

from app.accounts.models import User
from app.elder import COOKIE
from app.extensions import db

from .conftest import PASSWORD
from .test_sessions import HTTPS, cookie_named, flags

SWITCH = "/elder-mode"
SWITCH_FORM = re.compile(r'<form method="(get|post)"\s+action="/elder-mode"[^>]*>(.*?)</form>',
                         re.S)
NAV = re.compile(r'<nav class="community-nav"[^>]*>(.*?)</nav>', re.S)
# Home, ideas (to read and support), budget votes, public notices (公示), outcomes (金钥匙).
SHORT_NAV = ["/", "/ideas", "/rounds/", "/notices/", "/outcomes/"]


def is_elder(page: str) -> bool:
    return bool(re.search(r'<html[^>]* class="[^"]*\belder\b', page))


def switch_form(page: str) -> tuple[str, str]:
    """The switch's method and what its form holds."""
    match = SWITCH_FORM.search(page)
    assert match, "no elder-mode switch on the page"
    return match.group(1), match.group(2)


def pressed(page: str) -> str:
    """The switch's state as a screen reader announces it: aria-pressed."""
    _method, form = switch_form(page)
    assert re.search(r"<button[^>]*>.*Large text\s*</button>", form, re.S)
    return re.search(r'<button[^>]* aria-pressed="(true|false)"', form).group(1)


def nav_links(page: str, slug: str) -> list[str]:
    hrefs = re.findall(r'href="([^"]+)"', NAV.search(page).group(1))
    return [h.removeprefix(f"/c/{slug}") for h in hrefs]


def switch(client, on: str | None, next_path: str | None = "/", **kwargs):
    """Press the switch as the home page draws it (GET signed out, POST signed in), with
    the given choice and way back."""
    method, form = switch_form(client.get("/").get_data(as_text=True))
    data = {} if on is None else {"on": on}
    if next_path is not None:
        data["next"] = next_path
    if method == "get":
        return client.get(SWITCH, query_string=data, **kwargs)
    data["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    return client.http.post(SWITCH, data=data, **kwargs)


def elder_cookie(client) -> str | None:
    cookie = client.http.get_cookie(COOKIE)
    return cookie.value if cookie else None


@pytest.fixture
def community(make):
    return make.community(slug="gaorong", name="高荣居民区")


# --- the switch --------------------------------------------------------------------------

def test_every_page_has_the_switch_as_a_plain_form(en, make, community):
    """Signed out a GET form with no token (the page stays cacheable, app/pagecache.py);
    signed in a POST form with its CSRF token."""
    paths = ("/", "/login", f"/c/{community.slug}/", f"/c/{community.slug}/ideas")
    for path in paths:
        page = en.get(path).get_data(as_text=True)
        assert pressed(page) == "false", path
        method, form = switch_form(page)
        assert method == "get" and "csrf_token" not in form
        assert f'name="next" value="{path}"' in form
        assert not is_elder(page)
    en.login(make.user(community))
    for path in paths[2:] + ("/account",):
        method, form = switch_form(en.get(path).get_data(as_text=True))
        assert method == "post" and 'name="csrf_token"' in form
        assert f'name="next" value="{path}"' in form


def test_switching_on_and_off_is_remembered_on_this_device(en, community):
    ideas = f"/c/{community.slug}/ideas?stage=deliberating"
    response = switch(en, "1", ideas)
    assert response.status_code == 303
    assert response.headers["Location"] == ideas
    assert elder_cookie(en) == "1"
    page = en.get(ideas).get_data(as_text=True)
    assert is_elder(page) and pressed(page) == "true"
    assert re.search(r'<link rel="stylesheet" href="/static/css/elder\.css[?"]', page)
    assert 'name="on" value="0"' in page  # pressing it again turns it off

    response = switch(en, "0", ideas)
    assert response.status_code == 303 and elder_cookie(en) == "0"
    page = en.get(ideas).get_data(as_text=True)
    assert not is_elder(page) and pressed(page) == "false"


def test_a_form_without_a_choice_flips_the_mode(en, community):
    switch(en, None)
    assert is_elder(en.get("/").get_data(as_text=True))
    switch(en, "something else")
    assert not is_elder(en.get("/").get_data(as_text=True))


def test_the_cookie_lasts_a_year_comes_with_links_from_chats_and_is_secure_over_https(
        client, make, community):
    plain = cookie_named(switch(client, "1"), COOKIE)
    assert {"samesite=Lax", "httponly"} <= flags(plain) and "secure" not in flags(plain)
    assert int(re.search(r"Max-Age=(\d+)", plain).group(1)) >= 365 * 24 * 3600
    assert "secure" in flags(cookie_named(switch(client, "1", base_url=HTTPS["base_url"]),
                                          COOKIE))
    client.login(make.user(community))
    secure = switch(client, "1", **HTTPS)
    assert secure.status_code == 303
    assert "secure" in flags(cookie_named(secure, COOKIE))


def test_a_get_sets_this_device_only_and_never_an_account(client, make, community):
    user = make.user(community)
    client.login(user)
    response = client.get(SWITCH, query_string={"on": "1", "next": "/account"})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert elder_cookie(client) == "1"
    assert db.session.get(User, user.id).elder_mode is False


def test_without_a_csrf_token_nothing_changes(client, make, community):
    user = make.user(community)
    client.login(user)
    response = client.http.post(SWITCH, data={"on": "1", "next": "/"})
    assert response.status_code == 400
    assert elder_cookie(client) is None
    assert db.session.get(User, user.id).elder_mode is False
    assert not is_elder(client.get("/").get_data(as_text=True))


UNSAFE = ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example",
          "javascript:alert(1)", "evil.example", "//[x", ""]


def test_it_only_ever_returns_to_a_page_of_this_site(client, make, community):
    for signed_in in (False, True):
        if signed_in:
            client.login(make.user(community))
        for target in UNSAFE:
            response = switch(client, "1", target)
            assert response.status_code == 303, target
            assert response.headers["Location"] == "/", target
            assert elder_cookie(client) == "1"


def test_a_page_shown_after_a_post_returns_to_the_page_of_its_form(en, community):
    """A form shown again with its errors is a POST's answer: the switch goes back to
    the page the form was on (its Referer), and never to another site's."""
    token = en.csrf_token("/login")
    wrong = {"csrf_token": token, "username": "nobody", "password": "wrong-password-1"}
    page = en.http.post("/login?next=/account", data=wrong,
                        headers={"Referer": "http://localhost/login?next=/account"})
    assert page.status_code == 422
    assert 'name="next" value="/login?next=/account"' in page.get_data(as_text=True)
    for referer in ("https://evil.example/login", "http://[x/", ""):
        page = en.http.post("/login", data=wrong, headers={"Referer": referer})
        assert page.status_code == 422
        assert 'name="next" value="/"' in page.get_data(as_text=True)


# --- the person --------------------------------------------------------------------------

def test_switching_while_signed_in_follows_the_person_to_another_device(
        make, community, new_client):
    user = make.user(community)
    phone = new_client().login(user)
    switch(phone, "1")
    assert db.session.get(User, user.id).elder_mode is True

    tablet = new_client()
    assert not is_elder(tablet.get("/").get_data(as_text=True))
    response = tablet.post("/login", {"username": user.username, "password": PASSWORD})
    assert COOKIE + "=1" in cookie_named(response, COOKIE)
    assert is_elder(tablet.get("/").get_data(as_text=True))

    switch(phone, "0")
    assert db.session.get(User, user.id).elder_mode is False
    assert is_elder(tablet.get("/").get_data(as_text=True)), "each device keeps its own"
    tablet.logout()
    assert is_elder(tablet.get("/").get_data(as_text=True)), "signed out too"
    laptop = new_client().login(user)
    assert elder_cookie(laptop) is None
    assert not is_elder(laptop.get("/").get_data(as_text=True))


def test_a_device_without_the_cookie_follows_the_account(make, community, client):
    user = make.user(community, elder_mode=True)
    client.login(user)
    client.http.delete_cookie(COOKIE)
    assert is_elder(client.get("/").get_data(as_text=True))


def test_switching_while_signed_out_leaves_every_account_alone(make, community, client):
    user = make.user(community)
    switch(client, "1")
    client.login(user)
    assert is_elder(client.get("/").get_data(as_text=True))
    assert db.session.get(User, user.id).elder_mode is False


# --- the navigation ----------------------------------------------------------------------

def test_elder_mode_shows_the_short_navigation(en, make, community):
    slug = community.slug
    en.login(make.user(community))
    full = nav_links(en.get(f"/c/{slug}/").get_data(as_text=True), slug)
    assert {"/topics", "/meetings/", "/owners/", "/projects/", "/dashboard/",
            "/ideas/new"} <= set(full)
    switch(en, "1")
    assert nav_links(en.get(f"/c/{slug}/").get_data(as_text=True), slug) == SHORT_NAV
