"""The 公示 poster for the notice board, printed by Chromium: one A4 page whatever the
length of the notice (the text gets smaller type, then is cut with a note that the full
text is online), nothing clipped that was not meant to be, no site navigation on paper.
The PNG of the poster goes to docs/screenshots/notice-poster.png for the README."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.accounts.models import User
from app.community import Community
from app.extensions import db
from app.settings import ROOT

from ..notices_factories import noticed_plan, open_notice
from .conftest import Hall

pytestmark = pytest.mark.browser

A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 px per inch
SCREENSHOT = ROOT / "docs" / "screenshots" / "notice-poster.png"
TITLE = "关于2026年度高荣居民区“微更新”项目预算投票结果的公示"
TEXT = """经居民议事会协商、全体居民投票，2026年度“微更新”预算投票（预算¥60,000.00，按得票多少依次入选）结果已于12月6日由居委会确认。以下项目入选：
1. 3号楼车棚加装电动自行车充电桩：¥28,000.00（312票），由物业负责实施；
2. 儿童游乐区铺设塑胶地面：¥19,500.00（287票），由居委会负责实施；
3. 楼道声控灯全部换成LED：¥12,000.00（254票），由物业负责实施。
合计¥59,500.00，未超出预算。
公示期为七天。居民如有异议，请在公示期内扫描右下角二维码在线提出，或到居委会（小区东门二楼）当面提出。居委会将逐条公开答复；公示期满且异议均已答复后，项目正式立项实施。
高荣居民区居民委员会"""


def pages_in(pdf: bytes) -> int:
    """Page objects in a PDF (Chromium writes them as plain dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def seed_notice(hall: Hall, *, title: str = TITLE, text: str = TEXT) -> int:
    with hall.seeding() as make, hall.app.test_request_context():
        community = Community.by_slug(hall.slug)
        staff = User.by_username(hall.staff_username)
        noticed_plan(make, community, staff, title="楼道声控灯全部换成LED")
        notice_id = open_notice(community, staff, title=title, text=text).id
        db.session.commit()
        return notice_id


def opens_poster(page: Page, hall: Hall, notice_id: int) -> None:
    page.goto(hall.community_url(f"/notices/{notice_id}/poster"))
    page.wait_for_load_state("load")


def overflow(page: Page) -> dict:
    """How far the text box and the whole poster are taller than the room they have."""
    return page.evaluate("""() => {
        const box = el => {
            const e = document.querySelector(el);
            return e.scrollHeight - e.clientHeight;
        };
        return {text: box('.poster-text'), poster: box('.poster'),
                wide: document.querySelector('.poster-text').scrollWidth
                      - document.querySelector('.poster-text').clientWidth};
    }""")


def test_the_notice_poster_prints_on_one_a4_page(hall, new_page):
    notice_id = seed_notice(hall)
    page = new_page(viewport=A4)
    opens_poster(page, hall, notice_id)
    expect(page.locator(".poster-title")).to_have_text(TITLE)
    expect(page.locator(".poster-community")).to_have_text(hall.community_name)
    address = hall.community_url(f"/notices/{notice_id}")
    expect(page.locator(".poster-link")).to_have_text(address)
    expect(page.locator("svg.poster-qr")).to_be_visible()
    assert overflow(page) == {"text": 0, "poster": 0, "wide": 0}
    box = page.locator(".poster").bounding_box()
    assert (round(box["width"]), round(box["height"])) == (A4["width"], A4["height"])
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.locator(".poster").screenshot(path=str(SCREENSHOT))

    pdf = page.pdf(format="A4", print_background=True)
    assert pages_in(pdf) == 1
    page.emulate_media(media="print")
    expect(page.locator(".poster-toolbar")).to_be_hidden()  # no site navigation on paper
    expect(page.locator(".poster-qr")).to_be_visible()

    # The counter does count pages: the notice's own page is longer than one A4.
    page.emulate_media(media="screen")
    page.goto(hall.community_url(f"/notices/{notice_id}"))
    assert pages_in(page.pdf(format="A4", print_background=True)) > 1


LONG_LINES = "\n".join(f"{n}. 楼道声控灯更换为LED（共120盏）：¥12,000.00，由物业负责。"
                       for n in range(1, 120))


@pytest.mark.parametrize("title, text, cut", [
    ("长" * 120, "很长的公示内容，" * 600, True),
    (TITLE, LONG_LINES, True),
    (TITLE, "\n\n".join([TEXT] * 6), True),
    ("Notice: the stairwell lights", "The lights in the stairwell of building 3 are "
     "replaced with LEDs by the property company. " * 45, True),
    (TITLE, "https://example.com/" + "a" * 900, False),
    (TITLE, TEXT, False),
    (TITLE, "短。", False),
], ids=["longest", "many-lines", "paragraphs", "english", "unbroken", "usual", "short"])
def test_any_notice_fits_one_page_and_says_when_it_is_cut(hall, new_page, title, text, cut):
    notice_id = seed_notice(hall, title=title, text=text)
    page = new_page(viewport=A4)
    opens_poster(page, hall, notice_id)
    assert overflow(page) == {"text": 0, "poster": 0, "wide": 0}
    paragraphs = page.locator(".poster-text p:not(.poster-cut)").all_inner_texts()
    if cut:
        expect(page.locator(".poster-cut")).to_be_visible()
        assert paragraphs[-1].endswith("…") and len(paragraphs) <= text.count("\n") + 1
    else:
        expect(page.locator(".poster-cut")).to_have_count(0)
        assert [p.strip() for p in paragraphs] == [p.strip() for p in text.split("\n")]
    assert pages_in(page.pdf(format="A4", print_background=True)) == 1
