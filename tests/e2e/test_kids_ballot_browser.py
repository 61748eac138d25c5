"""Children vote on the community centre's tablet (768×1024, touch) in a real browser:
staff start the kiosk, three children vote in a row (a tap plays the card's clip, ✓, a
celebration, back to the waiting screen), the adults' count does not move, a used card
is refused with a picture, every card is a big named control, and axe-core finds no
serious or critical problem on the ballot and the waiting screen.

The screenshot of the ballot, one card picked, goes to docs/screenshots/kids-ballot.png.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.community import Community
from app.extensions import db
from app.settings import ROOT
from proposals.kids import codes
from proposals.kids.models import ChildBallot
from proposals.kids.pictures import BY_KEY
from proposals.rounds.ballots import submit_online
from proposals.rounds.eligibility import voters_for
from proposals.rounds.models import Round
from proposals.rounds.results import vote_totals

from ..kids_factories import kids_round
from .conftest import Hall
from .navigators import logs_in

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT = ROOT / "docs" / "screenshots" / "kids-ballot.png"
ROUND_TITLE = "小广场翻新，小朋友投一票"
PICTURES = ("square", "swing", "slide", "bench", "light", "tree")
COSTS = (20_000_00, 12_000_00, 9_000_00, 6_000_00, 5_000_00, 3_000_00)
# Every page of the tablet records the clips that start playing, from its first moment.
RECORD_PLAYS = """
window.__plays = [];
document.addEventListener('play', e => window.__plays.push(e.target.currentSrc || e.target.src), true);
"""
VOTE_NAME = re.compile(r"^(Vote|投票)$")


def seed(hall: Hall, *, picks: int = 1) -> tuple[int, dict[str, int], list[str]]:
    """An open round with a children's part (six picture cards), four adults' ballots
    and two printed card codes: the round's id, entry id by picture, the codes."""
    with hall.seeding() as make:
        community = Community.by_slug(hall.slug)
        r = kids_round(make, community, picks=picks, costs=COSTS, pictures=PICTURES)
        r.title = ROUND_TITLE
        for positions in ((0,), (0, 3), (4,), (1, 5)):
            voter = voters_for(r, make.user(community))[0]
            submit_online(r, voter, [r.entries[p].id for p in positions])
        cards = codes.mint_cards(r, 2)
        db.session.commit()
        return r.id, {e.picture_card.picture: e.id for e in r.entries}, cards


def adults_totals(hall: Hall, round_id: int) -> dict[int, int]:
    with hall.seeding():
        return vote_totals(db.session.get(Round, round_id))


def childrens_ballots(hall: Hall) -> int:
    with hall.seeding():
        return db.session.scalar(select(func.count()).select_from(ChildBallot))


@pytest.fixture
def tablet(browser):
    """A tablet at the community centre: 768×1024, a touch screen, Chinese."""
    contexts = []

    def open_tablet(*, bypass_csp: bool = False, javascript: bool = True,
                    reduced_motion: str = "no-preference") -> Page:
        context = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=False,
                                      locale="zh-CN", timezone_id="Asia/Shanghai",
                                      bypass_csp=bypass_csp, java_script_enabled=javascript,
                                      reduced_motion=reduced_motion)
        context.set_default_timeout(10_000)
        context.add_init_script(RECORD_PLAYS)
        contexts.append(context)
        return context.new_page()

    yield open_tablet
    for context in contexts:
        context.close()


def card_input(page: Page, entry_id: int):
    return page.locator(f"form.kids-ballot input[name=entry][value='{entry_id}']")


def taps_card(page: Page, entry_id: int, key: str, *, plays: int) -> None:
    """Tap a card: its clip starts playing (the `play` event of its <audio>)."""
    card_input(page, entry_id).tap()
    page.wait_for_function(f"() => window.__plays.length >= {plays}")
    played = page.evaluate("() => window.__plays[window.__plays.length - 1]")
    assert re.search(rf"/static/kids/clips/{key}\.ogg\?v=\w+$", played), played


def vote_button(page: Page):
    return page.locator("form.kids-ballot button.kids-vote")


