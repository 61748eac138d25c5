"""Small steps of a person using the site, for the browser stories.

Elements are found by stable attributes (field names, form actions, ids, hrefs), never by
the text of UI labels, which translators may change. User content (an idea's title, a
reason) is asserted by text.

Every step works with and without JavaScript: without it, forms post and redirect;
with it, htmx swaps fragments in place where the page asks for that.
"""
from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from .conftest import Hall

NO_RELOAD_MARK = "__yishitingNoReload"


# --- things a test prepares --------------------------------------------------------------

def jpeg_bytes(width: int = 640, height: int = 480, hue: int = 0) -> bytes:
    """A small real JPEG: sky, grass and a charging post, so a screenshot shows a photo."""
    image = Image.new("RGB", (width, height), (150 + hue % 60, 200, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 2 // 3, width, height], fill=(96, 150, 80))
    draw.rectangle([width // 2 - 30, height // 3, width // 2 + 30, height * 5 // 6],
                   fill=(40, 110, 180))
    draw.ellipse([width // 2 - 18, height // 3 + 20, width // 2 + 18, height // 3 + 56],
                 fill=(250, 210, 60))
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def write_photo(folder: Path, name: str = "charging-post.jpg") -> Path:
    path = folder / name
    path.write_bytes(jpeg_bytes())
    return path


def mark_page(page: Page) -> None:
    """Set a marker on the window; it survives htmx swaps but not a page load."""
    page.evaluate(f"window.{NO_RELOAD_MARK} = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate(f"window.{NO_RELOAD_MARK} === true"), "the page was reloaded"


def submit(form) -> None:
    """Press the form's submit button and insist that the server accepted the post
    (a 303 to the next page); otherwise fail with the errors the page shows."""
    page = form.page
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.locator("button[type=submit]").first.click()
    response = posted.value
    if response.status != 303:
        page.wait_for_load_state()
        errors = page.locator(".error, .flash.error").all_inner_texts()
        raise AssertionError(f"POST {response.url} answered {response.status}, "
                             f"not 303; the page says: {errors}")


# --- accounts ----------------------------------------------------------------------------

def resident_signs_up(page: Page, hall: Hall, *, username: str, name: str,
                      password: str) -> None:
    page.goto(hall.url(f"/signup?c={hall.slug}"))
    form = page.locator("form#account-form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=display_name]").fill(name)
    form.locator("select[name=community]").select_option(hall.slug)
    form.locator("input[name=password]").fill(password)
    form.locator("input[name=confirm]").fill(password)
    submit(form)
    # Welcomed on the neighbourhood's home page, signed in.
    expect(page).to_have_url(hall.community_url("/"))
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator("header a[href='/account']")).to_have_text(name)


def logs_in(page: Page, hall: Hall, username: str, password: str | None = None) -> None:
    page.goto(hall.url("/login"))
    form = page.locator("form#account-form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password or hall.password)
    submit(form)
    expect(page.locator("header form[action$='/logout']")).to_be_visible()


def logs_out(page: Page) -> None:
    page.locator("header form[action$='/logout'] button").click()
    expect(page.locator("header a[href^='/login']")).to_be_visible()
    expect(page.locator("header form[action$='/logout']")).to_have_count(0)


# --- ideas -------------------------------------------------------------------------------

def hands_in_idea(page: Page, hall: Hall, *, title: str, description: str, photo: Path,
                  building: str | None = None, place: str = "") -> str:
    """Fill in the hand-in form with a photo; returns the new idea's page URL."""
    page.goto(hall.community_url("/"))
    page.locator(f"#main a[href='/c/{hall.slug}/ideas/new']").first.click()
    form = page.locator("form[action$='/ideas/new']")
    form.locator("input[name=title]").fill(title)
    form.locator("textarea[name=description]").fill(description)
    form.locator("select[name=category]").select_option("facilities")
    if building:
        form.locator("select[name=building_id]").select_option(label=building)
    if place:
        form.locator("input[name=place]").fill(place)
    form.locator("input[name=photos]").set_input_files(photo)
    submit(form)
    expect(page).to_have_url(re.compile(rf"/c/{hall.slug}/ideas/\d+$"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".flash.success")).to_be_visible()
    return page.url


def searches_ideas(page: Page, hall: Hall, word: str, *, javascript: bool) -> None:
    """Type a word into the search box of the idea list.

    With JavaScript, htmx replaces the results while typing and puts q= into the address
    without loading the page; without it, Enter submits the GET form.
    """
    page.goto(hall.community_url("/ideas"))
    box = page.locator("form.filters input[name=q]")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        mark_page(page)
        box.press_sequentially(word)
        expect(page).to_have_url(re.compile(r"[?&]q=[^&]"))
        expect(page.locator("#idea-results")).to_be_visible()
        assert_not_reloaded(page)
    else:
        assert page.evaluate("typeof window.htmx") == "undefined", "JavaScript is on"
        box.fill(word)
        box.press("Enter")
        expect(page).to_have_url(re.compile(r"[?&]q=[^&]"))
    expect(box).to_have_value(word)


def opens_idea(page: Page, title: str) -> None:
    page.locator("#idea-results a", has_text=title).click()
    expect(page.locator("article.idea h1")).to_have_text(title)


def sees_photo(page: Page) -> None:
    photo = page.locator(".photos img").first
    photo.scroll_into_view_if_needed()
    expect(photo).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=photo.element_handle())


def support_count(page: Page):
    return page.locator("#support strong")


def supports_idea(page: Page, *, javascript: bool) -> None:
    """Press 我也支持 and see the count go up by one (without a reload under htmx)."""
    before = int(support_count(page).inner_text())
    button = page.locator("#support form[action$='/support'] button")
    expect(button).to_have_attribute("aria-pressed", "false")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        mark_page(page)
    button.click()
    expect(support_count(page)).to_have_text(str(before + 1))
    expect(page.locator("#support form[action$='/support'] button")).to_have_attribute(
        "aria-pressed", "true")
    if javascript:
        assert_not_reloaded(page)


# --- the staff desk ----------------------------------------------------------------------

def staff_verifies(page: Page, hall: Hall, name: str, building: str) -> None:
    """Members → the resident's row → choose a building → verify."""
    page.locator(f"nav.community-nav a[href='/c/{hall.slug}/staff/members']").click()
    row = page.locator("table.members tbody tr", has_text=name)
    verify = row.locator("form[action$='/verify']")
    verify.locator("select[name=building_id]").select_option(label=building)
    submit(verify)
    expect(page).to_have_url(hall.community_url("/staff/members"))
    expect(page.locator(".flash.success")).to_contain_text(name)
    row = page.locator("table.members tbody tr", has_text=name)
    expect(row.locator("form[action$='/verify']")).to_have_count(0)
    expect(row).to_contain_text(building)


def staff_screens(page: Page, hall: Hall, title: str, to: str, reason: str) -> None:
    """Screening queue → the idea → open the move form for `to` → give the reason."""
    page.locator(f"nav.community-nav a[href='/c/{hall.slug}/staff/screening']").click()
    page.locator("#main li a", has_text=title).click()
    expect(page.locator("article.idea h1")).to_have_text(title)
    moves_idea(page, to, reason)


def moves_idea(page: Page, to: str, reason: str) -> None:
    move = page.locator("#moves details", has=page.locator(f"input[name=to][value={to}]"))
    move.locator("summary").click()
    form = move.locator("form[action$='/move']")
    form.locator("textarea[name=reason]").fill(reason)
    submit(form)
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator(f"article.idea .meta .stage.stage-{to}")).to_be_visible()


def timeline_shows(page: Page, stage: str, reason: str) -> None:
    """The idea's current stage, and the last entry of its public timeline with the reason."""
    expect(page.locator(f"article.idea .meta .stage.stage-{stage}")).to_be_visible()
    last = page.locator(".timeline li").last
    expect(last.locator(f".stage.stage-{stage}")).to_be_visible()
    expect(last.locator(".reason")).to_have_text(reason)
