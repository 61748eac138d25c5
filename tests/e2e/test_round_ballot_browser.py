"""A resident votes in a budget round in a real browser: the running total follows the
ticks, a tick that would go over the budget is refused and named, the ballot is saved,
then changed. Once with htmx, once with JavaScript switched off."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.community import Community
from app.extensions import db

from .conftest import Hall
from .navigators import assert_not_reloaded, logs_in, mark_page, submit

pytestmark = pytest.mark.browser

# (title, cost in yuan) on a ¥60,000 ballot: the first two together do not fit.
IDEAS = (("3号楼车棚加装充电桩", 40_000), ("2号楼楼道声控灯换新", 30_000),
         ("中心花园健身角", 20_000))
CHARGERS, LIGHTS, FITNESS = (title for title, _cost in IDEAS)
ROUND_TITLE = "2026年微更新预算投票"


def seed(hall: Hall) -> tuple[str, dict[str, int]]:
    """An open knapsack round and a verified resident; the round's path and entry ids."""
    with hall.seeding() as make:
        community = Community.by_slug(hall.slug)
        make.user(community, username="wang_ayi", display_name="王阿姨")
        r = make.round(community, costs=[cost * 100 for _t, cost in IDEAS],
                       budget_fen=60_000_00, title=ROUND_TITLE)
        for entry, (title, _cost) in zip(r.entries, IDEAS):
            entry.idea.title = title
        db.session.commit()
        return f"/rounds/{r.id}", {e.idea.title: e.id for e in r.entries}


def box(page: Page, entries: dict[str, int], title: str):
    return page.locator(f"#ballot-form input[name=entry][value='{entries[title]}']")


def total(page: Page):
    return page.locator("#ballot-total")


def opens_ballot(page: Page, hall: Hall, round_path: str) -> None:
    """Community nav → budget votes → the round → Vote."""
    page.goto(hall.community_url("/"))
    page.locator(f"nav.community-nav a[href='/c/{hall.slug}/rounds/']").click()
    page.locator(f"#main a[href='/c/{hall.slug}{round_path}']").click()
    expect(page.locator("h1")).to_have_text(ROUND_TITLE)
    page.locator(f"#my-vote a[href='/c/{hall.slug}{round_path}/ballot']").click()
    expect(page.locator("form#ballot-form")).to_be_visible()


def ticks(page: Page, entries: dict[str, int], title: str, *, chosen: str, left: str) -> None:
    """Tick (or untick) an idea and watch the running total change without a reload."""
    with page.expect_response(re.compile(r"/ballot/total\?")):
        box(page, entries, title).click()
    expect(total(page)).to_contain_text(f"¥{chosen}")
    expect(total(page)).to_contain_text(f"¥{left}")


def sees_saved(page: Page, version: int, chosen: list[str], not_chosen: list[str]) -> None:
    expect(page).to_have_url(re.compile(rf"/ballot/done\?saved={version}$"))
    saved = page.locator(".ballot-saved")
    expect(saved).to_contain_text(str(version))
    listed = page.locator("ul.ballot-choices-done")
    for title in chosen:
        expect(listed).to_contain_text(title)
    for title in not_chosen:
        expect(listed).not_to_contain_text(title)


def test_resident_votes_within_the_budget_then_changes_the_ballot(hall, new_page):
    round_path, entries = seed(hall)
    page = new_page()
    logs_in(page, hall, "wang_ayi")
    opens_ballot(page, hall, round_path)
    page.wait_for_function("() => window.htmx !== undefined")
    mark_page(page)
    expect(total(page)).to_contain_text("¥0.00")

    ticks(page, entries, FITNESS, chosen="20,000.00", left="40,000.00")
    ticks(page, entries, CHARGERS, chosen="60,000.00", left="0.00")
    # The lights no longer fit: marked, and the box cannot be ticked.
    expect(box(page, entries, LIGHTS)).to_be_disabled()
    expect(page.locator(f"#entry-{entries[LIGHTS]}-why")).to_contain_text("¥30,000.00")
    ticks(page, entries, CHARGERS, chosen="20,000.00", left="40,000.00")
    expect(box(page, entries, LIGHTS)).to_be_enabled()

    # On a slow connection two ticks can cross: the first answer has not come back when
    # the second box is ticked. The server then refuses the newer tick and names it.
    held = []
    page.route(re.compile(r"/ballot/total\?"),
               lambda route: held.append(route) if not held else route.continue_())
    box(page, entries, CHARGERS).click()
    with page.expect_response(re.compile(r"/ballot/total\?")):
        box(page, entries, LIGHTS).click()
    page.unroute(re.compile(r"/ballot/total\?"))
    refused = total(page).locator(".refused")
    expect(refused).to_contain_text(LIGHTS)
    expect(refused).to_contain_text("¥30,000.00")  # 20k + 40k + 30k over a 60k budget
    expect(box(page, entries, LIGHTS)).not_to_be_checked()
    expect(box(page, entries, CHARGERS)).to_be_checked()
    expect(total(page)).to_contain_text("¥60,000.00")
    assert_not_reloaded(page)

    submit(page.locator("form#ballot-form"))
    sees_saved(page, 1, [CHARGERS, FITNESS], [LIGHTS])

    page.locator("a[href$='/ballot']").first.click()
    expect(box(page, entries, CHARGERS)).to_be_checked()
    expect(box(page, entries, FITNESS)).to_be_checked()
    page.wait_for_function("() => window.htmx !== undefined")
    # Back on the saved ballot the lights are marked but open: ticking them is refused.
    with page.expect_response(re.compile(r"/ballot/total\?")):
        box(page, entries, LIGHTS).click()
    expect(total(page).locator(".refused")).to_contain_text(LIGHTS)
    expect(box(page, entries, LIGHTS)).not_to_be_checked()
    ticks(page, entries, CHARGERS, chosen="20,000.00", left="40,000.00")
    ticks(page, entries, LIGHTS, chosen="50,000.00", left="10,000.00")
    submit(page.locator("form#ballot-form"))
    sees_saved(page, 2, [LIGHTS, FITNESS], [CHARGERS])


def test_without_javascript_the_server_refuses_too_much_and_keeps_the_ticks(hall, new_page):
    round_path, entries = seed(hall)
    page = new_page(javascript=False)
    logs_in(page, hall, "wang_ayi")
    opens_ballot(page, hall, round_path)
    box(page, entries, CHARGERS).check()
    box(page, entries, LIGHTS).check()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("form#ballot-form button[type=submit]").click()
    assert posted.value.status == 422
    expect(page.locator("#ballot-error")).to_contain_text("¥70,000.00")
    expect(box(page, entries, CHARGERS)).to_be_checked()
    expect(box(page, entries, LIGHTS)).to_be_checked()
    box(page, entries, LIGHTS).uncheck()
    box(page, entries, FITNESS).check()
    submit(page.locator("form#ballot-form"))
    sees_saved(page, 1, [CHARGERS, FITNESS], [LIGHTS])
