"""The staff session clock in Chromium: polls go out marked as background while own
requests do not; two minutes before the end a dialog offers "Stay signed in", which the
keyboard reaches at once; at the end the page goes to the login page, saying why.

The page's clock is Playwright's fake one, jumped forward; the server's is the session
cookie's stamp, re-signed with the app's key to say "this long ago"."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from app.accounts.idle import SEEN
from app.community import Community
from app.extensions import db

from .conftest import Hall
from .navigators import logs_in

pytestmark = pytest.mark.browser


def english(page: Page, hall: Hall) -> None:
    page.context.add_cookies([{"name": "lang", "value": "en", "url": hall.base_url}])


def session_cookie(context: BrowserContext) -> dict:
    return next(c for c in context.cookies() if c["name"] == "session")


def last_seen(hall: Hall, context: BrowserContext) -> float:
    serializer = hall.app.session_interface.get_signing_serializer(hall.app)
    return serializer.loads(session_cookie(context)["value"])[SEEN]


def idle_since(hall: Hall, context: BrowserContext, seconds: float) -> None:
    """Make the browser's session say its last own request was `seconds` ago."""
    serializer = hall.app.session_interface.get_signing_serializer(hall.app)
    cookie = session_cookie(context)
    data = serializer.loads(cookie["value"])
    data[SEEN] = time.time() - seconds
    context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


def idea_of(hall: Hall) -> int:
    with hall.seeding() as make:
        idea = make.idea(Community.by_slug(hall.slug), title="楼道装感应灯")
        db.session.commit()
        return idea.id


def test_polls_are_background_and_clicks_are_not(hall, new_page):
    idea_id = idea_of(hall)
    page = new_page()
    logs_in(page, hall, hall.staff_username)
    # The discussion below an idea polls every two seconds.
    with page.expect_request(lambda r: "/thread/live" in r.url) as poll:
        page.goto(hall.community_url(f"/ideas/{idea_id}"))
    assert poll.value.headers.get("hx-request") == "true"
    assert poll.value.headers.get("x-background") == "1"
    # The idea list filters itself as one types: the person's own request.
    page.goto(hall.community_url("/ideas"))
    with page.expect_request(lambda r: "q=" in r.url) as search:
        page.locator("#q").fill("感应灯")
    assert search.value.headers.get("hx-request") == "true"
    assert "x-background" not in search.value.headers


def test_the_warning_comes_first_and_one_key_keeps_the_session(hall, new_page):
    page = new_page()
    english(page, hall)
    page.clock.install()
    logs_in(page, hall, hall.staff_username)
    page.goto(hall.community_url("/ideas"))
    dialog = page.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_hidden()
    # 28 minutes 40 seconds later, with no request of the staff member's own in between.
    idle_since(hall, page.context, 28 * 60 + 40)
    page.clock.fast_forward("28:40")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".idle-countdown")).to_have_text(re.compile(r"^0[01]:\d\d$"))
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert time.time() - last_seen(hall, page.context) < 30  # the server's clock restarted
    assert page.url == hall.community_url("/ideas")  # nothing reloaded or lost


def test_at_the_end_the_page_goes_to_the_login_page_saying_why(hall, new_page):
    page = new_page()
    english(page, hall)
    page.clock.install()
    logs_in(page, hall, hall.staff_username)
    page.goto(hall.community_url("/ideas"))
    idle_since(hall, page.context, 31 * 60)
    page.clock.fast_forward("31:00")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator(".flash.error")).to_contain_text(
        "You were signed out after 30 minutes without activity")
    expect(page.locator("header form[action$='/logout']")).to_have_count(0)


def test_residents_see_no_warning(hall, new_page):
    with hall.seeding() as make:
        make.user(Community.by_slug(hall.slug), username="wang_ayi")
    page = new_page()
    logs_in(page, hall, "wang_ayi")
    page.goto(hall.community_url("/ideas"))
    expect(page.locator("#idle-warning")).to_have_count(0)
