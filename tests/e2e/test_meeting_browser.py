"""A meeting in real browsers: the chair's console on a laptop and the projector screen at
1920×1080, side by side. The chair starts the meeting, calls a speaker and puts a motion;
two council members vote from their phones; the screen shows the speaker, a countdown
that ticks and the vote chart, all without a reload, and rides out a dropped network.
The screenshot of the screen goes to docs/screenshots/meeting-screen.png for the README."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from app.community import Community
from app.extensions import db
from app.settings import ROOT
from app.database import write_transaction
from deliberation.meetings import services as meetings
from deliberation.meetings.models import Councillor, Meeting
from proposals import services
from proposals.models import StageChange
from proposals.photos import process_photo

from .conftest import Hall
from .navigators import assert_not_reloaded, jpeg_bytes, logs_in, mark_page

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 900}
TITLE = "在3号楼车棚加装电动自行车充电桩"
QUESTION = "是否同意将3号楼车棚充电桩列入方案？"
SCREENSHOT = ROOT / "docs" / "screenshots" / "meeting-screen.png"


@dataclass
class Seeded:
    meeting_id: int
    screen_path: str
    council: list[str]  # usernames of the council members other than the chair

    def path(self, hall: Hall, rest: str = "") -> str:
        return hall.community_url(f"/meetings/{self.meeting_id}{rest}")


def seed(hall: Hall, *, turn_seconds: int = 120) -> Seeded:
    """An idea under deliberation with a photo, on the agenda of a meeting chaired by
    老周 with two more council members."""
    with hall.seeding() as make:
        community = Community.by_slug(hall.slug)
        author = make.user(community, display_name="王阿姨")
        photo = process_photo(jpeg_bytes(640, 480, hue=20), max_bytes=10**7, max_pixels=10**7)
        idea = services.hand_in(community, author, title=TITLE, category="facilities",
                                description="电瓶车在楼道里充电很危险。", photos=[photo])
        db.session.flush()
        idea.stage = "deliberating"
        idea.timeline.append(StageChange(from_stage="submitted", to_stage="deliberating",
                                         reason="进入议事。"))
        db.session.commit()
        chair = make.user(community, "chair", username="chair_zhou", display_name="主持人老周")
        members = [make.user(community, "council", username=f"council_{n}",
                             display_name=name) for n, name in enumerate(("陈老师", "李阿姨"))]
        meeting = make.meeting(community, chair=chair, council=1, ideas=[idea],
                               title="第12次居民议事会", turn_seconds=turn_seconds)
        meeting.council += [Councillor(user_id=m.id) for m in members]
        db.session.commit()
        return Seeded(meeting.id, f"/meetings/{meeting.id}/screen/{meeting.screen_token}",
                      [m.username for m in members])


def opens_console(page: Page, hall: Hall, seeded: Seeded) -> None:
    logs_in(page, hall, "chair_zhou")
    page.goto(seeded.path(hall, "/console"))
    page.wait_for_function("() => window.htmx !== undefined")
    mark_page(page)


def opens_screen(page: Page, hall: Hall, seeded: Seeded) -> None:
    page.goto(hall.community_url(seeded.screen_path))
    page.wait_for_function("() => window.htmx !== undefined")
    mark_page(page)


def presses(page: Page, action: str) -> None:
    """A button of the console (start, next, …); the fragment comes back in place."""
    page.locator(f"#console-live form.inline[action$='/console/{action}'] button").click()


def adds_speaker(page: Page, name: str, stance: str) -> None:
    form = page.locator("#speaker-form")
    form.locator("input[name=name]").fill(name)
    form.locator(f"input[name=stance][value={stance}]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("#console-queue")).to_contain_text(name)
    expect(form.locator("input[name=name]")).to_have_value("")


def someone_is_marked_present(hall: Hall, seeded: Seeded, name: str) -> None:
    """A change made elsewhere (another staff phone): the meeting's version moves."""
    with hall.seeding():
        with write_transaction():
            meetings.add_attendee(db.session.get(Meeting, seeded.meeting_id), None, name)


def countdown(page: Page):
    return page.locator("#screen-live .countdown")


def votes(page: Page, hall: Hall, seeded: Seeded, username: str, choice: str) -> None:
    logs_in(page, hall, username)
    page.goto(seeded.path(hall))
    page.locator(f"form[action$='/vote'] button[name=choice][value={choice}]").click()
    expect(page.locator(f"form[action$='/vote'] button[value={choice}]")).to_have_attribute(
        "aria-pressed", "true")


def bar(page: Page, choice: str):
    return page.locator(f"#screen-chart g[data-choice={choice}]")