def sees_big_named_cards(page: Page, part_kind: str = "radio") -> None:
    """Every card is a radio button (or checkbox) named by its label, at least 120 px
    square; three to a row on the tablet."""
    boxes = []
    for key in PICTURES:
        control = page.get_by_role(part_kind, name=BY_KEY[key].zh, exact=True)
        expect(control).to_have_count(1)
        box = page.locator("label.kids-card", has=control).bounding_box()
        assert box["width"] >= 120 and box["height"] >= 120, (key, box)
        boxes.append(box)
    assert len({round(b["y"]) for b in boxes[:3]}) == 1 and boxes[3]["y"] > boxes[0]["y"]


def axe_problems(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact,
                                            nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def staff_start_the_kiosk(page: Page, hall: Hall, round_id: int) -> None:
    """Staff log in on the tablet, open the round's children's part and start a kiosk:
    the tablet shows the waiting screen, signed out."""
    logs_in(page, hall, hall.staff_username)
    page.goto(hall.community_url(f"/rounds/{round_id}"))
    page.locator(f"#main a[href='/c/{hall.slug}/kids/rounds/{round_id}/setup']").click()
    page.locator("form#kiosk-form button[type=submit]").click()
    expect(page).to_have_url(hall.community_url("/kids/kiosk"))
    expect(page.locator("h1")).to_have_text(ROUND_TITLE)
    page.goto(hall.url("/account"))
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.goto(hall.community_url("/kids/kiosk"))


def test_three_children_vote_in_a_row_on_the_kiosk(hall, tablet, artifacts):
    round_id, entries, cards = seed(hall)
    adults_before = adults_totals(hall, round_id)
    page = tablet()
    staff_start_the_kiosk(page, hall, round_id)
    page.screenshot(path=str(artifacts / "kids-kiosk-waiting.png"), animations="disabled")

    for n, key in enumerate(("swing", "slide", "swing"), start=1):
        page.locator(f"form[action='/c/{hall.slug}/kids/kiosk/next'] button").tap()
        expect(page.locator("form.kids-ballot")).to_be_visible()
        expect(vote_button(page)).to_have_attribute("aria-disabled", "true")
        expect(vote_button(page)).to_have_accessible_name(VOTE_NAME)
        if n == 1:
            sees_big_named_cards(page)
        taps_card(page, entries[key], key, plays=1)
        expect(card_input(page, entries[key])).to_be_checked()
        expect(vote_button(page)).to_have_attribute("aria-disabled", "false")
        if n == 1:
            # Changing one's mind: another tap, another clip, one card picked.
            taps_card(page, entries["bench"], "bench", plays=2)
            taps_card(page, entries[key], key, plays=3)
            expect(page.locator("form.kids-ballot input[name=entry]:checked")).to_have_count(1)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), animations="disabled")
        vote_button(page).tap()
        celebration = page.locator(".kids-celebrate")
        expect(celebration).to_be_visible()
        if n == 1:
            page.screenshot(path=str(artifacts / "kids-celebration.png"))
        expect(celebration.locator("img.kids-celebrate-avatar")).to_have_attribute(
            "src", re.compile(r"/static/kids/avatars/\w+\.svg\?v=\w+$"))
        expect(celebration.locator("img.kids-celebrate-thanks")).to_have_attribute(
            "src", re.compile(r"/messages/thanks\.svg\?v=\w+$"))
        if n == 2:
            page.locator(f"a.kids-next[href='/c/{hall.slug}/kids/kiosk']").tap()
        # Otherwise the celebration goes back by itself after about four seconds.
        expect(page).to_have_url(hall.community_url("/kids/kiosk"))
        expect(page.locator(".kids-kiosk-count")).to_contain_text(str(n))

    assert childrens_ballots(hall) == 3
    assert adults_totals(hall, round_id) == adults_before

    # A printed card votes once; opened again, it shows the used picture.
    card_url = hall.community_url(f"/kids/rounds/{round_id}/card/{cards[0]}")
    phone = tablet()
    assert phone.goto(card_url).status == 200
    taps_card(phone, entries["tree"], "tree", plays=1)
    vote_button(phone).tap()
    expect(phone.locator(".kids-celebrate")).to_be_visible()
    assert phone.goto(card_url).status == 409
    picture = phone.locator("img.kids-message-picture")
    expect(picture).to_be_visible()
    expect(picture).to_have_attribute("src", re.compile(r"/messages/used\.svg\?v=\w+$"))
    expect(picture).to_have_accessible_name(re.compile(r"\S"))
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    phone.screenshot(path=str(artifacts / "kids-card-used.png"))
    expect(phone.locator("form.kids-ballot")).to_have_count(0)
    assert childrens_ballots(hall) == 4
    assert adults_totals(hall, round_id) == adults_before

    # axe-core on the waiting screen, the ballot (one card picked), the celebration and
    # a picture message: a context that lets the test inject axe past the site's CSP.
    scan = tablet(bypass_csp=True)
    scan.context.add_cookies([c for c in page.context.cookies() if c["name"] == "kids_kiosk"])
    scan.goto(hall.community_url("/kids/kiosk"))
    expect(scan.locator(".kids-wait")).to_be_visible()
    assert axe_problems(scan) == [], "waiting screen"
    scan.locator(f"form[action='/c/{hall.slug}/kids/kiosk/next'] button").tap()
    taps_card(scan, entries["light"], "light", plays=1)
    assert axe_problems(scan) == [], "kiosk ballot"
    scan.goto(hall.community_url(f"/kids/rounds/{round_id}/card/{cards[1]}"))
    assert axe_problems(scan) == [], "card ballot"
    scan.goto(card_url)
    assert axe_problems(scan) == [], "used picture"


