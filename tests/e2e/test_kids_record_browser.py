"""A member of staff records a picture card's label in the browser: Chromium's fake
microphone (a beep) stands in for a voice, and its fake permission prompt says yes. The
recording is previewed, kept, uploaded with fetch(); the card then has a recorded clip
that the server serves as audio."""
from __future__ import annotations

import os
import shutil
from typing import Iterator

import pytest
from playwright.sync_api import Browser, expect

from app.community import Community
from app.extensions import db
from proposals.kids.models import PictureCard

from ..kids_factories import kids_round
from .conftest import CHROMIUM_ARGS, DESKTOP, Hall
from .navigators import logs_in

pytestmark = pytest.mark.browser

# Only this test's browser gets a microphone: a fake one, allowed without asking.
MICROPHONE_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture
def mic_browser(browser: Browser) -> Iterator[Browser]:
    """Debian's Chromium once more, launched by the session's Playwright with a fake
    microphone (a second Playwright may not run in the same thread)."""
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    second = browser.browser_type.launch(executable_path=executable, headless=True,
                                         args=CHROMIUM_ARGS + MICROPHONE_ARGS)
    yield second
    second.close()


def seed(hall: Hall) -> tuple[int, int]:
    """An open round with a children's part; the round's id and its first entry's."""
    with hall.seeding() as make:
        community = Community.by_slug(hall.slug)
        r = kids_round(make, community, state="open")
        return r.id, r.entries[0].id


def test_staff_record_a_label_and_the_card_plays_it(hall: Hall, mic_browser: Browser):
    round_id, entry_id = seed(hall)
    context = mic_browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        logs_in(page, hall, hall.staff_username)
        page.goto(hall.community_url(f"/kids/rounds/{round_id}/setup"))
        card_path = f"/c/{hall.slug}/kids/rounds/{round_id}/cards/{entry_id}"
        page.locator(f"#cards a[href='{card_path}']").click()
        expect(page.locator("#clip-kind")).to_have_attribute("data-clip-kind", "builtin")

        # The browser can record: the recorder shows, the "cannot record" hint does not.
        expect(page.locator("#recorder")).to_be_visible()
        expect(page.locator("#record-unavailable")).to_be_hidden()
        page.locator("#record-start").click()
        expect(page.locator("#record-stop")).to_be_enabled()
        page.wait_for_timeout(1200)  # a second of the fake microphone's beep
        page.locator("#record-stop").click()
        expect(page.locator("#record-preview")).to_be_visible()
        assert page.locator("#record-preview").get_attribute("src").startswith("blob:")
        expect(page.locator("#record-keep")).to_be_enabled()

        with page.expect_navigation(url=f"**{card_path}#clip", wait_until="load"):
            page.locator("#record-keep").click()
        expect(page.locator("#clip-kind")).to_have_attribute("data-clip-kind", "recorded")
        src = page.locator("#clip-audio").get_attribute("src")
        assert src.startswith(f"/c/{hall.slug}/kids/files/")

        served = page.request.get(hall.url(src))
        assert served.status == 200
        assert served.headers["content-type"].startswith("audio/")
        assert served.body()[:4] in (b"\x1a\x45\xdf\xa3", b"OggS")  # WebM or Ogg
        assert len(served.body()) > 1000
        assert not [p for p in problems if "Content Security Policy" in p], problems
    finally:
        context.close()

    with hall.app.app_context():
        card = db.session.get(PictureCard, entry_id)
        assert card.clip_kind == "recorded" and src.endswith(card.clip)
        db.session.remove()
