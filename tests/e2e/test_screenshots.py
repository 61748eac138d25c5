"""Screenshots of the main pages on a phone and a desktop, saved to test-artifacts/ for a
person to look at (Chinese rendered, not boxes; a calm layout), plus the checks a machine
can make: the stylesheet is applied, nothing is wider than the phone, badges and buttons
have WCAG AA contrast."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.accounts.models import User
from app.community import Community
from app.extensions import db
from proposals import services
from proposals.models import IdeaSupport, StageChange
from proposals.photos import process_photo
from proposals.stages import STAGES

from .conftest import DESKTOP, MOBILE
from .navigators import jpeg_bytes, logs_in

pytestmark = pytest.mark.browser

FEATURED = "在3号楼车棚加装电动自行车充电桩"
IDEAS = {
    "submitted": "小区门口增设老年人休息座椅",
    "deliberating": FEATURED,
    "planned": "2号楼加装电梯（申请30%补贴）",
    "in_round": "儿童游乐区铺设塑胶地面",
    "noticed": "垃圾分类亭加装洗手池",
    "funded": "楼道声控灯全部换成LED",
    "in_progress": "绿化带改造为共享小花园",
    "done": "西门加装雨棚",
    "not_adopted": "把中心花园改成停车位",
    "merged": "车棚充电插座",
    "withdrawn": "周末组织跳蚤市场",
}


def seed_a_lively_community(hall) -> int:
    """One idea in every stage, photos on some, a timeline with reasons, some supports.
    Returns the featured idea's id."""
    with hall.seeding() as make:
        community = Community.by_slug(hall.slug)
        community.description = "上海市高荣居民区“静邻议事厅”：居民提出金点子，大家一起商量，把好点子变成金钥匙。"
        staff = User.by_username(hall.staff_username)
        authors = [make.user(community, display_name=n) for n in ("王阿姨", "张叔叔", "陈老师")]
        featured_id = None
        for i, stage in enumerate(STAGES):
            photos = []
            if stage in ("deliberating", "planned", "done", "in_progress"):
                photos = [process_photo(jpeg_bytes(640, 480, hue=i * 17), max_bytes=10**7,
                                        max_pixels=10**7)]
                if stage == "deliberating":
                    photos.append(process_photo(jpeg_bytes(480, 640, hue=40), max_bytes=10**7,
                                                max_pixels=10**7))
            idea = services.hand_in(
                community, authors[i % 3], title=IDEAS[stage],
                description="电瓶车在楼道里充电很危险，去年隔壁小区就出过事。\n"
                            "建议在3号楼车棚装十个充电桩，按次扫码付费，由物业负责维护。",
                category=("facilities", "safety", "environment", "children")[i % 4],
                building=community.buildings[i % len(community.buildings)],
                place="3号楼车棚" if stage == "deliberating" else "",
                estimated_cost_fen=1_280_050 if stage == "deliberating" else None,
                photos=photos)
            db.session.flush()
            if stage != "submitted":
                idea.stage = stage
                idea.timeline.append(StageChange(
                    from_stage="submitted", to_stage=stage, actor_id=staff.id,
                    reason="居委会初审：涉及消防安全，符合议事范围，进入议事。请大家在留言区发表意见。"))
            for author in authors[: (i % 3) + 1]:
                db.session.add(IdeaSupport(idea_id=idea.id, user_id=author.id))
            if stage == "deliberating":
                featured_id = idea.id
            db.session.commit()
        return featured_id


WCAG_CONTRAST = """
els => els.map(el => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = null;
  for (let node = el; node; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) { bg = c.slice(0, 3); break; }
  }
  bg = bg || [255, 255, 255];
  const fg = parse(getComputedStyle(el).color).slice(0, 3);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return [el.className + ' ' + el.textContent.trim(), (a + 0.05) / (b + 0.05)];
})
"""


def check_page(page: Page) -> None:
    """The stylesheet is applied, nothing overflows sideways, texts are legible."""
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Sans CJK SC" in body_font, body_font
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 17
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    selectors = ".stage, .button.primary, button.primary, .flash, a, .muted, .meta"
    for label, ratio in page.locator(selectors).evaluate_all(WCAG_CONTRAST):
        assert ratio >= 4.5, f"contrast {ratio:.2f} < 4.5 for {label!r}"
    for button in page.locator("#main button:visible, #main .button:visible").all():
        assert button.bounding_box()["height"] >= 44, button.inner_text()


def shoot(page: Page, artifacts, name: str) -> None:
    page.wait_for_load_state("load")
    check_page(page)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("device,viewport", [("mobile", MOBILE), ("desktop", DESKTOP)])
def test_screenshots_of_the_main_pages(hall, new_page, artifacts, device, viewport):
    featured = seed_a_lively_community(hall)

    visitor = new_page(viewport=viewport)
    visitor.goto(hall.community_url("/"))
    expect(visitor.locator("h1")).to_contain_text(hall.community_name)
    shoot(visitor, artifacts, f"home-{device}")
    skip = visitor.locator("a.skip[href='#main']")
    expect(skip).not_to_be_in_viewport()
    visitor.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    visitor.screenshot(path=str(artifacts / f"skip-link-{device}.png"))

    visitor.goto(hall.community_url("/ideas"))
    expect(visitor.locator("#idea-results .idea-card")).to_have_count(len(STAGES))
    shoot(visitor, artifacts, f"ideas-{device}")

    visitor.goto(hall.community_url(f"/ideas/{featured}"))
    expect(visitor.locator("article.idea h1")).to_have_text(FEATURED)
    for img in visitor.locator(".photos img").all():
        img.scroll_into_view_if_needed()
        visitor.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                  arg=img.element_handle())
    visitor.evaluate("window.scrollTo(0, 0)")
    shoot(visitor, artifacts, f"idea-{device}")

    staff = new_page(viewport=viewport)
    logs_in(staff, hall, hall.staff_username)
    staff.goto(hall.community_url(f"/ideas/{featured}"))
    staff.locator("#moves details summary").first.click()
    shoot(staff, artifacts, f"idea-staff-{device}")
    staff.goto(hall.community_url("/ideas/new"))
    shoot(staff, artifacts, f"hand-in-{device}")
    staff.goto(hall.community_url("/staff/members"))
    shoot(staff, artifacts, f"members-{device}")
