"""A project and its outcome in a real browser: staff add a milestone with a photo and a
payment to the ledger; a resident who follows the idea finds the milestone in the
notification centre and follows it to the project; then rates a finished project's
outcome page with one of the five faces."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from app.community import Community
from app.extensions import db
from proposals.models import IdeaSupport
from proposals.outcomes import services as outcomes
from proposals.outcomes.models import Outcome
from proposals.photos import process_photo
from proposals.projects.services import create_project

from .conftest import Hall
from .navigators import jpeg_bytes, logs_in, submit, write_photo

pytestmark = pytest.mark.browser

MILESTONE = "充电桩通电验收"
PAYEE = "曹家渡电气安装工程队"


@dataclass
class Seeded:
    project_id: int
    outcome_id: int
    follower: str


def seed(hall: Hall) -> Seeded:
    """A project in progress that a resident supports (and so follows), and a finished
    project with its published outcome page."""
    with hall.seeding() as make:
        community = Community.by_slug(hall.slug)
        staff = make.user(community, "staff")
        follower = make.user(community, username="wang_ayi", display_name="王阿姨")
        building = make.planned_idea(community, 68_000_00, title="759弄安装非机动车充电桩")
        done = make.planned_idea(community, 12_000_00, title="楼道灯更换为声控LED灯")
        for idea in (building, done):
            idea.stage = "funded"  # its notice is not this story: straight to funded
        db.session.add(IdeaSupport(idea_id=building.id, user_id=follower.id))
        project, finished = create_project(building, staff), create_project(done, staff)
        building.stage = done.stage = "in_progress"
        outcome = outcomes.draft_outcome(finished, staff)
        outcomes.edit(outcome, staff, title="楼道亮了", summary="120盏声控LED灯全部换好。")
        photo = process_photo(jpeg_bytes(), max_bytes=10 * 2**20, max_pixels=40_000_000)
        outcomes.add_photo(outcome, staff, "after", photo, caption="完工后")
        outcomes.publish(outcome, staff)
        db.session.commit()
        return Seeded(project.id, outcome.id, follower.username)


def adds_a_milestone(page: Page, hall: Hall, project_id: int, photo) -> None:
    page.goto(hall.community_url(f"/projects/{project_id}"))
    form = page.locator("form#milestone-form")
    form.locator("input[name=due_on]").fill("2026-11-20")
    form.locator("input[name=title]").fill(MILESTONE)
    form.locator("textarea[name=text]").fill("供电和消防验收合格，扫码即可充电。")
    form.locator("select[name=status]").select_option("done")
    form.locator("input[name=photos]").set_input_files(str(photo))
    submit(form)


def records_a_payment(page: Page, hall: Hall, project_id: int, photo) -> None:
    page.goto(hall.community_url(f"/projects/{project_id}"))
    form = page.locator("form#spending-form")
    form.locator("input[name=spent_on]").fill("2026-11-21")
    form.locator("input[name=amount]").fill("40800")
    form.locator("input[name=payee]").fill(PAYEE)
    form.locator("input[name=purpose]").fill("40个充电桩设备")
    form.locator("select[name=source_kind]").select_option("round_budget")
    form.locator("input[name=receipt]").set_input_files(str(photo))
    submit(form)


def test_a_milestone_reaches_a_follower_and_a_resident_rates_the_outcome(
        hall: Hall, new_page, tmp_path):
    seeded = seed(hall)
    photo = write_photo(tmp_path)

    staff = new_page()
    logs_in(staff, hall, hall.staff_username)
    adds_a_milestone(staff, hall, seeded.project_id, photo)
    milestones = staff.locator("#milestones")
    expect(milestones).to_contain_text(MILESTONE)
    expect(milestones.locator("img")).to_have_count(1)
    records_a_payment(staff, hall, seeded.project_id, photo)
    expect(staff.locator("#ledger")).to_contain_text(PAYEE)
    expect(staff.locator("#ledger")).to_contain_text("40,800.00")
    expect(staff.locator("#ledger a[href*='/media/ideas/']")).to_have_count(1)

    resident = new_page()
    logs_in(resident, hall, seeded.follower)
    expect(resident.locator("#bell .count")).to_have_text("1")
    resident.locator("#bell").click()
    notification = resident.locator("#notifications li.notification").first
    expect(notification).to_contain_text(MILESTONE)
    notification.locator("button[type=submit]").first.click()
    expect(resident).to_have_url(f"{hall.community_url()}projects/{seeded.project_id}#milestones")
    expect(resident.locator("#milestones")).to_contain_text(MILESTONE)

    resident.goto(hall.community_url(f"/outcomes/{seeded.outcome_id}"))
    happiest = resident.locator("form.faces button[name=score][value='5']")
    happiest.click()
    expect(resident.locator("form.faces button[name=score][value='5']")).to_have_attribute(
        "aria-pressed", "true")
    expect(resident.locator("#satisfaction")).to_contain_text("1")
    with hall.app.app_context():
        outcome = db.session.get(Outcome, seeded.outcome_id)
        assert outcomes.distribution(outcome).counts[5] == 1
