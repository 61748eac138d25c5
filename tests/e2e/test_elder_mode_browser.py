"""长辈模式 (elder mode) in Chromium: the switch in the header, found by its role and name,
works without JavaScript; in elder mode body text is at least 18px, every control at least
48px high and text at 7:1 contrast on the main pages (home, ideas, an idea with its
thread, the ballot, the notices, an outcome page), and at 200 % zoom nothing is wider than
the window.

`enter_elder_mode` is for other browser tests (the axe crawl) that scan pages in elder
mode: it sets the device's cookie, as pressing the switch would."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.accounts.models import User
from app.community import Community
from app.elder import COOKIE, ON

from ..notices_factories import adopted_round, open_notice
from ..outcomes_factories import published
from .conftest import DESKTOP, Hall
from .navigators import logs_in

pytestmark = pytest.mark.browser

SWITCH_NAME = re.compile("长辈模式|Large text")
# 200 % zoom of a 1280 × 900 window: half the CSS pixels, each drawn twice as large.
ZOOMED = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
LONG_WORD = "https://example.com/" + "a" * 120


def enter_elder_mode(page_or_context: Page | BrowserContext, base_url: str) -> None:
    """Every page this browser context opens from now on is in elder mode."""
    context = getattr(page_or_context, "context", page_or_context)
    context.add_cookies([{"name": COOKIE, "value": ON, "url": base_url}])


def seed(hall: Hall) -> dict[str, str]:
    """A resident, an idea with its thread (a reply holding a long link), an open ballot,
    a public notice and a published outcome. Returns the main pages' paths, by name."""
    with hall.seeding() as make:
        community = Community.by_slug(hall.slug)
        staff = User.by_username(hall.staff_username)
        make.user(community, username="wang_ayi", display_name="王阿姨")
        idea = make.idea(community, stage="deliberating",
                         title="在3号楼车棚加装电动自行车充电桩，按次扫码付费，由物业负责维护")
        first = make.comment(idea, body="电瓶车在楼道里充电很危险，去年隔壁小区就出过事。")
        make.comment(idea, body=f"物业的方案在这里：{LONG_WORD}", parent=first)
        make.comment(idea, body="充电桩最好装在车棚北侧，不挡路。", stance="suggestion")
        ballot = make.round(community, title="2026年冬季“静邻议事厅”微更新预算投票")
        adopted_round(make, community, staff)
        notice = open_notice(community, staff, title="睦邻小广场增设带靠背长椅公示")
        outcome = published(make, community, staff)
        return {"home": "/", "ideas": "/ideas", "idea": f"/ideas/{idea.id}",
                "ballot": f"/rounds/{ballot.id}/ballot", "notices": "/notices/",
                "notice": f"/notices/{notice.id}", "outcome": f"/outcomes/{outcome.id}"}


# Shown to the eye: a box larger than the 1px of words for screen readers only, and not
# the skip link, which waits above the page until the keyboard reaches it.
SHOWN = """
const shown = el => {
  const box = el.getBoundingClientRect();
  return box.width > 1 && box.height > 1 && getComputedStyle(el).visibility !== 'hidden' &&
    !el.closest('.skip, [aria-hidden="true"]');
};
const hasText = el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
const label = el => `${el.tagName}.${el.className} "${(el.textContent || el.name).trim().slice(0, 30)}"`;
const all = selector => [...document.querySelectorAll(selector)];
"""

# Text (not in SVG charts, which scale with their box) under 18px.
SMALL_TEXT = "() => {" + SHOWN + """
  return all('body *').filter(el => shown(el) && hasText(el) && !el.closest('svg') &&
                                    parseFloat(getComputedStyle(el).fontSize) < 18)
    .map(el => `${label(el)} ${getComputedStyle(el).fontSize}`);
}"""

# Text against the first opaque background behind it, under 7:1 (WCAG AAA).
LOW_CONTRAST = "() => {" + SHOWN + """
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = el => {
    for (let node = el; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || c[3] > 0.9) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return all('body *').filter(el => shown(el) && hasText(el) && !el.closest('svg'))
    .map(el => {
      const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(behind(el))]
        .sort((x, y) => y - x);
      return [label(el), (a + 0.05) / (b + 0.05)];
    }).filter(([_label, ratio]) => ratio < 7);
}"""

