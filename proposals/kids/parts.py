"""Setting up a round's children's part: opt in, picks per child, the favourite's own
budget, and a picture card (picture, label, clip) for each idea on the ballot.

Settings may change until the first child has voted; cards until the round closes (a
clearer picture helps the children still to come, and changes nobody's vote).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.extensions import db

from .models import MAX_PICKS, ChildBallot, ChildrensPart, PictureCard
from .pictures import BY_KEY, CATEGORY_PICTURES

LABEL_MAX = 16


class PartRefused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def has_votes(round_) -> bool:
    return db.session.scalar(select(ChildBallot.id).where(ChildBallot.round_id == round_.id)
                             .limit(1)) is not None


def set_part(round_, staff, *, picks: int, budget_fen: int | None) -> ChildrensPart:
    """Open (or change) the round's children's part."""
    if round_.state not in ("upcoming", "open"):
        raise PartRefused("picks", _("The children's part can only be set up before "
                                     "voting closes."))
    if has_votes(round_):
        raise PartRefused("picks", _("Children have already voted: the children's part "
                                     "can no longer change."))
    if not 1 <= picks <= MAX_PICKS:
        raise PartRefused("picks", _("A child may pick from 1 to %(num)d pictures.",
                                     num=MAX_PICKS))
    if budget_fen is not None and not 0 < budget_fen <= round_.budget_fen:
        raise PartRefused("budget", _("The children's budget must be more than zero and "
                                      "no more than the round's budget."))
    part = db.session.get(ChildrensPart, round_.id)
    if part is None:
        part = ChildrensPart(round_id=round_.id, created_by_id=staff.id)
        db.session.add(part)
    for entry in round_.entries:
        if entry.picture_card is None:
            default_card(entry)
    part.picks, part.budget_fen = picks, budget_fen
    db.session.flush()
    audit.record("kids.part_set", actor=staff, community=round_.community, target=round_,
                 picks=picks, budget_fen=budget_fen)
    return part


def remove_part(round_, staff) -> None:
    if has_votes(round_):
        raise PartRefused("picks", _("Children have already voted: the children's part "
                                     "can no longer be removed."))
    part = db.session.get(ChildrensPart, round_.id)
    if part is not None:
        db.session.delete(part)
        for entry in round_.entries:
            if entry.picture_card is not None:
                db.session.delete(entry.picture_card)
        audit.record("kids.part_removed", actor=staff, community=round_.community,
                     target=round_)
        db.session.flush()


def default_card(entry) -> PictureCard:
    """A first card from the idea's category, labelled with the picture's own word."""
    key = CATEGORY_PICTURES.get(entry.idea.category, "star")
    card = PictureCard(entry_id=entry.id, round_id=entry.round_id, picture_kind="builtin",
                       picture=key, label=BY_KEY[key].zh, clip_kind="builtin", clip=key)
    entry.picture_card = card
    db.session.add(card)
    return card


def checked_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise PartRefused("label", _("Give the card a short label, said aloud when a child "
                                     "taps it."))
    if len(label) > LABEL_MAX:
        raise PartRefused("label", _("A label may be at most %(num)d characters.",
                                     num=LABEL_MAX))
    return label


def set_card(entry, staff, *, label: str, builtin: str | None = None,
             upload: str | None = None) -> PictureCard:
    """Change a card's picture (a built-in key or a stored upload's name) and label. A
    clip that no longer says the label is dropped; a built-in picture keeps its own
    clip while the label is its word."""
    if entry.round.state not in ("upcoming", "open"):
        raise PartRefused("label", _("Cards can only change before voting closes."))
    label = checked_label(label)
    card = entry.picture_card or default_card(entry)
    if builtin is not None:
        if builtin not in BY_KEY:
            raise PartRefused("picture", _("Choose one of the pictures."))
        card.picture_kind, card.picture = "builtin", builtin
    elif upload is not None:
        card.picture_kind, card.picture = "upload", upload
    if label != card.label and card.clip_kind in ("recorded", "spoken"):
        card.clip_kind, card.clip = "", ""
    card.label = label
    if card.picture_kind == "builtin" and BY_KEY[card.picture].zh == label:
        card.clip_kind, card.clip = "builtin", card.picture
    elif card.clip_kind == "builtin":
        card.clip_kind, card.clip = "", ""
    db.session.flush()
    audit.record("kids.card_set", actor=staff, community=entry.round.community,
                 target=entry.round, entry=entry.id, label=label)
    return card


CLIP_KINDS = ("recorded", "spoken")


def set_clip(entry, staff, *, kind: str, name: str, label: str | None = None) -> str:
    """Give a card a clip stored under `name` ("recorded" by staff, or "spoken" by the
    server for `label`). Returns the name of the clip file it replaces ("" if none) for
    the caller to delete once the transaction has committed."""
    if kind not in CLIP_KINDS:
        raise ValueError(kind)
    if entry.round.state not in ("upcoming", "open"):
        raise PartRefused("clip", _("Cards can only change before voting closes."))
    if db.session.get(ChildrensPart, entry.round_id) is None:
        raise PartRefused("clip", _("This round has no children's part."))
    card = entry.picture_card or default_card(entry)
    if label is not None and label != card.label:
        # The label changed while the clip was being made: it would say the wrong thing.
        raise PartRefused("clip", _("The label changed meanwhile: save the card again."))
    previous = card.clip if card.clip_kind in CLIP_KINDS else ""
    card.clip_kind, card.clip = kind, name
    db.session.flush()
    audit.record("kids.clip_set", actor=staff, community=entry.round.community,
                 target=entry.round, entry=entry.id, kind=kind)
    return previous


def preview_card(entry) -> PictureCard:
    """The card `default_card` would make, kept out of the session: what a page shows
    for an idea whose card nobody has saved yet."""
    key = CATEGORY_PICTURES.get(entry.idea.category, "star")
    return PictureCard(entry_id=entry.id, round_id=entry.round_id, picture_kind="builtin",
                       picture=key, label=BY_KEY[key].zh, clip_kind="builtin", clip=key)
