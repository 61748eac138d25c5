"""An owners' decision in a real browser: staff type in a signature sheet collected door
to door, and the live count on the decision's page, open in another window, moves by
itself; once the result is final, staff apply it and the idea's timeline shows it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.community import Community
from app.extensions import db
from app.timeutil import utcnow
from proposals.owners import decisions
from proposals.owners.models import Owner, OwnersDecision
from proposals.owners.register import import_register
from proposals.owners.register_csv import UnitRow

from .conftest import Hall
from .navigators import logs_in, submit

pytestmark = pytest.mark.browser

# building, unit, area in hundredths of a m², owner id, developer's unsold unit
REGISTER = [("1号楼", "101", 100_00, "GR-01", False), ("1号楼", "102", 100_00, "GR-01", False),
            ("1号楼", "201", 80_50, "GR-02", False), ("1号楼", "202", 90_00, "GR-03", False)]
TITLE = "1号楼加装电梯表决"


@dataclass
class Seeded:
    decision_id: int
    idea_id: int
    owners: dict[str, int]

    def path(self, hall: Hall, rest: str = "") -> str:
        return f"/c/{hall.slug}/owners/{self.decision_id}{rest}"


def seed(hall: Hall) -> Seeded:
    """The register of 1号楼 (three owners, one with two flats), a planned idea and an
    open decision on it (a special matter: three quarters)."""
    with hall.seeding() as make:
        import_register(hall.slug, [UnitRow(n, *row) for n, row in enumerate(REGISTER, 2)])
        community = Community.by_slug(hall.slug)
        idea = make.planned_idea(community, 450_000_00, title="1号楼加装电梯")
        decision = decisions.open_decision(community, "rebuild", TITLE, idea=idea,
                                           text="是否同意在1号楼加装电梯？")
        db.session.commit()
        owners = {o.register_id: o.id for o in db.session.scalars(select(Owner))}
        return Seeded(decision.id, idea.id, owners)


def owners_taking_part(page: Page):
    """The count of owners taking part, as the decision page's live tally shows it."""
    return page.locator("#owners-tally [data-meter=quorum_heads] .owners-figures strong")


def enters_sheet(page: Page, *, owner_id: int, choice: str, ref: str) -> None:
    form = page.locator("form#sheet-form")
    form.locator("select[name=owner]").select_option(str(owner_id))
    form.locator(f"input[name=choice][value={choice}]").check()
    form.locator("input[name=sheet_ref]").fill(ref)
    submit(form)
    expect(page.locator(".flash.success")).to_contain_text(ref)


def closes_beyond_grace(hall: Hall, seeded: Seeded) -> None:
    """Time passes: voting closed more than three days ago, so the result is final."""
    with hall.seeding():
        decision = db.session.get(OwnersDecision, seeded.decision_id)
        decision.opens_at = utcnow() - timedelta(days=20)
        decision.closes_at = utcnow() - timedelta(days=3, hours=1)
        db.session.commit()


def others_sign(hall: Hall, seeded: Seeded) -> None:
    with hall.seeding():
        decision = db.session.get(OwnersDecision, seeded.decision_id)
        for register_id in ("GR-02", "GR-03"):
            decisions.enter_sheet(decision, db.session.get(Owner, seeded.owners[register_id]),
                                  "agree", f"签-{register_id}", staff=None)
        db.session.commit()


def test_a_sheet_moves_the_live_count_and_the_result_reaches_the_idea(hall, new_page):
    seeded = seed(hall)
    # A neighbour watches the decision's page (as on the meeting-room screen).
    watcher = new_page()
    watcher.goto(hall.url(seeded.path(hall)))
    expect(owners_taking_part(watcher)).to_have_text("0")

    staff = new_page()
    logs_in(staff, hall, hall.staff_username)
    staff.goto(hall.url(seeded.path(hall, "/sheets")))
    enters_sheet(staff, owner_id=seeded.owners["GR-01"], choice="agree", ref="1号楼-001")
    row = staff.locator("table.sheet-entries tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("1号楼-001")
    expect(row).to_contain_text("GR-01")
    expect(row).to_contain_text(hall.staff_name)

    # The watcher's page was not reloaded: its tally polls and counts the sheet.
    expect(owners_taking_part(watcher)).to_have_text("1")
    area = watcher.locator("#owners-tally [data-meter=quorum_area] .owners-figures strong")
    expect(area).to_contain_text("200.00")
    # The staff see the same count on the decision page.
    staff.goto(hall.url(seeded.path(hall)))
    expect(owners_taking_part(staff)).to_have_text("1")

    others_sign(hall, seeded)
    closes_beyond_grace(hall, seeded)
    staff.goto(hall.url(seeded.path(hall, "/sheets")))
    expect(staff.locator("form#sheet-form")).to_have_count(0)  # final: no more sheets
    submit(staff.locator("form#apply-form"))
    expect(staff.locator(".flash.success")).to_contain_text(TITLE)
    expect(staff.locator("#applied-result")).to_contain_text("370.50")

    staff.goto(hall.community_url(f"/ideas/{seeded.idea_id}"))
    entry = staff.locator(".timeline li").last
    expect(entry.locator(".stage")).to_have_class("stage stage-noticed")
    expect(entry.locator(".cause")).to_contain_text(TITLE)
    expect(entry.locator(".reason")).to_contain_text(TITLE)
    expect(entry.locator(".reason")).to_contain_text("370.50")  # the area in scope, in m²
