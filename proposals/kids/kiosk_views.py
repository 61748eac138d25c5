"""The kiosk: staff start it on the community centre's tablet, then children vote one
after another, each with a one-time code minted when staff tap "下一位小朋友".

Starting logs the staff member out on the tablet: a child must not reach staff pages
from it. Every kiosk page is gated by the kiosk cookie (see kiosk.py); a tablet without
one is no kiosk (404), one whose kiosk ended or is unknown is told so with a picture
(403) and loses the cookie.
"""
from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_login import current_user, logout_user

from app.access import access
from app.database import write_transaction
from app.errors import error_page
from app.rendering import render, see_other
from proposals.rounds.round_views import get_round

from . import codes, kiosk, voting
from .ballot_views import ballot_page, celebrate, message, no_store
from .blueprint import bp
from .pictures import message_url

# The celebration goes back to the waiting screen by itself after this long; a used
# or unknown code's picture after a little longer (someone may need to see it).
BACK_AFTER_MS = 4000
MESSAGE_BACK_AFTER_MS = 6000


def _set_cookie(response, token: str):
    response.set_cookie(kiosk.COOKIE, token, path=kiosk.cookie_path(g.community),
                        httponly=True, samesite="Lax",
                        secure=current_app.config["SETTINGS"].session_cookie_secure)
    return response


def _clear_cookie(response):
    response.delete_cookie(kiosk.COOKIE, path=kiosk.cookie_path(g.community), httponly=True,
                           samesite="Lax",
                           secure=current_app.config["SETTINGS"].session_cookie_secure)
    return response


def _gate():
    """(the live kiosk of this tablet, None) or (None, the picture that says why not)."""
    token = request.cookies.get(kiosk.COOKIE)
    if not token:
        return None, message("ended", status=404)
    found = kiosk.find(g.community, token)
    if found is None or not kiosk.is_live(found):
        reason = "closed" if found is not None and found.ended_at is None \
            and found.round.state != "open" else "ended"
        return None, _clear_cookie(message(reason))
    return found, None


def _back() -> str:
    return url_for("kids.kiosk")


@bp.post("/rounds/<int:round_id>/kiosk/start")
@access("staff")
def kiosk_start(round_id: int):
    round_ = get_round(round_id)
    try:
        with write_transaction():
            token, _session = kiosk.start(round_, current_user)
    except kiosk.KioskRefused as refused:
        return error_page(refused.status, refused.message)
    logout_user()
    return _set_cookie(see_other(_back()), token)


# The endpoint is kids.kiosk; the function has another name so as not to hide the module.
@bp.get("/kiosk", endpoint="kiosk")
@access("public")
def kiosk_page():
    found, refusal = _gate()
    if refusal is not None:
        return refusal
    return no_store(render("kids/kiosk_wait.html", kiosk=found, round=found.round,
                           message_url=message_url))


@bp.post("/kiosk/next")
@access("public")
def kiosk_next():
    found, refusal = _gate()
    if refusal is not None:
        return refusal
    with write_transaction():
        if not kiosk.is_live(found):  # ended by another request since the check above
            return _clear_cookie(message("ended"))
        code, row = codes.mint_for_kiosk(found)
        avatar, round_id = row.avatar, found.round_id
    round_ = get_round(round_id)
    # The small link back lets staff reach "next" again when a child walks away.
    return ballot_page(round_, action=url_for("kids.kiosk_vote"), hidden={"code": code},
                       avatar=avatar, back_url=_back())


@bp.post("/kiosk/vote")
@access("public")
def kiosk_vote():
    found, refusal = _gate()
    if refusal is not None:
        return refusal
    round_ = found.round
    code = request.form.get("code", "")
    entry_ids = request.form.getlist("entry")
    row = kiosk.code_of(found, round_, code)
    if row is None or row.used_at is not None:
        return message("unknown" if row is None else "used", back_url=_back(),
                       back_after=MESSAGE_BACK_AFTER_MS)
    avatar = row.avatar
    try:
        with write_transaction():
            voting.vote_with_code(round_, code, entry_ids)
    except voting.VoteRefused as refused:
        if refused.reason == "choices":
            return ballot_page(round_, action=url_for("kids.kiosk_vote"),
                               hidden={"code": code}, avatar=avatar, chosen=entry_ids,
                               status=422, error=refused.message, back_url=_back())
        return message(refused.reason, back_url=_back(), back_after=MESSAGE_BACK_AFTER_MS)
    return celebrate(avatar, mode="kiosk", next_url=_back(), next_after=BACK_AFTER_MS)


@bp.post("/kiosk/end")
@access("public")
def kiosk_end():
    token = request.cookies.get(kiosk.COOKIE)
    found = kiosk.find(g.community, token)
    if found is None:
        return _clear_cookie(message("ended", status=404 if not token else None))
    with write_transaction():
        kiosk.end(found)
        round_id = found.round_id
    return _clear_cookie(see_other(url_for("rounds.round_page", round_id=round_id)))
