"""The outcome poster (金钥匙) printed by Chromium: one A4 page whatever the length of its
texts, with the QR code to the page; a PNG of it for the README at A4's 794×1123 CSS
pixels, saved to docs/screenshots/outcome-poster.png; and the five faces of the
satisfaction vote pressed on a phone, with and without JavaScript."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from app.accounts.models import User
from app.community import Community
from app.extensions import db
from app.settings import ROOT
from proposals.outcomes import services
from proposals.photos import process_photo
from proposals.projects.models import Project, ProjectFunding, ProjectPartner, SpendingEntry

from .conftest import ARTIFACTS, MOBILE, Hall
from .navigators import assert_not_reloaded, jpeg_bytes, logs_in, mark_page

pytestmark = pytest.mark.browser

SCREENSHOT = ROOT / "docs" / "screenshots" / "outcome-poster.png"
A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 CSS pixels per inch
# A page object of the PDF, not the /Pages tree that holds them; and a page's size in
# points (A4 is 595.92 × 842.88).
PAGE_OBJECT = re.compile(rb"/Type\s*/Page[^s]")
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]")

ROOF = "长宁路225弄屋顶修缮"
SUMMARY = ("2026年4月至6月，长宁物业对225弄3号、5号楼的屋面做了全面修缮：铲除老化的防水层，"
           "铺设两层SBS改性沥青防水卷材，更换破损的落水管12根，并在檐口加装了防坠网。\n"
           "梅雨季过后，顶楼8户居民家中再没有漏水，楼道墙面也不再发霉。"
           "施工期间，业委会和楼组长每周到现场查看一次，验收时居民代表全程参加。")


def _photo(hue: int, width: int = 800, height: int = 600):
    return process_photo(jpeg_bytes(width, height, hue=hue), max_bytes=10**7, max_pixels=10**7)


def seed(hall: Hall, *, title: str = ROOF, summary: str = SUMMARY, partners=None,
         votes=(5, 5, 4, 5, 3, 4, 5, 2)) -> int:
    """A roof repair in progress with its money, partners and photos; its outcome page
    published and rated by neighbours. Returns the outcome's id."""
    with hall.seeding() as make:
        community = Community.by_slug(hall.slug)
        staff = User.by_username(hall.staff_username)
        idea = make.idea(community, stage="in_progress", title=title[:80])
        project = Project(community_id=community.id, idea=idea, responsible_kind="property",
                          responsible_name="长宁物业", progress=100)
        project.funding = [ProjectFunding(kind="round_budget", amount_fen=60_000_00),
                           ProjectFunding(kind="maintenance_fund", amount_fen=25_000_00),
                           ProjectFunding(kind="partner", amount_fen=5_000_00)]
        project.spending = [
            SpendingEntry(spent_on=date(2026, 5, 10), amount_fen=63_450_50, payee="申城防水工程",
                          purpose="防水卷材和人工", source_kind="round_budget",
                          overspend_reason="卷材涨价，业委会同意追加。"),
            SpendingEntry(spent_on=date(2026, 6, 2), amount_fen=24_800_00, payee="申城防水工程",
                          purpose="落水管和防坠网", source_kind="maintenance_fund")]
        for name, gift in partners or (("大唐集团", "借出8个临时车位"),
                                       ("长宁区房管局", "技术指导")):
            project.partners.append(ProjectPartner(name=name, contribution=gift))
        db.session.add(project)
        db.session.commit()
        outcome = services.draft_outcome(project, staff)
        services.edit(outcome, staff, title=title, summary=summary)
        services.add_photo(outcome, staff, "before", _photo(10), "修缮前：顶楼天花板漏水发霉")
        services.add_photo(outcome, staff, "after", _photo(45), "修缮后：新的防水层和落水管")
        services.publish(outcome, staff)
        for score in votes:
            services.rate(outcome, make.user(community), score)
        db.session.commit()
        return outcome.id


