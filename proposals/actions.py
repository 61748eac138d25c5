"""Pages that change ideas: hand one in, support it, move it, join a community."""
from __future__ import annotations

from flask import current_app, flash, g, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import access
from app.accounts import services as accounts
from app.accounts.limits import posting_limit
from app.database import write_transaction
from app.extensions import db, htmx
from app.rendering import render, see_other

from . import services
from .blueprint import bp
from .forms import IdeaForm, MoveForm
from .models import Idea
from .moves import MoveRefused, move_idea
from .needs import CostingInput
from .photos import MAX_PHOTOS, PhotoRejected, process_photo
from .stages import STAGE_LABELS
from .views import building_of, get_idea, idea_context


def _photos_from(form: IdeaForm):
    files = [f for f in (form.photos.data or []) if getattr(f, "filename", "")]
    if len(files) > MAX_PHOTOS:
        raise PhotoRejected(_("At most %(n)d photos per idea.", n=MAX_PHOTOS))
    s = current_app.config["SETTINGS"]
    return [process_photo(f.read(), max_bytes=s.max_photo_bytes, max_pixels=s.max_photo_pixels)
            for f in files]


@bp.route("/ideas/new", methods=["GET", "POST"])
@access("member")
@posting_limit
def hand_in():
    form = IdeaForm()
    form.set_buildings(g.community)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render("proposals/hand_in.html", form=form, status=status)
    try:
        photos = _photos_from(form)
    except PhotoRejected as exc:
        form.photos.errors = [exc.message]
        return render("proposals/hand_in.html", form=form, status=422)
    with write_transaction():
        idea = services.hand_in(
            g.community, db.session.merge(current_user._get_current_object()),
            title=form.title.data, description=form.description.data,
            category=form.category.data, building=building_of(form.building_id.data),
            place=form.place.data or "", estimated_cost_fen=form.estimated_cost.fen,
            changes_common_parts=form.changes_common_parts.data, photos=photos)
    flash(_("Thank you! Your idea has been handed in; staff will screen it soon."), "success")
    return see_other(url_for("proposals.idea_page", idea_id=idea.id))


@bp.post("/ideas/<int:idea_id>/support")
@access("verified")
def support(idea_id: int):
    idea = get_idea(idea_id)
    if not services.can_be_supported(idea):
        flash(_("This idea no longer takes supports."), "error")
    else:
        with write_transaction():
            services.toggle_support(db.session.merge(idea), current_user._get_current_object())
    if htmx:
        return render("proposals/idea.html", fragment="proposals/_support.html",
                      **idea_context(idea))
    return see_other(url_for("proposals.idea_page", idea_id=idea.id))


def _costing_from(form: MoveForm) -> CostingInput | None:
    if form.amount.fen is None and not (form.responsible.data or "").strip():
        return None
    sources = []
    if form.source_1_amount.fen:
        sources.append((form.source_1.data, form.source_1_amount.fen, ""))
    if form.source_2.data and form.source_2_amount.fen:
        sources.append((form.source_2.data, form.source_2_amount.fen, ""))
    return CostingInput(amount_fen=form.amount.fen or 0,
                        responsible=form.responsible.data or "", sources=tuple(sources))


def _merge_target(form: MoveForm):
    if not form.merged_into.data:
        return None
    target = db.session.get(Idea, form.merged_into.data)
    return target if target is not None and target.community_id == g.community.id else None


@bp.post("/ideas/<int:idea_id>/move")
@access("signed_in")
def move(idea_id: int):
    idea = get_idea(idea_id)
    form = MoveForm()
    error = None
    if form.validate_on_submit():
        try:
            with write_transaction():
                move_idea(db.session.merge(idea), form.to.data,
                          actor=current_user._get_current_object(),
                          reason=form.reason.data or "", costing=_costing_from(form),
                          merged_into=_merge_target(form))
            flash(_("The idea is now: %(stage)s.", stage=STAGE_LABELS[form.to.data]), "success")
            return see_other(url_for("proposals.idea_page", idea_id=idea.id))
        except MoveRefused as exc:
            error = exc.message
    else:
        # Fields of other moves are hidden: name every problem at the top of the form.
        error = " ".join(f"{form[name].label.text}: {' '.join(map(str, errs))}"
                         for name, errs in form.errors.items() if name in form)
    ctx = idea_context(idea)
    if form.to.data in ctx["move_forms"]:
        ctx["move_forms"][form.to.data] = form
    else:
        error = error or _("You may not make this move.")
    return render("proposals/idea.html", status=403 if error and not ctx["moves"] else 422,
                  move_error=error, open_move=form.to.data, **ctx)


@bp.post("/join")
@access("signed_in")
def join():
    with write_transaction():
        accounts.join(db.session.merge(current_user._get_current_object()), g.community)
    flash(_("You have joined %(name)s. Staff will verify you as a resident.",
            name=g.community.name), "success")
    return see_other(url_for("proposals.home"))


@bp.get("/staff/screening")
@access("staff")
def screening():
    ideas = db.session.scalars(select(Idea).options(joinedload(Idea.author)).where(
        Idea.community_id == g.community.id, Idea.stage == "submitted")
        .order_by(Idea.created_at)).all()
    return render("proposals/screening.html", ideas=ideas, stage_labels=STAGE_LABELS)
