"""The staff's forms of a project: who is responsible and progress, partners, planned
funding, milestones, the ledger, and starting the work. Each posts here and comes back to
the project page: a 303 when done, the page with the form's message (422) when refused.
"""
from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import access
from app.database import write_transaction
from app.extensions import db
from app.rendering import render, see_other
from proposals.photos import MAX_PHOTOS, PhotoRejected, process_photo
from proposals.views import get_idea, idea_context

from . import milestones as ms, services, spending as ledger
from .blueprint import bp
from .forms import FundingForm, MilestoneForm, PartnerForm, ProjectForm, ReverseForm, \
    SpendingForm, StartForm, StatusForm
from .labels import MILESTONE_LABELS
from .models import Milestone, ProjectFunding, ProjectPartner, SpendingEntry
from .project_views import LABELS, get_project, page
from .services import ProjectRefused


def _staff():
    return current_user._get_current_object()


def _back(project_id: int, anchor: str = ""):
    return see_other(url_for("projects.project", project_id=project_id) + anchor)


def _child(model, child_id: int, project_id: int):
    """A partner, funding line, milestone or entry of this project, or 404."""
    row = db.session.get(model, child_id)
    if row is None or row.project_id != project_id:
        abort(404)
    return row


def _processed(files) -> list:
    files = [f for f in (files or []) if getattr(f, "filename", "")]
    if len(files) > MAX_PHOTOS:
        raise PhotoRejected(_("At most %(n)d photos per milestone.", n=MAX_PHOTOS))
    s = current_app.config["SETTINGS"]
    return [process_photo(f.read(), max_bytes=s.max_photo_bytes, max_pixels=s.max_photo_pixels)
            for f in files]


def _refused(project_id: int, name: str, form, message: str = ""):
    return page(project_id, status=422, forms={name: form} if form is not None else {},
                errors={name: message} if message else {})


def _gone(project_id: int, message: str):
    """Refused because the form no longer applies (sent twice, or from an old page)."""
    flash(message, "error")
    return page(project_id, status=422)


@bp.post("/projects/from-idea/<int:idea_id>")
@access("staff")
def create(idea_id: int):
    idea = get_idea(idea_id)
    try:
        with write_transaction():
            project = services.create_project(db.session.merge(idea), _staff())
    except ProjectRefused as refused:
        flash(refused.message, "error")
        return render("proposals/idea.html", status=422, **idea_context(get_idea(idea_id)))
    flash(_("The project is set up from the idea's costing."), "success")
    return _back(project.id)


@bp.post("/projects/<int:project_id>/edit")
@access("staff")
def edit(project_id: int):
    project = get_project(project_id)
    form = ProjectForm()
    if not form.validate():
        return _refused(project_id, "edit", form)
    try:
        with write_transaction():
            services.update_project(db.session.merge(project), _staff(),
                                    responsible_kind=form.responsible_kind.data,
                                    responsible_name=form.responsible_name.data,
                                    progress=form.progress.data)
    except ProjectRefused as refused:
        return _refused(project_id, "edit", form, refused.message)
    flash(_("The project is updated."), "success")
    return _back(project_id)


@bp.post("/projects/<int:project_id>/partners")
@access("staff")
def add_partner(project_id: int):
    project = get_project(project_id)
    form = PartnerForm()
    if not form.validate():
        return _refused(project_id, "partner", form)
    try:
        with write_transaction():
            services.add_partner(db.session.merge(project), _staff(), name=form.name.data,
                                 contribution=form.contribution.data or "")
    except ProjectRefused as refused:
        return _refused(project_id, "partner", form, refused.message)
    return _back(project_id, "#partners")


@bp.post("/projects/<int:project_id>/partners/<int:partner_id>/remove")
@access("staff")
def remove_partner(project_id: int, partner_id: int):
    get_project(project_id)
    with write_transaction():
        services.remove_partner(_child(ProjectPartner, partner_id, project_id), _staff())
    return _back(project_id, "#partners")


