"""Staff pages of outcomes: write the page for a project in progress, edit its text,
add and remove before/after photos while it is a draft, publish it."""
from __future__ import annotations

from flask import abort, current_app, flash, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import access
from app.database import write_transaction
from app.forms import ButtonForm
from app.rendering import render, see_other
from proposals.photos import PhotoRejected, process_photo
from proposals.stages import STAGE_LABELS

from . import queries, services
from .blueprint import bp
from .forms import KIND_LABELS, OutcomeForm, PhotoForm
from .models import Outcome
from .services import OutcomeRefused


def _staff():
    return current_user._get_current_object()


def _project(project_id: int):
    project = queries.project_in(project_id, g.community)
    if project is None:
        abort(404)
    return project


def _outcome(outcome_id: int) -> Outcome:
    outcome = queries.load_outcome(outcome_id, g.community)
    if outcome is None:
        abort(404)
    return outcome


@bp.route("/new/<int:project_id>", methods=["GET", "POST"])
@access("staff")
def new(project_id: int):
    """A button that drafts the page; if the project has one already, a link to it."""
    project = _project(project_id)
    existing = services.outcome_of(project)
    error = None
    if request.method == "POST":
        try:
            with write_transaction():
                outcome = services.draft_outcome(project, _staff())
            flash(_("A draft outcome page is ready: add what was done and the photos, then "
                    "publish it."), "success")
            return see_other(url_for("outcomes.edit", outcome_id=outcome.id))
        except OutcomeRefused as refused:
            error = refused.message
            existing = services.outcome_of(project)
    return render("outcomes/new.html", status=422 if error else 200, project=project,
                  existing=existing, error=error, stage_labels=STAGE_LABELS,
                  button=ButtonForm())


def _edit_page(outcome: Outcome, form: OutcomeForm | None = None,
               photo_form: PhotoForm | None = None, status: int = 200, error: str = ""):
    if form is None:
        form = OutcomeForm(formdata=None, obj=outcome)
    photos = {kind: [p for p in outcome.photos if p.kind == kind] for kind in KIND_LABELS}
    return render("outcomes/edit.html", status=status, outcome=outcome, form=form,
                  photo_form=photo_form or PhotoForm(formdata=None), photos=photos,
                  kind_labels=KIND_LABELS, problems=services.publish_problems(outcome),
                  max_per_kind=services.MAX_PHOTOS_PER_KIND, error=error,
                  button=ButtonForm())


@bp.route("/<int:outcome_id>/edit", methods=["GET", "POST"])
@access("staff")
def edit(outcome_id: int):
    outcome = _outcome(outcome_id)
    form = OutcomeForm()
    if not form.is_submitted():
        return _edit_page(outcome)
    if not form.validate():
        return _edit_page(outcome, form, status=422)
    try:
        with write_transaction():
            services.edit(outcome, _staff(), title=form.title.data,
                          summary=form.summary.data or "")
    except OutcomeRefused as refused:
        form.summary.errors = [refused.message]
        return _edit_page(outcome, form, status=422)
    flash(_("Saved."), "success")
    return see_other(url_for("outcomes.edit", outcome_id=outcome.id))


@bp.post("/<int:outcome_id>/photos")
@access("staff")
def add_photo(outcome_id: int):
    outcome = _outcome(outcome_id)
    form = PhotoForm()
    if not form.validate():
        return _edit_page(outcome, photo_form=form, status=422)
    upload = form.photo.data
    if upload is None or not getattr(upload, "filename", ""):
        form.photo.errors = [_("Choose a photo to upload.")]
        return _edit_page(outcome, photo_form=form, status=422)
    s = current_app.config["SETTINGS"]
    try:
        photo = process_photo(upload.read(), max_bytes=s.max_photo_bytes,
                              max_pixels=s.max_photo_pixels)
        with write_transaction():
            services.add_photo(outcome, _staff(), form.kind.data, photo, form.caption.data or "")
    except (PhotoRejected, OutcomeRefused) as refused:
        form.photo.errors = [refused.message]
        return _edit_page(outcome, photo_form=form, status=422)
    flash(_("The photo is added."), "success")
    return see_other(url_for("outcomes.edit", outcome_id=outcome.id) + "#photos")


@bp.post("/<int:outcome_id>/photos/<int:outcome_photo_id>/remove")
@access("staff")
def remove_photo(outcome_id: int, outcome_photo_id: int):
    outcome = _outcome(outcome_id)
    photo = queries.photo_of(outcome, outcome_photo_id)
    if photo is None:
        abort(404)
    try:
        with write_transaction():
            name = services.remove_photo(outcome, _staff(), photo)
    except OutcomeRefused as refused:
        return _edit_page(outcome, status=422, error=refused.message)
    services.discard_file(name)
    flash(_("The photo is removed."), "success")
    return see_other(url_for("outcomes.edit", outcome_id=outcome.id) + "#photos")


@bp.post("/<int:outcome_id>/publish")
@access("staff")
def publish(outcome_id: int):
    outcome = _outcome(outcome_id)
    try:
        with write_transaction():
            services.publish(outcome, _staff())
    except OutcomeRefused as refused:
        return _edit_page(outcome, status=422, error=refused.message)
    flash(_("The outcome page is published, and the idea is done. Thank you!"), "success")
    return see_other(url_for("outcomes.outcome", outcome_id=outcome.id))