def test_more_picks_a_card_past_the_limit_shakes_and_still_speaks(hall, tablet):
    round_id, entries, cards = seed(hall, picks=2)
    page = tablet()
    page.goto(hall.community_url(f"/kids/rounds/{round_id}/card/{cards[0]}"))
    sees_big_named_cards(page, "checkbox")
    taps_card(page, entries["swing"], "swing", plays=1)
    taps_card(page, entries["slide"], "slide", plays=2)
    taps_card(page, entries["tree"], "tree", plays=3)  # a third: not taken, but heard
    expect(card_input(page, entries["tree"])).not_to_be_checked()
    expect(page.locator(".kids-card-slot.is-refused")).to_have_count(1)
    expect(page.locator("form.kids-ballot input[name=entry]:checked")).to_have_count(2)
    vote_button(page).tap()
    expect(page.locator(".kids-celebrate")).to_be_visible()
    with hall.seeding():
        ballot = db.session.scalar(select(ChildBallot))
        assert sorted(c.entry_id for c in ballot.choices) == sorted(
            [entries["swing"], entries["slide"]])


def test_the_ballot_works_without_javascript(hall, tablet):
    round_id, entries, cards = seed(hall)
    page = tablet(javascript=False)
    page.goto(hall.community_url(f"/kids/rounds/{round_id}/card/{cards[0]}"))
    card_input(page, entries["bench"]).tap()
    expect(card_input(page, entries["bench"])).to_be_checked()
    expect(page.locator("form.kids-ballot input[name=entry][value='%d'] + .kids-card-face "
                        ".kids-card-badge" % entries["bench"])).to_be_visible()
    vote_button(page).tap()
    expect(page.locator(".kids-celebrate")).to_be_visible()
    assert childrens_ballots(hall) == 1


def animation_of(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).animationName")


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_celebration_keeps_still_for_those_who_ask(hall, tablet, motion):
    round_id, entries, cards = seed(hall)
    page = tablet(reduced_motion=motion)
    page.goto(hall.community_url(f"/kids/rounds/{round_id}/card/{cards[0]}"))
    taps_card(page, entries["slide"], "slide", plays=1)
    vote_button(page).tap()
    avatar = page.locator(".kids-celebrate img.kids-celebrate-avatar")
    expect(avatar).to_be_visible()
    expect(page.locator("img.kids-celebrate-thanks")).to_be_visible()
    assert (animation_of(avatar) == "none") == (motion == "reduce")