def test_the_screen_follows_the_chair_without_a_reload(hall, new_page, artifacts):
    seeded = seed(hall)
    chair, screen = new_page(viewport=LAPTOP), new_page(viewport=SCREEN)
    opens_console(chair, hall, seeded)
    opens_screen(screen, hall, seeded)
    expect(screen.locator("#screen-item")).to_have_text("第12次居民议事会")
    expect(screen.locator("#screen-join svg.qr")).to_be_visible()

    presses(chair, "start")
    expect(chair.locator("#console-item")).to_contain_text(TITLE)
    expect(screen.locator("#screen-item")).to_have_text(TITLE)
    size = screen.locator("#screen-item").evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 48, f"the item's title is {size}px on the projector"
    expect(screen.locator("#screen-stage")).to_have_class("stage stage-deliberating")
    screen.wait_for_function("img => img && img.complete && img.naturalWidth > 0",
                             arg=screen.locator(".screen-photo").element_handle())

    adds_speaker(chair, "王阿姨", "oppose")
    adds_speaker(chair, "张叔叔", "support")
    presses(chair, "next")
    expect(chair.locator("#console-speaker")).to_contain_text("王阿姨")
    expect(screen.locator("#screen-speaker")).to_contain_text("王阿姨")
    expect(screen.locator("#screen-speaker .meeting-stance-oppose")).to_be_visible()
    expect(screen.locator("#screen-queue")).to_contain_text("张叔叔")
    first = countdown(screen).inner_text()
    time.sleep(1.3)
    second = countdown(screen).inner_text()
    assert re.fullmatch(r"0[12]:\d\d", first) and first != second, (first, second)

    # The network drops: polls fail or get errors; the screen keeps what it shows.
    screen.route(re.compile(r"/screen/[^/]+/live"), lambda route: route.abort())
    adds_speaker(chair, "赵师傅", "suggest")
    time.sleep(2.5)
    expect(screen.locator("#screen-speaker")).to_contain_text("王阿姨")
    expect(screen.locator("#screen-queue")).not_to_contain_text("赵师傅")
    screen.unroute(re.compile(r"/screen/[^/]+/live"))
    screen.route(re.compile(r"/screen/[^/]+/live"),
                 lambda route: route.fulfill(status=500, body="<p id='boom'>boom</p>"))
    time.sleep(2.5)
    expect(screen.locator("#boom")).to_have_count(0)
    expect(screen.locator("#screen-item")).to_have_text(TITLE)
    screen.unroute(re.compile(r"/screen/[^/]+/live"))
    expect(screen.locator("#screen-queue")).to_contain_text("赵师傅")  # back by itself

    motion = chair.locator("#motion-form")
    motion.locator("input[name=question]").fill(QUESTION)
    # While the chair types, the console does not swap away the question.
    someone_is_marked_present(hall, seeded, "路过的居民")
    expect(screen.locator("#screen-attendance")).to_contain_text("1")
    time.sleep(1.5)
    expect(motion.locator("input[name=question]")).to_have_value(QUESTION)
    for box in motion.locator("input[name=present]").all():
        box.check()
    motion.locator("button[type=submit]").click()
    expect(chair.locator("#console-question")).to_contain_text(QUESTION)
    expect(screen.locator("#screen-motion")).to_contain_text(QUESTION)
    expect(bar(screen, "for")).to_have_attribute("data-count", "0")

    votes(new_page(viewport={"width": 390, "height": 844}), hall, seeded, seeded.council[0],
          "for")
    votes(new_page(viewport={"width": 390, "height": 844}), hall, seeded, seeded.council[1],
          "abstain")
    expect(bar(screen, "for")).to_have_attribute("data-count", "1")
    expect(bar(screen, "abstain")).to_have_attribute("data-count", "1")
    expect(bar(screen, "against")).to_have_attribute("data-count", "0")
    expect(chair.locator("#console-counts")).to_have_attribute("data-for", "1")
    assert_not_reloaded(screen)
    assert_not_reloaded(chair)

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=str(SCREENSHOT))
    chair.screenshot(path=str(artifacts / "meeting-console.png"), full_page=True)

    presses(chair, "motion/close")
    expect(chair.locator("#console-result")).to_have_class(re.compile(r"result-passed"))
    expect(screen.locator("#screen-result")).to_have_class(re.compile(r"result-passed"))
    assert_not_reloaded(screen)


def test_the_countdown_turns_amber_in_the_last_30_seconds(hall, new_page):
    seeded = seed(hall, turn_seconds=32)
    chair, screen = new_page(viewport=LAPTOP), new_page(viewport=SCREEN)
    opens_console(chair, hall, seeded)
    opens_screen(screen, hall, seeded)
    presses(chair, "start")
    adds_speaker(chair, "王阿姨", "support")
    presses(chair, "next")
    expect(countdown(screen)).to_be_visible()
    time.sleep(2.5)
    expect(countdown(screen)).to_have_class(re.compile(r"\bending\b"))
    expect(countdown(screen)).not_to_have_class(re.compile(r"\bover\b"))
    assert countdown(screen).inner_text().startswith("00:")
    expect(chair.locator("#console-speaker .countdown")).to_have_class(re.compile(r"\bending\b"))
    assert_not_reloaded(screen)