def pdf_pages(page: Page) -> int:
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    for width, height in MEDIA_BOX.findall(pdf):
        assert abs(float(width) - 595.9) < 1 and abs(float(height) - 842.9) < 1
    return len(PAGE_OBJECT.findall(pdf))


def opens_poster(page: Page, hall: Hall, outcome_id: int) -> None:
    page.goto(hall.community_url(f"/outcomes/{outcome_id}/poster"))
    expect(page.locator("article.outcome-poster svg.poster-qr")).to_be_visible()
    # The photos are part of the poster: wait for them before printing.
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")


def test_the_pdf_page_count_is_read_right(hall, new_page):
    """The page counter itself: a page twice as tall as A4 prints on more than one sheet."""
    page = new_page()
    page.set_content("<p>一</p><div style='height:2400px'></div><p>二</p>")
    assert pdf_pages(page) >= 2
    page.set_content("<p>一页</p>")
    assert pdf_pages(page) == 1


def test_the_poster_prints_on_one_a4_page_and_is_saved_as_png(hall, new_page):
    outcome_id = seed(hall)
    page = new_page(viewport=A4)
    opens_poster(page, hall, outcome_id)
    poster = page.locator("article.outcome-poster")
    expect(poster.locator(".poster-title")).to_have_text(ROOF)
    expect(poster.locator(".poster-url")).to_have_text(
        hall.community_url(f"/outcomes/{outcome_id}"))
    assert pdf_pages(page) == 1

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".poster-help")).to_be_hidden()
    box = poster.bounding_box()
    assert box["width"] <= A4["width"] and box["height"] <= A4["height"]
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), clip={"x": 0, "y": 0, **A4})


def test_a_poster_with_the_longest_texts_still_fits_one_page(hall, new_page):
    long_title = ("长宁路225弄3号、5号、7号楼屋面防水层、落水管、檐口防坠网和楼道墙面"
                  "全面修缮工程") * 3
    long_summary = "\n".join(["铲除老化的防水层，铺设两层改性沥青防水卷材，更换落水管。" * 6] * 20)
    partners = [(f"共建单位第{n}号（上海市长宁区某某街道某某有限公司）", "出钱出力，借出车位和场地" * 3)
                for n in range(1, 12)]
    outcome_id = seed(hall, title=long_title[:120], summary=long_summary[:5000],
                      partners=partners)
    page = new_page(viewport=A4)
    opens_poster(page, hall, outcome_id)
    assert pdf_pages(page) == 1


@pytest.mark.parametrize("javascript", [True, False])
def test_a_resident_presses_a_face_and_sees_it_chosen(hall, new_page, javascript):
    """The five faces are buttons named by their word; the chosen one is pressed (and
    shows a tick), with htmx in place or as a plain form without JavaScript."""
    outcome_id = seed(hall, votes=())
    with hall.seeding() as make:
        make.user(Community.by_slug(hall.slug), username="wang_ayi", display_name="王阿姨")
    page = new_page(javascript=javascript, viewport=MOBILE)
    logs_in(page, hall, "wang_ayi")
    path = f"/c/{hall.slug}/outcomes/{outcome_id}"
    page.goto(hall.url(f"/lang/en?next={path}"))
    satisfaction = page.locator("#satisfaction")
    names = ["Very unhappy", "Unhappy", "Neutral", "Happy", "Very happy"]
    for name in names:
        expect(satisfaction.get_by_role("button", name=name, exact=True)).to_have_attribute(
            "aria-pressed", "false")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        mark_page(page)
    satisfaction.get_by_role("button", name="Happy", exact=True).click()
    happy = page.locator("#satisfaction").get_by_role("button", name="Happy", exact=True)
    expect(happy).to_have_attribute("aria-pressed", "true")
    expect(happy.locator(".face-check")).to_be_visible()
    expect(page.locator("#satisfaction .distribution h3")).to_contain_text("1 resident")
    if javascript:
        assert_not_reloaded(page)
    page.screenshot(path=str(ARTIFACTS / f"outcome-rated-{'js' if javascript else 'nojs'}.png"),
                    full_page=True)
