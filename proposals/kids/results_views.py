"""The children's results, apart from the adults': a page (kids.results) and a projector
screen (kids.screen) whose chart polls kids.screen_live.

The rule is the adults' (proposals/rounds/results_views.py): nothing anyone chose is shown
before voting closes; the page then says when the results come, and staff also see how
many children have voted. The screen is meant for the room where the children vote, so
it shows that count to everyone, and nothing else, until voting closes.

The polled fragment answers 304 when the browser's If-None-Match is still its ETag. That
ETag must not say more than the fragment does: `results.marker` hashes the picks, and a
CRC of a few small numbers can be worked back by trying every split of the children's
picks, so before voting closes the ETag hashes only what the waiting screen shows.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

from babel.lists import format_list
from flask import abort, g, make_response, request
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from app import permissions
from app.access import access
from app.rendering import render
from app.templating import yuan
from proposals.rounds.results_views import COUNTED_STATES, get_round

from . import results, voting
from .blueprint import bp
from .files import card_picture_url
from .voting import part_of

# The projector asks this often; a child's vote shows up within that many seconds.
POLL_SECONDS = 5


@dataclass
class Bar:
    line: results.PictureLine
    percent: int  # the bar's length: its share of the most picks, 0–100

    @property
    def card(self):
        return self.line.card


def bars(result: results.ChildrensResult) -> list[Bar]:
    """One bar per card, most picks first; a card with any pick gets a visible bar."""
    most = result.most
    return [Bar(line, max(1, round(100 * line.picks / most)) if line.picks and most else 0)
            for line in result.lines]


def budget_sentence(result: results.ChildrensResult) -> str | None:
    """What the children's own small budget goes to, once voting has closed. Tied
    favourites share it equally: the count decides, nobody chooses between the
    children's favourites after it, and each gets a part the children can see."""
    if result.budget_fen is None:
        return None
    amount = yuan(result.budget_fen)
    favourites = result.favourites
    if not favourites:
        return _("No child voted, so the children's budget of ¥%(amount)s goes to no "
                 "idea.", amount=amount)
    if len(favourites) == 1:
        return _("The children's favourite, %(label)s, gets its own small budget of "
                 "¥%(amount)s.", label=favourites[0].card.label, amount=amount)
    labels = format_list([line.card.label for line in favourites], locale=get_locale())
    return _("%(labels)s got the same number of picks: they share the children's budget "
             "of ¥%(amount)s equally, ¥%(each)s each.", labels=labels, amount=amount,
             each=yuan(result.budget_fen // len(favourites)))


def round_with_part(round_id: int):
    """The round, when it is this community's and has a children's part; else 404."""
    round_ = get_round(round_id)
    if part_of(round_) is None:
        abort(404)
    return round_


def context(round_, *, live: bool, etag: str | None = None) -> dict:
    """What the chart shows; on the screen, `etag` is the live fragment's version,
    read before the rows (so the fragment never claims to be newer than it is)."""
    state = round_.state
    staff = permissions.is_staff(current_user, g.community)
    counted = state in COUNTED_STATES
    part = part_of(round_)
    ctx = dict(round=round_, part=part, state=state, counted=counted, staff=staff,
               live=live, etag=etag, result=None, bars=[], cards=[], budget_text=None,
               card_src=card_picture_url, poll_seconds=POLL_SECONDS)
    if counted:
        result = results.count(round_)
        ctx.update(result=result, children=result.children, bars=bars(result),
                   budget_text=budget_sentence(result))
    else:
        # Only how many, never what: to staff on the page, to the room on the screen.
        ctx["children"] = results.children_count(round_) if staff or live else None
        ctx["cards"] = voting.cards_of(round_)  # what the children choose from: public
    return ctx


def screen_etag(round_) -> str:
    """The fragment's version: the results' marker once they are public, before that
    only what the waiting screen shows: the count, times, budget and cards (see the
    module's note). The language is part of it, so a screen switched to another
    language is drawn again."""
    if round_.state in COUNTED_STATES:
        version = results.marker(round_)
    else:
        part = part_of(round_)
        shown = repr((results.children_count(round_), round_.state,
                      round_.opens_at.isoformat(), round_.closes_at.isoformat(),
                      part.budget_fen, [(c.entry_id, c.label, c.picture_kind, c.picture)
                                        for c in voting.cards_of(round_)]))
        version = f"k{round_.id}-w{zlib.crc32(shown.encode()):08x}"
    return f"{version}-{get_locale()}"


@bp.get("/rounds/<int:round_id>/results", endpoint="results")
@access("public")
def results_page(round_id: int):
    round_ = round_with_part(round_id)
    return render("kids/results.html", **context(round_, live=False))


@bp.get("/rounds/<int:round_id>/screen")
@access("public")
def screen(round_id: int):
    round_ = round_with_part(round_id)
    response = render("kids/screen.html", **context(round_, live=True,
                                                    etag=screen_etag(round_)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/rounds/<int:round_id>/screen/live")
@access("public")
def screen_live(round_id: int):
    """The chart the screen polls: 304 while it has not changed since the version the
    screen shows (its If-None-Match), else the new fragment with its ETag."""
    round_ = round_with_part(round_id)
    etag = screen_etag(round_)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = render("kids/_results_chart.html",
                          **context(round_, live=True, etag=etag))
    response.set_etag(etag)
    # Kept, but asked again every time: the ETag answers whether it is still current.
    response.headers["Cache-Control"] = "no-cache"
    return response
