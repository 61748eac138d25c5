"""Staff's side of notices (公示): open one from a candidate with a drafted text, answer
objections publicly, attach the photo of the posted notice, and fund the ideas when the
notice is due. A refusal re-renders the page with the message (422), changing nothing."""
from __future__ import annotations

from flask import abort, current_app, flash, g, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from app import audit
from app.access import access
from app.database import write_transaction
from app.extensions import db
from app.rendering import render, see_other
from app.templating import when
from proposals.photos import PhotoRejected, process_photo, store
from proposals.services import photo_folder

from . import drafts, services
from .blueprint import bp
from .forms import AnswerForm, NewNoticeForm, PeriodForm, PhotoForm
from .models import Objection
from .public_views import get_notice, index_page, notice_page
from .services import NoticeRefused

def _staff():
    return current_user._get_current_object()


def _new_page(form: NewNoticeForm | None, chosen=None, status: int = 200, error: str = ""):
    found = services.candidates(g.community)
    return render("notices/new.html", status=status, form=form, chosen=chosen,
                  candidates=found, error=error, kind_labels={
                      "round": _("A budget round's adopted result"),
                      "decision": _("A passed owners' decision"),
                      "plan": _("A plan funded outside a round")})


@bp.route("/new", methods=["GET", "POST"])
@access("staff")
def new_notice():
    if request.method == "GET":
        key = request.args.get("candidate", "")
        chosen = services.candidate(g.community, key) if key else None
        if chosen is None:
            error = _("These ideas cannot be put on a notice now: they are already on one, "
                      "or no longer in public notice stage.") if key else ""
            return _new_page(None, error=error)
        days = g.community.notice_days
        form = NewNoticeForm(formdata=None, candidate=chosen.key, days=days,
                             title=drafts.draft_title(chosen),
                             text=drafts.draft_text(chosen, g.community, days))
        return _new_page(form, chosen)
    form = NewNoticeForm()
    chosen = services.candidate(g.community, form.candidate.data or "")
    if chosen is None:
        return _new_page(None, status=422, error=_(
            "These ideas cannot be put on a notice now: they are already on one, or no "
            "longer in public notice stage."))
    if not form.validate():
        return _new_page(form, chosen, 422)
    try:
        with write_transaction():
            chosen = services.candidate(g.community, form.candidate.data)
            if chosen is None:
                raise NoticeRefused(_("These ideas cannot be put on a notice now: they are "
                                      "already on one, or no longer in public notice stage."))
            notice = services.open_notice(
                g.community, _staff(), chosen.kind, ideas=chosen.ideas,
                title=form.title.data, text=form.text.data, days=form.days.data,
                round=chosen.round, decision=chosen.decision)
            notice_id, closes_at = notice.id, notice.closes_at
    except NoticeRefused as refused:
        return _new_page(form, services.candidate(g.community, form.candidate.data or ""),
                         422, refused.message)
    flash(_("The notice is open until %(when)s.", when=when(closes_at)), "success")
    return see_other(url_for("notices.notice", notice_id=notice_id))


def _objection(notice_id: int, objection_id: int) -> Objection:
    notice = get_notice(notice_id)
    objection = db.session.get(Objection, objection_id)
    if objection is None or objection.notice_id != notice.id:
        abort(404)
    return objection


@bp.post("/<int:notice_id>/objections/<int:objection_id>/answer")
@access("staff")
def answer(notice_id: int, objection_id: int):
    objection = _objection(notice_id, objection_id)
    form = AnswerForm()
    if not form.validate():
        # An answered objection shows no form, where the field's message would go.
        gone = _("This objection has already been answered.") if objection.answered else ""
        return notice_page(notice_id, 422, answer_forms={objection_id: form},
                           status_errors={"answer_error": (objection_id, gone)} if gone else {})
    try:
        with write_transaction():
            services.answer_objection(_objection(notice_id, objection_id), _staff(),
                                      form.answer.data, form.upheld.data == "yes")
    except NoticeRefused as refused:
        return notice_page(notice_id, 422, answer_forms={objection_id: form},
                           status_errors={"answer_error": (objection_id, refused.message)})
    flash(_("The answer is published."), "success")
    return see_other(url_for("notices.notice", notice_id=notice_id,
                             _anchor=f"objection-{objection_id}"))


@bp.post("/<int:notice_id>/photo")
@access("staff")
def photo(notice_id: int):
    get_notice(notice_id)
    form = PhotoForm()
    if not form.validate():
        return notice_page(notice_id, 422, photo_form=form)
    settings = current_app.config["SETTINGS"]
    try:
        processed = process_photo(form.photo.data.read(), max_bytes=settings.max_photo_bytes,
                                  max_pixels=settings.max_photo_pixels)
    except PhotoRejected as rejected:
        return notice_page(notice_id, 422, photo_form=form,
                           status_errors={"photo_error": rejected.message})
    name = store(processed, photo_folder())
    try:
        with write_transaction():
            earlier = services.set_photo(get_notice(notice_id), _staff(), name,
                                         processed.width, processed.height)
    except BaseException:
        (photo_folder() / name).unlink(missing_ok=True)
        raise
    if earlier:
        (photo_folder() / earlier).unlink(missing_ok=True)
    flash(_("The photo of the posted notice is saved."), "success")
    return see_other(url_for("notices.notice", notice_id=notice_id, _anchor="posted"))


@bp.post("/<int:notice_id>/finish")
@access("staff")
def finish(notice_id: int):
    get_notice(notice_id)
    try:
        with write_transaction():
            funded = services.finish(get_notice(notice_id), _staff())
    except NoticeRefused as refused:
        return notice_page(notice_id, 422, status_errors={"finish_error": refused.message})
    flash(ngettext("The notice is finished: %(num)d idea is funded.",
                   "The notice is finished: %(num)d ideas are funded.", len(funded)), "success")
    return see_other(url_for("notices.notice", notice_id=notice_id))


# --- the community's notice period ---------------------------------------------------------

def set_notice_days(community, staff, days: int) -> None:
    """Only a column and an audit entry: how long this community's notices run by default
    (a notice already open keeps its own period)."""
    days = services.check_days(days)
    if days != community.notice_days:
        audit.record("community.notice_days", actor=staff, community=community,
                     target=community, before=community.notice_days, after=days)
        community.notice_days = days


@bp.post("/period")
@access("staff")
def period():
    form = PeriodForm()
    if not form.validate():
        return index_page(422, form)
    with write_transaction():
        set_notice_days(g.community, _staff(), form.days.data)
    flash(ngettext("Notices here now run for %(num)d day unless you choose otherwise.",
                   "Notices here now run for %(num)d days unless you choose otherwise.",
                   form.days.data), "success")
    return see_other(url_for("notices.index"))
