"""Paper ballots in a real browser: staff type in a paper ballot for a neighbour who has
already voted online and are told so, naming the online vote; then they enter one for a
neighbour who has not voted, and see it in the list."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from app.community import Community
from app.extensions import db
from proposals.rounds import ballots
from proposals.rounds.eligibility import voters_for

from .conftest import Hall
from .navigators import logs_in, submit

pytestmark = pytest.mark.browser


@dataclass
class Seeded:
    paper_path: str
    online_id: int
    elder_id: int
    entry_ids: list[int]
    titles: list[str]


def seed(hall: Hall) -> Seeded:
    """An open round with three ideas; 王阿姨 has voted online, 李阿婆 has not voted."""
    with hall.seeding() as make:
        community = Community.by_slug(hall.slug)
        online = make.user(community, username="wang_ayi", display_name="王阿姨")
        elder = make.user(community, username="li_apo", display_name="李阿婆")
        r = make.round(community, title="2026年微更新预算投票")
        ballots.submit_online(r, voters_for(r, online)[0], [r.entries[0].id])
        db.session.commit()
        return Seeded(paper_path=f"/c/{hall.slug}/rounds/{r.id}/paper", online_id=online.id,
                      elder_id=elder.id, entry_ids=[e.id for e in r.entries],
                      titles=[e.idea.title for e in r.entries])


def opens_paper_page_in_english(page: Page, hall: Hall, path: str) -> None:
    # English, so the refusal can be read for the word that names the other channel.
    page.goto(hall.url(f"/lang/en?next={path}"))
    expect(page.locator("form#paper-form")).to_be_visible()
    page.wait_for_function("() => window.htmx !== undefined")


def finds_resident(page: Page, text: str, expected_options: int) -> None:
    """Type in the filter; htmx narrows the list of residents without a reload."""
    page.locator("#voter-q").fill(text)
    expect(page.locator("#paper-voter option")).to_have_count(expected_options)


def types_in_paper(page: Page, *, voter_id: int, entry_id: int, ref: str) -> None:
    form = page.locator("form#paper-form")
    form.locator("select[name=voter]").select_option(str(voter_id))
    form.locator(f"input[name=entry_ids][value='{entry_id}']").check()
    form.locator("input[name=paper_ref]").fill(ref)


def test_staff_are_told_a_paper_ballot_clashes_with_an_online_vote(hall, new_page):
    seeded = seed(hall)
    page = new_page()
    logs_in(page, hall, hall.staff_username)
    opens_paper_page_in_english(page, hall, seeded.paper_path)

    finds_resident(page, "王", expected_options=2)  # the placeholder and 王阿姨
    types_in_paper(page, voter_id=seeded.online_id, entry_id=seeded.entry_ids[1], ref="P-0001")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("form#paper-form button[type=submit]").click()
    assert posted.value.status == 422
    refusal = page.locator("#paper-error")
    expect(refusal).to_contain_text("王阿姨")
    expect(refusal).to_contain_text("online")
    expect(page.locator("table.paper-entries")).to_have_count(0)

    # The refused form keeps what was ticked; only whose ballot and its number change.
    types_in_paper(page, voter_id=seeded.elder_id, entry_id=seeded.entry_ids[1], ref="P-0002")
    submit(page.locator("form#paper-form"))
    expect(page.locator(".flash.success")).to_contain_text("P-0002")
    row = page.locator("table.paper-entries tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("P-0002")
    expect(row).to_contain_text("李阿婆")
    expect(row).to_contain_text(hall.staff_name)
