"""A link shared in the building's WeChat group, opened in WeChat's own browser on a
390×844 phone: the neighbour reads the idea, logs in from the page, supports it and
writes a comment, and no page is wider than the phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.community import Community

from .conftest import MOBILE
from .navigators import supports_idea

pytestmark = pytest.mark.browser

# WeChat's in-app browser on Android (an X5/XWEB WebView): what the server is sent.
WECHAT = ("Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) "
          "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 "
          "Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 "
          "MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI "
          "Language/zh_CN ABI/arm64")
TITLE = "给5号楼加装电梯扶手"
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_a_shared_idea_opens_and_takes_part_inside_wechat(hall, new_page):
    with hall.seeding() as make:
        c = Community.by_slug(hall.slug)
        make.user(c, username="li_nainai", display_name="李奶奶", password=hall.password)
        idea = make.idea(c, stage="deliberating", title=TITLE,
                         description="老人上下楼不方便，扶手能帮大忙。")
        shared = f"/c/{hall.slug}/ideas/{idea.id}"

    page = new_page(viewport=MOBILE, user_agent=WECHAT, is_mobile=True, has_touch=True)
    page.goto(hall.url(shared))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert page.locator('meta[property="og:title"]').get_attribute("content") == TITLE
    assert page.evaluate(OVERFLOW) <= 0

    page.get_by_role("link", name="登录").first.click()
    page.locator("input[name=username]").fill("li_nainai")
    page.locator("input[name=password]").fill(hall.password)
    page.locator("form#account-form button[type=submit]").click()
    expect(page).to_have_url(hall.url(shared))  # back on the shared page
    assert page.evaluate(OVERFLOW) <= 0

    supports_idea(page, javascript=True)
    form = page.locator("form.comment-form")
    form.get_by_label("支持").check()
    form.locator("textarea[name=body]").fill("我家老人也盼着呢。")
    form.get_by_role("button").click()
    expect(page.locator("#thread-comments")).to_contain_text("我家老人也盼着呢。")
    assert page.evaluate(OVERFLOW) <= 0
