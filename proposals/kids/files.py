"""Files staff upload for picture cards (drawings, photos, recorded or spoken clips):
stored under `upload_dir/kids` with names the server makes, served from there, and the
URLs a card's picture and clip have wherever a ballot or a result shows them.

A stored name is 32 hex digits and a known extension, and the file route serves only
the files a card of the URL's community shows: no name typed into a URL, nor another
community's, reaches another file.
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import abort, current_app, g, send_from_directory, url_for
from sqlalchemy import and_, or_, select

from app.access import access
from app.extensions import db
from proposals.rounds.models import Round

from .blueprint import bp
from .models import PictureCard
from .pictures import clip_url, picture_url

MIMETYPES = {
    "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp",
    "ogg": "audio/ogg", "webm": "audio/webm", "wav": "audio/wav", "m4a": "audio/mp4",
}
NAME = re.compile(r"^[0-9a-f]{32}\.(%s)$" % "|".join(MIMETYPES))
# A stored file never changes (a new upload gets a new name), so browsers may keep it.
MAX_AGE = 365 * 24 * 3600


def folder() -> Path:
    return current_app.config["SETTINGS"].upload_dir / "kids"


def store(data: bytes, extension: str) -> str:
    """Write `data` under a new name; returns the name."""
    if extension not in MIMETYPES:
        raise ValueError(extension)
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    (target / name).write_bytes(data)
    return name


def discard(*names: str) -> None:
    """Delete stored files; called once the transaction that dropped them has committed
    (a failed commit must not leave a card pointing at a missing file)."""
    for name in names:
        if name and NAME.match(name):
            (folder() / name).unlink(missing_ok=True)


def stored_names(card) -> set[str]:
    """The files of ours a card points at: an uploaded picture, a recorded or spoken clip."""
    if card is None:
        return set()
    names = set()
    if card.picture_kind == "upload" and card.picture:
        names.add(card.picture)
    if card.clip_kind in ("recorded", "spoken") and card.clip:
        names.add(card.clip)
    return names


def card_picture_url(card) -> str:
    if card.picture_kind == "upload":
        return url_for("kids.file", name=card.picture)
    return picture_url(card.picture)


def card_clip_url(card) -> str | None:
    """The clip that says the card's label, or None when it has none yet."""
    if card.clip_kind == "builtin" and card.clip:
        return clip_url(card.clip)
    if card.clip_kind in ("recorded", "spoken") and card.clip:
        return url_for("kids.file", name=card.clip)
    return None


def shown_here(name: str) -> bool:
    """Whether a card of this community shows the file: another community's URLs, like a
    name typed by hand, open none (nor a file a card no longer shows)."""
    return db.session.scalar(
        select(PictureCard.entry_id).join(Round, Round.id == PictureCard.round_id)
        .where(Round.community_id == g.community.id,
               or_(and_(PictureCard.picture_kind == "upload", PictureCard.picture == name),
                   and_(PictureCard.clip_kind.in_(("recorded", "spoken")),
                        PictureCard.clip == name))).limit(1)) is not None


@bp.get("/files/<name>")
@access("public")
def file(name: str):
    match = NAME.match(name)
    if match is None or not shown_here(name):
        abort(404)
    response = send_from_directory(folder(), name, mimetype=MIMETYPES[match.group(1)],
                                   max_age=MAX_AGE)
    response.cache_control.immutable = True
    return response
