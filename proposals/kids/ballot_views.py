"""The children's ballot from a printed QR card and from a guardian's phone, and the
pages every children's ballot shares: the ballot, the celebration, picture messages.

A child is refused with a picture (with an accessible name), never with words alone:
a used code (409), an unknown one (404, the same picture), a closed ballot or an
ended kiosk (403). The kiosk's own views are in kiosk_views.
"""
from __future__ import annotations

from flask import abort, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.access import access
from app.database import write_transaction
from app.extensions import limiter
from app.rendering import render
from proposals.rounds.round_views import get_round

from . import codes, profiles, voting
from .blueprint import bp
from .files import card_clip_url, card_picture_url
from .pictures import AVATAR_NAMES, avatar_url, message_url

# A code is 10 characters of 31: guessing one takes billions of tries. Misses (unknown or
# used codes) are counted per address, so a script gets nowhere; a class of children
# sharing the community centre's Wi-Fi, each opening a good card, never meets the limit.
CARD_MISS_LIMIT = "60 per minute"
CARD_LIMIT = "600 per minute"
GUARDIAN_LIMIT = "30 per minute"

# What a refusal shows: (picture, accessible name, status). An unknown code shows the
# used picture: to a child both mean "this card does not work".
REFUSALS = {
    "used": ("used", _l("This card has been used already. Each card votes once."), 409),
    "unknown": ("used", _l("This card does not work for this vote."), 404),
    "closed": ("closed", _l("Voting is closed."), 403),
    "ended": ("ended", _l("This voting tablet is not ready. Ask a grown-up to start it."),
              403),
}

card_miss_limit = limiter.limit(CARD_MISS_LIMIT, key_func=get_remote_address,
                                scope="kids-card-miss",
                                deduct_when=lambda response: response.status_code in (404, 409))
card_limit = limiter.limit(CARD_LIMIT, key_func=get_remote_address, scope="kids-card")


def _person() -> str:
    # Limits may be checked before @access has turned an anonymous visitor away.
    return f"user:{current_user.get_id().split(':')[0]}" if current_user.is_authenticated \
        else f"ip:{request.remote_addr}"


guardian_limit = limiter.limit(GUARDIAN_LIMIT, methods=["POST"], scope="kids-ballot",
                               key_func=_person)


def no_store(response):
    """Ballots and codes are for one child at one moment: never kept by a cache or shown
    again from the browser's history."""
    response.headers["Cache-Control"] = "no-store"
    return response


def message(reason: str, *, status: int | None = None, back_url: str | None = None,
            back_after: int | None = None):
    """A picture message for a child; `back_url` adds a big arrow (and, with
    `back_after` milliseconds, goes there by itself)."""
    picture, name, default_status = REFUSALS[reason]
    return no_store(render("kids/message.html", status=status or default_status,
                           reason=reason, picture_url=message_url(picture), name=name,
                           back_url=back_url, back_after=back_after))


def ballot_page(round_, *, action: str, chosen=(), hidden: dict | None = None,
                avatar: str | None = None, children=(), child=None, status: int = 200,
                error: str | None = None, back_url: str | None = None):
    part = voting.part_of(round_)
    return no_store(render(
        "kids/ballot.html", status=status, round=round_, part=part,
        cards=voting.cards_of(round_), chosen={int(i) for i in chosen if str(i).isascii() and str(i).isdigit()},
        action=action, hidden=hidden or {}, avatar=avatar, children=children, child=child,
        error=error, back_url=back_url, card_picture_url=card_picture_url,
        card_clip_url=card_clip_url, avatar_url=avatar_url, avatar_names=AVATAR_NAMES))


def celebrate(avatar: str, *, mode: str, next_url: str | None = None,
              next_after: int | None = None):
    """The happy screen after a saved vote; `mode` is kiosk, card or guardian."""
    return no_store(render("kids/celebrate.html", avatar=avatar,
                           avatar_src=avatar_url(avatar), avatar_name=AVATAR_NAMES[avatar],
                           thanks_src=message_url("thanks"), mode=mode, next_url=next_url,
                           next_after=next_after))


def _entry_ids() -> list[str]:
    return request.form.getlist("entry")


# ---- a printed card ---------------------------------------------------------------------

@bp.route("/rounds/<int:round_id>/card/<code>", methods=["GET", "POST"])
@access("public")
@card_miss_limit
@card_limit
def card_ballot(round_id: int, code: str):
    round_ = get_round(round_id)
    row = codes.find(round_, code) if voting.part_of(round_) is not None else None
    if row is None:
        return message("unknown")
    if round_.state != "open":
        return message("closed")
    if row.used_at is not None:
        return message("used")
    action = url_for("kids.card_ballot", round_id=round_.id, code=code)
    if request.method == "GET":
        return ballot_page(round_, action=action, avatar=row.avatar)
    avatar = row.avatar
    try:
        with write_transaction():
            voting.vote_with_code(round_, code, _entry_ids())
    except voting.VoteRefused as refused:
        if refused.reason == "choices":
            return ballot_page(round_, action=action, avatar=avatar, chosen=_entry_ids(),
                               status=422, error=refused.message)
        return message(refused.reason)
    return celebrate(avatar, mode="card")


# ---- a guardian's phone -----------------------------------------------------------------

@bp.route("/rounds/<int:round_id>/ballot", methods=["GET", "POST"])
@access("verified")
@guardian_limit
def ballot(round_id: int):
    round_ = get_round(round_id)
    if voting.part_of(round_) is None:
        abort(404)
    children = profiles.of_guardian(current_user, g.community)
    if not children:
        return ballot_page(round_, action="", children=children)
    wanted = request.args.get("child", type=int)
    child = children[0] if wanted is None else next(
        (c for c in children if c.id == wanted), None)
    if child is None:
        abort(404)
    back = url_for("kids.children")
    if round_.state != "open":
        return message("closed", back_url=back)
    action = url_for("kids.ballot", round_id=round_.id, child=child.id)
    if request.method == "GET":
        return ballot_page(round_, action=action, avatar=child.avatar, children=children,
                           child=child, chosen=voting.choices_of(round_, child))
    try:
        with write_transaction():
            voting.vote_as_child(round_, child, _entry_ids())
    except voting.VoteRefused as refused:
        if refused.reason == "choices":
            return ballot_page(round_, action=action, avatar=child.avatar,
                               children=children, child=child, chosen=_entry_ids(),
                               status=422, error=refused.message)
        return message(refused.reason, back_url=back)
    return celebrate(child.avatar, mode="guardian", next_url=back)