@bp.post("/projects/<int:project_id>/funding")
@access("staff")
def add_funding(project_id: int):
    project = get_project(project_id)
    form = FundingForm()
    if not form.validate():
        return _refused(project_id, "funding", form)
    try:
        with write_transaction():
            services.add_funding(db.session.merge(project), _staff(), kind=form.kind.data,
                                 amount_fen=form.amount.fen, note=form.note.data or "")
    except ProjectRefused as refused:
        return _refused(project_id, "funding", form, refused.message)
    return _back(project_id, "#money")


@bp.post("/projects/<int:project_id>/funding/<int:funding_id>")
@access("staff")
def change_funding(project_id: int, funding_id: int):
    get_project(project_id)
    _child(ProjectFunding, funding_id, project_id)
    form, name = FundingForm(), f"funding-{funding_id}"
    if not form.validate():
        return _refused(project_id, name, form)
    try:
        with write_transaction():
            services.change_funding(_child(ProjectFunding, funding_id, project_id), _staff(),
                                    kind=form.kind.data, amount_fen=form.amount.fen,
                                    note=form.note.data or "")
    except ProjectRefused as refused:
        return _refused(project_id, name, form, refused.message)
    return _back(project_id, "#money")


@bp.post("/projects/<int:project_id>/funding/<int:funding_id>/remove")
@access("staff")
def remove_funding(project_id: int, funding_id: int):
    get_project(project_id)
    _child(ProjectFunding, funding_id, project_id)
    try:
        with write_transaction():
            services.remove_funding(_child(ProjectFunding, funding_id, project_id), _staff())
    except ProjectRefused as refused:
        return _refused(project_id, f"funding-{funding_id}", None, refused.message)
    return _back(project_id, "#money")


@bp.post("/projects/<int:project_id>/milestones")
@access("staff")
def add_milestone(project_id: int):
    project = get_project(project_id)
    form = MilestoneForm()
    if not form.validate():
        return _refused(project_id, "milestone", form)
    try:
        photos = _processed(form.photos.data)
    except PhotoRejected as rejected:
        form.photos.errors = [rejected.message]
        return _refused(project_id, "milestone", form)
    try:
        with write_transaction():
            milestone = ms.add_milestone(db.session.merge(project), _staff(),
                                         due_on=form.due_on.data, title=form.title.data,
                                         text=form.text.data or "", status=form.status.data,
                                         photos=photos)
    except ProjectRefused as refused:
        return _refused(project_id, "milestone", form, refused.message)
    flash(_("Milestone “%(title)s” added; followers of the idea are told.",
            title=milestone.title), "success")
    return _back(project_id, f"#milestone-{milestone.id}")


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/status")
@access("staff")
def milestone_status(project_id: int, milestone_id: int):
    get_project(project_id)
    _child(Milestone, milestone_id, project_id)
    form = StatusForm()
    if not form.validate():
        return _refused(project_id, f"status-{milestone_id}", None,
                        " ".join(map(str, form.status.errors)) or _("Choose a status."))
    with write_transaction():
        milestone = _child(Milestone, milestone_id, project_id)
        if ms.set_status(milestone, _staff(), form.status.data):
            flash(_("“%(title)s” is now: %(status)s.", title=milestone.title,
                    status=MILESTONE_LABELS[milestone.status]), "success")
    return _back(project_id, f"#milestone-{milestone_id}")


def _milestone_page(project, milestone, form, status: int = 200, error: str = ""):
    form.remove.choices = [(p.id, p.filename) for p in milestone.photos]
    return render("projects/milestone_edit.html", status=status, project=project,
                  milestone=milestone, form=form, error=error, **LABELS)


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/edit",
          methods=["GET", "POST"])