# Buttons, links shown as buttons, fields, navigation links and summaries; a checkbox or
# radio is measured by the label that wraps it (the label is what a finger presses).
SMALL_CONTROLS = "() => {" + SHOWN + """
  return all('button, .button, input:not([type=hidden]), select, textarea, summary, nav a,' +
             '.site-header a, .site-footer a, ul.stage-counts a, .pager a')
    .map(el => el.matches('input[type=checkbox], input[type=radio]') ?
                 (el.closest('label') || el) : el)
    .filter(el => shown(el) && el.getBoundingClientRect().height < 48)
    .map(el => `${label(el)} ${el.getBoundingClientRect().height}px`);
}"""

# Elements reaching past the window's sides, unless a box that scrolls or clips holds them.
WIDER_THAN_WINDOW = "() => {" + SHOWN + """
  const width = document.documentElement.clientWidth;
  const held = el => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  return all('body *').filter(el => {
    const box = el.getBoundingClientRect();
    return shown(el) && (box.right > width + 1 || box.left < -1) && !held(el);
  }).map(el => `${label(el)} ${el.getBoundingClientRect().left}..` +
               `${el.getBoundingClientRect().right}`);
}"""


def check_elder_page(page: Page, name: str) -> None:
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body >= 18, f"{name}: body text is {body}px"
    assert page.evaluate(SMALL_TEXT) == [], f"{name}: text under 18px"
    assert page.evaluate(SMALL_CONTROLS) == [], f"{name}: controls under 48px high"
    assert page.evaluate(LOW_CONTRAST) == [], f"{name}: text under 7:1 contrast"
    overflow = page.evaluate("document.documentElement.scrollWidth - "
                             "document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the window"
    assert page.evaluate(WIDER_THAN_WINDOW) == [], f"{name}: content cut off at the side"


@pytest.mark.parametrize("window", [{"viewport": DESKTOP}, ZOOMED], ids=["100%", "200%"])
def test_main_pages_in_elder_mode_have_large_text_and_controls(hall, browser: Browser, window):
    pages = seed(hall)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **window)
    try:
        page = context.new_page()
        logs_in(page, hall, "wang_ayi")
        enter_elder_mode(page, hall.base_url)
        for name, path in pages.items():
            page.goto(hall.community_url(path))
            check_elder_page(page, name)
        # The idea's thread is there, and the ballot can be filled in.
        page.goto(hall.community_url(pages["idea"]))
        expect(page.locator(".comment").first).to_be_visible()
        page.goto(hall.community_url(pages["ballot"]))
        expect(page.locator("form#ballot-form input[name=entry]").first).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("javascript,resident", [(True, None), (False, None), (False, "wang_ayi")],
                         ids=["js", "no-js", "signed-in-no-js"])
def test_the_switch_turns_elder_mode_on_and_off_and_is_remembered(hall, new_page, javascript,
                                                                   resident):
    """Signed out the switch is a GET form, signed in a POST one: both work alike."""
    seed(hall)
    page = new_page(javascript=javascript)
    if resident:
        logs_in(page, hall, resident)
    page.goto(hall.community_url("/ideas"))
    switch = page.get_by_role("button", name=SWITCH_NAME)
    expect(switch).to_have_attribute("aria-pressed", "false")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\belder\b"))
    nav_links = page.locator("nav.community-nav a")
    full = nav_links.count()

    switch.click()
    expect(page).to_have_url(hall.community_url("/ideas"))
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    expect(page.get_by_role("button", name=SWITCH_NAME)).to_have_attribute("aria-pressed",
                                                                           "true")
    expect(nav_links).to_have_count(5)
    assert full > 5
    page.goto(hall.community_url("/"))  # the next page, and the next visit, stay large
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))

    page.get_by_role("button", name=SWITCH_NAME).click()
    expect(page).to_have_url(hall.community_url("/"))
    expect(page.locator("html")).not_to_have_class(re.compile(r"\belder\b"))
    expect(nav_links).to_have_count(full)
