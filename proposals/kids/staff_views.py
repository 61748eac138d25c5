"""Staff set up a round's children's part: open it (picks per child, the favourite's own
budget), remove it before any child has voted, and make each idea's picture card (a
built-in picture or an uploaded drawing, a short label, and a clip that says it)."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.access import access
from app.database import write_transaction
from app.forms import ButtonForm
from app.rendering import render, see_other
from proposals.photos import PhotoRejected, process_photo
from proposals.rounds.models import RoundEntry
from proposals.rounds.round_views import STATE_LABELS, get_round

from . import audio, files, parts, results
from .blueprint import bp
from .files import card_clip_url, card_picture_url
from .parts import PartRefused
from .pictures import PICTURES, picture_url
from .staff_forms import UPLOADED, CardForm, ClipForm, PartForm
from .voting import part_of

CLIP_LABELS = {
    "builtin": _l("the picture's own clip"),
    "recorded": _l("recorded by staff"),
    "spoken": _l("spoken by the computer"),
    "": _l("no clip yet"),
}
EDITABLE = ("upcoming", "open")


def _staff():
    return current_user._get_current_object()


def _entry(round_, entry_id: int) -> RoundEntry:
    entry = next((e for e in round_.entries if e.id == entry_id), None)
    if entry is None:
        abort(404)
    return entry


def _refused_on(form, refused: PartRefused, fallback: str) -> None:
    """Show a refusal next to its field (or next to `fallback` when the form lacks it)."""
    name = refused.field if refused.field in form else fallback
    form[name].errors = list(form[name].errors) + [refused.message]


def _optional_endpoint(endpoint: str) -> bool:
    # Other parts of the children's ballot are built alongside: link them once they exist.
    return endpoint in current_app.view_functions


# --- the children's part of a round -------------------------------------------------------

def _setup_page(round_, form: PartForm | None = None, status: int = 200, error: str = ""):
    part = part_of(round_)
    if form is None:
        form = PartForm(formdata=None)
        if part is not None:
            form.fill(part)
    cards = [(e, e.picture_card or parts.preview_card(e)) for e in round_.entries] \
        if part is not None else []
    editable, voted = round_.state in EDITABLE, parts.has_votes(round_)
    if not (editable and not voted) and form.errors and not error:
        # The form is not shown (closed, or children have voted): say why on the page.
        error = " ".join(m for messages in form.errors.values() for m in messages)
    return render("kids/staff_setup.html", status=status, round=round_, part=part,
                  form=form, button=ButtonForm(), cards=cards, error=error,
                  editable=editable, state_labels=STATE_LABELS,
                  children=results.children_count(round_) if part is not None else 0,
                  voted=voted, clip_labels=CLIP_LABELS,
                  picture_src=card_picture_url, clip_src=card_clip_url,
                  kiosk=round_.state == "open" and _optional_endpoint("kids.kiosk_start"),
                  results_link=_optional_endpoint("kids.results"))


def _closed_message() -> str:
    return _("The children's part can only be set up before voting closes.")


@bp.route("/rounds/<int:round_id>/setup", methods=["GET", "POST"])
@access("staff")
def setup(round_id: int):
    round_ = get_round(round_id, entries=True,
                       entry_options=(selectinload(RoundEntry.picture_card),))
    if request.method == "GET":
        return _setup_page(round_)
    if "remove" in request.form:
        return _remove(round_)
    form = PartForm()
    if not form.validate():
        return _setup_page(round_, form, 422)
    try:
        with write_transaction():
            had_part = part_of(round_) is not None
            parts.set_part(round_, _staff(), picks=form.picks.data, budget_fen=form.budget.fen)
    except PartRefused as refused:
        _refused_on(form, refused, "picks")
        return _setup_page(round_, form, 422)
    flash(_("The children's part is saved.") if had_part else
          _("The round has a children's part now. Check each idea's picture card."),
          "success")
    return see_other(url_for("kids.setup", round_id=round_.id))


def _remove(round_):
    if not ButtonForm().validate():
        abort(400)
    if round_.state not in EDITABLE:
        return _setup_page(round_, status=422, error=_closed_message())
    stored = set().union(*(files.stored_names(e.picture_card) for e in round_.entries))
    try:
        with write_transaction():
            parts.remove_part(round_, _staff())
    except PartRefused as refused:
        return _setup_page(round_, status=422, error=refused.message)
    files.discard(*stored)
    flash(_("The children's part is removed from this round."), "success")
    return see_other(url_for("kids.setup", round_id=round_.id))


# --- a picture card -----------------------------------------------------------------------

def _card_page(round_, entry, form: CardForm | None = None,
               clip_form: ClipForm | None = None, status: int = 200):
    part = part_of(round_)
    card = entry.picture_card or parts.preview_card(entry)
    if form is None:
        form = CardForm(formdata=None)
        form.fill(card)
    form.set_choices(entry.picture_card)
    clip_form = clip_form or ClipForm(formdata=None)
    editable = part is not None and round_.state in EDITABLE
    # The forms are not shown when nothing may change: their refusals go above.
    error = "" if editable else " ".join(
        m for f in (form, clip_form) for messages in f.errors.values() for m in messages)
    return render("kids/staff_card.html", status=status, round=round_, entry=entry,
                  part=part, card=card, saved=entry.picture_card is not None, form=form,
                  clip_form=clip_form, editable=editable, error=error,
                  pictures=[(p, picture_url(p.key)) for p in PICTURES],
                  picture_src=card_picture_url(card), clip_src=card_clip_url(card),
                  clip_labels=CLIP_LABELS, label_max=parts.LABEL_MAX,
                  max_photo_mb=current_app.config["SETTINGS"].max_photo_bytes // 2**20)


def _not_editable(round_) -> str | None:
    if part_of(round_) is None:
        return _("This round has no children's part: set it up first.")
    if round_.state not in EDITABLE:
        return _("Cards can only change before voting closes.")
    return None


def _stored_drawing(form: CardForm) -> str | None:
    """The uploaded drawing, re-encoded without its metadata and stored; None if none."""
    upload = form.drawing.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    s = current_app.config["SETTINGS"]
    photo = process_photo(upload.read(), max_bytes=s.max_photo_bytes,
                          max_pixels=s.max_photo_pixels)
    return files.store(photo.data, photo.extension)


def _add_spoken_clip(entry, label: str) -> None:
    """After the card is saved without a clip: the server says its label, if it can."""
    name = audio.speak_label(label)
    if name is None:
        return
    try:
        with write_transaction():
            previous = parts.set_clip(entry, _staff(), kind="spoken", name=name, label=label)
    except PartRefused:
        files.discard(name)
        return
    files.discard(previous)


@bp.route("/rounds/<int:round_id>/cards/<int:entry_id>", methods=["GET", "POST"])
@access("staff")
def card(round_id: int, entry_id: int):
    round_ = get_round(round_id, entries=True)
    entry = _entry(round_, entry_id)
    if request.method == "GET":
        return _card_page(round_, entry)
    form = CardForm()
    form.set_choices(entry.picture_card)
    if not form.validate():
        return _card_page(round_, entry, form, status=422)
    problem = _not_editable(round_)
    if problem:
        form.label.errors = [problem]
        return _card_page(round_, entry, form, status=422)
    upload = None
    try:
        upload = _stored_drawing(form)
        keep_upload = form.picture.data == UPLOADED and entry.picture_card is not None \
            and entry.picture_card.picture_kind == "upload"
        builtin = None if upload or keep_upload else (form.picture.data or "")
        before = files.stored_names(entry.picture_card)
        with write_transaction():
            saved = parts.set_card(entry, _staff(), label=form.label.data or "",
                                   builtin=builtin, upload=upload)
            label, needs_clip = saved.label, not saved.clip_kind
            after = files.stored_names(saved)
    except PhotoRejected as rejected:
        form.drawing.errors = [rejected.message]
        return _card_page(round_, entry, form, status=422)
    except PartRefused as refused:
        files.discard(upload or "")
        _refused_on(form, refused, "label")
        return _card_page(round_, entry, form, status=422)
    files.discard(*(before - after))
    if needs_clip:
        _add_spoken_clip(entry, label)
    flash(_("The card is saved."), "success")
    return see_other(url_for("kids.card", round_id=round_.id, entry_id=entry.id))


def _wants_json() -> bool:
    # The recorder's fetch() asks for JSON; a plain form post gets a page.
    return request.accept_mimetypes.best == "application/json"


@bp.post("/rounds/<int:round_id>/cards/<int:entry_id>/clip")
@access("staff")
def card_clip(round_id: int, entry_id: int):
    round_ = get_round(round_id, entries=True)
    entry = _entry(round_, entry_id)
    form = ClipForm()
    form.validate()  # only reads the file: the checks that matter are audio.check's
    upload = form.clip.data
    name = None
    try:
        problem = _not_editable(round_)
        if problem:
            raise PartRefused("clip", problem)
        data = upload.read(audio.MAX_CLIP_BYTES + 1) if getattr(upload, "filename", "") \
            else b""
        name = audio.store_recording(data)
        with write_transaction():
            previous = parts.set_clip(entry, _staff(), kind="recorded", name=name)
    except (audio.ClipRejected, PartRefused) as refused:
        files.discard(name or "")
        if _wants_json():
            return jsonify(error=refused.message), 422
        form.clip.errors = [refused.message]
        return _card_page(round_, entry, clip_form=form, status=422)
    files.discard(previous)
    flash(_("The recording is saved: children hear it when they tap the card."), "success")
    location = url_for("kids.card", round_id=round_.id, entry_id=entry.id) + "#clip"
    if _wants_json():
        return jsonify(location=location)
    return see_other(location)