@access("staff")
def edit_milestone(project_id: int, milestone_id: int):
    project = get_project(project_id)
    milestone = _child(Milestone, milestone_id, project_id)
    if request.method == "GET":
        return _milestone_page(project, milestone, MilestoneForm(formdata=None, obj=milestone))
    form = MilestoneForm()
    if not form.validate():
        return _milestone_page(project, milestone, form, 422)
    try:
        photos = _processed(form.photos.data)
    except PhotoRejected as rejected:
        form.photos.errors = [rejected.message]
        return _milestone_page(project, milestone, form, 422)
    try:
        with write_transaction():
            removed = ms.edit_milestone(
                _child(Milestone, milestone_id, project_id), _staff(), due_on=form.due_on.data,
                title=form.title.data, text=form.text.data or "", status=form.status.data,
                photos=photos, remove=tuple(form.remove.data or ()))
    except ProjectRefused as refused:
        return _milestone_page(project, _child(Milestone, milestone_id, project_id), form,
                               422, refused.message)
    ms.discard_files(removed)
    flash(_("The milestone is updated."), "success")
    return _back(project_id, f"#milestone-{milestone_id}")


@bp.post("/projects/<int:project_id>/spending")
@access("staff")
def add_spending(project_id: int):
    project = get_project(project_id)
    form = SpendingForm()
    if not form.validate():
        return _refused(project_id, "spending", form)
    upload, receipt = form.receipt.data, None
    if upload is not None and getattr(upload, "filename", ""):
        s = current_app.config["SETTINGS"]
        try:
            receipt = process_photo(upload.read(), max_bytes=s.max_photo_bytes,
                                    max_pixels=s.max_photo_pixels)
        except PhotoRejected as rejected:
            form.receipt.errors = [rejected.message]
            return _refused(project_id, "spending", form)
    try:
        with write_transaction():
            entry = ledger.add_spending(
                db.session.merge(project), _staff(), spent_on=form.spent_on.data,
                amount_fen=form.amount.fen, payee=form.payee.data, purpose=form.purpose.data,
                source_kind=form.source_kind.data, receipt=receipt,
                overspend_reason=form.overspend_reason.data or "")
    except ledger.OverspendUnexplained as refused:
        form.overspend_reason.errors = [refused.message]
        return _refused(project_id, "spending", form)
    except ProjectRefused as refused:
        return _refused(project_id, "spending", form, refused.message)
    return _back(project_id, f"#entry-{entry.id}")


@bp.post("/projects/<int:project_id>/spending/<int:spending_id>/reverse")
@access("staff")
def reverse_spending(project_id: int, spending_id: int):
    get_project(project_id)
    entry = _child(SpendingEntry, spending_id, project_id)
    if entry.reverses_id is not None or ledger.reversal_of(entry) is not None:
        # Its reverse form is gone from the ledger: the message goes to the top.
        return _gone(project_id, _("This entry has already been reversed."))
    form, name = ReverseForm(), f"reverse-{spending_id}"
    if not form.validate():
        return _refused(project_id, name, form, " ".join(map(str, form.reason.errors)))
    try:
        with write_transaction():
            reversal = ledger.reverse_spending(_child(SpendingEntry, spending_id, project_id),
                                               _staff(), form.reason.data)
    except ProjectRefused as refused:
        return _refused(project_id, name, form, refused.message)
    return _back(project_id, f"#entry-{reversal.id}")


@bp.post("/projects/<int:project_id>/start")
@access("staff")
def start(project_id: int):
    project = get_project(project_id)
    if project.idea.stage != "funded":  # its form is shown only before the work starts
        return _gone(project_id, _("The work on this project has already started."))
    form = StartForm()
    if not form.validate():
        return _refused(project_id, "start", form)
    try:
        with write_transaction():
            services.start_work(db.session.merge(project), _staff(), form.reason.data)
    except ProjectRefused as refused:
        return _refused(project_id, "start", form, refused.message)
    flash(_("Work has started: the idea is now in progress."), "success")
    return _back(project_id)

