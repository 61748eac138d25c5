"""Public pages print as plain notices (no menus, buttons or forms; black on white), and
a button sending through htmx shows it is working once half a second has passed."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from app.community import Community

from .navigators import logs_in

pytestmark = pytest.mark.browser

VISIBLE_CONTROLS = """() => Array.from(document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, nav'))
  .filter(e => e.getClientRects().length > 0).map(e => e.outerHTML.slice(0, 80))"""
COLOURS = """() => ({body: getComputedStyle(document.body).color,
  background: getComputedStyle(document.body).backgroundColor,
  header: getComputedStyle(document.querySelector('.site-header')).backgroundColor})"""
SPINNER = """(sel) => getComputedStyle(document.querySelector(sel), '::after').opacity"""


def test_public_pages_print_without_menus_or_buttons(hall, new_page):
    with hall.seeding() as make:
        c = Community.by_slug(hall.slug)
        idea = make.idea(c, stage="deliberating", title="楼道装感应灯")
        make.comment(idea, body="赞成")
        r = make.round(c)
        pages = ["/", f"/c/{hall.slug}/", f"/c/{hall.slug}/ideas",
                 f"/c/{hall.slug}/ideas/{idea.id}", f"/c/{hall.slug}/rounds/{r.id}",
                 f"/c/{hall.slug}/notices/"]
    page = new_page()
    logs_in(page, hall, hall.staff_username)  # signed in: the most buttons to hide
    page.emulate_media(media="print")
    for path in pages:
        page.goto(hall.url(path))
        assert page.evaluate(VISIBLE_CONTROLS) == [], path
        colours = page.evaluate(COLOURS)
        assert colours["body"] == "rgb(0, 0, 0)", path
        assert colours["background"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), path
        assert colours["header"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), path
    page.emulate_media(media="screen")
    assert page.evaluate(VISIBLE_CONTROLS) != []  # the same page on screen has them


def test_a_slow_htmx_action_shows_it_is_working_after_half_a_second(hall, new_page):
    with hall.seeding() as make:
        c = Community.by_slug(hall.slug)
        idea_id = make.idea(c, stage="deliberating", title="楼道装感应灯").id
        make.user(c, username="wang_ayi", password=hall.password)
    page = new_page()
    logs_in(page, hall, "wang_ayi")
    page.goto(hall.url(f"/c/{hall.slug}/ideas/{idea_id}"))
    button = "#support form button[type=submit]"
    expect(page.locator(button)).to_be_visible()
    assert page.evaluate(SPINNER, button) == "0"
    # What htmx does while a request is out: the form carries `htmx-request`.
    page.evaluate("(sel) => document.querySelector(sel).form.classList.add('htmx-request')",
                  button)
    time.sleep(0.2)
    assert page.evaluate(SPINNER, button) == "0"  # a quick answer never flickers
    time.sleep(0.5)
    assert page.evaluate(SPINNER, button) == "1"
    assert page.evaluate("(sel) => getComputedStyle(document.querySelector(sel)).cursor",
                         button) == "progress"
