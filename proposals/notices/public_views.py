"""What everyone sees of notices (公示): the list, a notice's page with its objections and
answers, the A4 poster for the 公告栏, and residents' objections. Staff's forms on the
notice page post to staff_views, which re-render this page on a refusal."""
from __future__ import annotations

from flask import abort, current_app, flash, g, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import permissions
from app.access import access
from app.database import write_transaction
from app.extensions import db
from app.forms import ButtonForm
from app.qr import qr_svg
from app.rendering import render, see_other
from app.timeutil import utcnow
from proposals.models import Idea
from proposals.stages import STAGE_LABELS

from . import poster as posters
from . import services
from .blueprint import bp
from .forms import AnswerForm, ObjectionForm, PeriodForm, PhotoForm
from .models import Notice, NoticeIdea, Objection


def get_notice(notice_id: int, *, full: bool = False) -> Notice:
    """This community's notice, or 404: another community's is not reachable here."""
    options = [selectinload(Notice.items).joinedload(NoticeIdea.idea).joinedload(Idea.costing),
               selectinload(Notice.objections).joinedload(Objection.author),
               selectinload(Notice.objections).joinedload(Objection.idea)] if full else []
    notice = db.session.get(Notice, notice_id, options=options)
    if notice is None or notice.community_id != g.community.id:
        abort(404)
    return notice


def public_link(notice: Notice) -> str:
    """The notice page's address for a phone scanning the poster (PUBLIC_URL)."""
    return current_app.config["SETTINGS"].public_url + url_for("notices.notice",
                                                               notice_id=notice.id)


def open_ideas(notice: Notice) -> list[Idea]:
    """The ideas still on notice, which residents may object to."""
    return [item.idea for item in notice.items
            if not item.result and item.idea.stage == "noticed"]


def objection_form(notice: Notice, form: ObjectionForm | None = None) -> ObjectionForm:
    form = form or ObjectionForm(formdata=None)
    ideas = open_ideas(notice)
    form.idea_id.choices = ([] if len(ideas) == 1 else [(0, _("— choose the idea —"))]) + [
        (i.id, i.title) for i in ideas]
    return form


def why_no_objection(notice: Notice) -> str:
    """Why this visitor has no objection form: "" when they have one."""
    if not services.is_open(notice):
        return "over"
    if not open_ideas(notice):
        return "none"
    if not current_user.is_authenticated:
        return "login"
    if not permissions.is_verified_resident(current_user, g.community):
        return "unverified"
    return ""


def page_context(notice: Notice, *, status_errors: dict | None = None, **forms) -> dict:
    """Everything the notice page shows; `forms` carries a re-shown form after a 422
    (objection_form, answer_forms {objection id: form}, photo_form) and `*_error`s."""
    now = utcnow()
    staff = permissions.is_staff(current_user, g.community)
    why_not = why_no_objection(notice)
    ctx = dict(notice=notice, now=now, is_open=services.is_open(notice, now),
               time_left=services.time_left(notice, now), stage_labels=STAGE_LABELS,
               staff=staff, why_not=why_not, objection_error="", answer_error=None,
               photo_error="", finish_error="", answer_forms={},
               objection_form=None, photo_form=None, button=None, due=False, not_due=[])
    ctx.update(status_errors or {})
    if not why_not:
        ctx["objection_form"] = objection_form(notice, forms.get("objection_form"))
    if staff:
        given = forms.get("answer_forms") or {}
        ctx.update(
            answer_forms={o.id: given.get(o.id) or AnswerForm(formdata=None)
                          for o in notice.objections if not o.answered},
            photo_form=forms.get("photo_form") or PhotoForm(formdata=None),
            button=ButtonForm(), due=services.is_due(notice, now),
            not_due=services.not_due_because(notice, now))
    return ctx


def notice_page(notice_id: int, status: int = 200, **kwargs):
    notice = get_notice(notice_id, full=True)
    return render("notices/notice.html", status=status, **page_context(notice, **kwargs))


def index_page(status: int = 200, period_form: PeriodForm | None = None):
    """The list of notices; staff also see the community's notice period to change."""
    staff = permissions.is_staff(current_user, g.community)
    if staff and period_form is None:
        period_form = PeriodForm(days=g.community.notice_days, formdata=None)
    notices = db.session.scalars(
        select(Notice).options(selectinload(Notice.items))
        .where(Notice.community_id == g.community.id)
        .order_by(Notice.closes_at.desc(), Notice.id.desc())).all()
    now = utcnow()
    current = sorted((n for n in notices if services.is_open(n, now)), key=lambda n: n.closes_at)
    past = [n for n in notices if not services.is_open(n, now)]
    return render("notices/index.html", status=status, current=current, past=past, now=now,
                  time_left=services.time_left, counts=services.objection_counts(
                      n.id for n in notices), staff=staff, period_form=period_form)


@bp.get("/")
@access("public")
def index():
    return index_page()


@bp.get("/<int:notice_id>")
@access("public")
def notice(notice_id: int):
    return notice_page(notice_id)


@bp.post("/<int:notice_id>/objections")
@access("verified")
def object_to(notice_id: int):
    notice = get_notice(notice_id, full=True)
    form = objection_form(notice, ObjectionForm())
    if not form.validate():
        return notice_page(notice_id, 422, objection_form=form)
    try:
        with write_transaction():
            notice = get_notice(notice_id)
            objection = services.file_objection(notice, current_user, db.session.get(
                Idea, form.idea_id.data), form.reason.data)
            objection_id = objection.id
    except services.NoticeRefused as refused:
        return notice_page(notice_id, 422, objection_form=form,
                           status_errors={"objection_error": refused.message})
    flash(_("Your objection is filed. Staff will answer it publicly on this page."), "success")
    return see_other(url_for("notices.notice", notice_id=notice_id,
                             _anchor=f"objection-{objection_id}"))


@bp.get("/<int:notice_id>/poster")
@access("public")
def poster(notice_id: int):
    notice = get_notice(notice_id)
    link = public_link(notice)
    return render("notices/poster.html", notice=notice, link=link,
                  fitted=posters.fit(notice.title, notice.text),
                  qr=qr_svg(link, label=_("QR code of this notice's page"),
                            css_class="poster-qr"))
