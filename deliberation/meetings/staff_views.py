"""Preparing a meeting (staff, or the meeting's chair): its details and rules of debate,
its agenda, and once it has ended the minutes (会议纪要) they edit and publish. Published
minutes are linked from the timeline of each idea that was on the agenda."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, g, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.access import access
from app.accounts.models import MemberRole, Membership, User
from app.database import write_transaction
from app.extensions import db
from app.forms import SHANGHAI, ButtonForm
from app.rendering import render, see_other
from app.timeutil import utcnow
from deliberation.models import Thread
from proposals.models import Idea
from proposals.stages import STAGE_LABELS
from proposals.views import CAUSE_LINKS, TIMELINE_EXTRAS, TimelineNote

from . import demo  # noqa: F401  (joins seed-demo's story through proposals.demo.demo_story)
from . import loading, minutes, services, setup
from .blueprint import bp
from .forms import AgendaItemForm, MeetingForm, MinutesForm, MoveForm
from .models import AgendaItem, Meeting, Motion
from .services import MeetingRefused

CHAIR_ROLES = ("chair", "staff", "admin")
COUNCIL_ROLES = ("council", "chair")
AGENDA_STAGES = ("submitted", "deliberating", "planned")
KIND_LABELS = {"idea": _l("Idea"), "topic": _l("Topic"), "free": _l("Item")}
MAX_CHOICES = 200  # the newest topics offered for the agenda; older ones are rarely wanted


def _me():
    return current_user._get_current_object()


def _members_with(roles) -> list[tuple[int, str]]:
    """(user id, name) of the verified, active members holding one of `roles` here."""
    rows = db.session.execute(
        select(User.id, User.display_name, User.username)
        .join(Membership, Membership.user_id == User.id)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(Membership.community_id == g.community.id, Membership.verified_at.is_not(None),
               User.disabled.is_(False), MemberRole.role.in_(roles))
        .distinct().order_by(User.display_name, User.id)).all()
    return [(uid, f"{name} ({username})") for uid, name, username in rows]


def _meeting_form(**kwargs) -> MeetingForm:
    form = MeetingForm(**kwargs)
    form.set_choices(_members_with(CHAIR_ROLES), _members_with(COUNCIL_ROLES))
    return form


def _default_start():
    """Next week at 19:00 Beijing time: when neighbours are home from work."""
    seven = (utcnow().astimezone(SHANGHAI) + timedelta(days=7)).replace(
        hour=19, minute=0, second=0, microsecond=0)
    return seven


def _edit_page(form, meeting: Meeting | None, status: int = 200, error: str = ""):
    return render("meetings/edit.html", status=status, form=form, meeting=meeting, error=error)


# --- the meeting's details --------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@access("staff")
def new():
    form = _meeting_form()
    if not form.is_submitted():
        form.starts_at.data = _default_start()
        return _edit_page(form, None)
    if not form.validate():
        return _edit_page(form, None, 422)
    try:
        with write_transaction():
            meeting = setup.create_meeting(g.community, _me(), form.fields())
    except MeetingRefused as refused:
        return _edit_page(form, None, 422, refused.message)
    flash(_("The meeting is set up. Now put its agenda together."), "success")
    return see_other(url_for("meetings.agenda", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@access("member")
def edit(meeting_id: int):
    meeting = loading.preparer_only(meeting_id)
    if meeting.status == "closed":
        return _edit_page(None, meeting, 200 if request.method == "GET" else 422,
                          _("This meeting has ended: its details can no longer change."))
    form = _meeting_form(formdata=None) if request.method == "GET" else _meeting_form()
    if request.method == "GET":
        form.fill(meeting)
        return _edit_page(form, meeting)
    if not form.validate(starts_before=meeting.starts_at):
        return _edit_page(form, meeting, 422)
    try:
        with write_transaction():
            setup.update_meeting(meeting, _me(), form.fields())
    except MeetingRefused as refused:
        return _edit_page(form, meeting, 422, refused.message)
    flash(_("The meeting's details are saved."), "success")
    # A chair who handed the meeting to someone else can no longer prepare it.
    if services.may_prepare(meeting, current_user):
        return see_other(url_for("meetings.agenda", meeting_id=meeting.id))
    return see_other(url_for("meetings.meeting", meeting_id=meeting.id))


# --- the agenda -------------------------------------------------------------------------

def _idea_choices(meeting: Meeting) -> list[tuple[int, str]]:
    on_agenda = {i.idea_id for i in meeting.items if i.idea_id}
    ideas = db.session.execute(
        select(Idea.id, Idea.title, Idea.stage)
        .where(Idea.community_id == g.community.id, Idea.stage.in_(AGENDA_STAGES))
        .order_by(Idea.created_at.desc(), Idea.id.desc())).all()
    return [(0, _("— choose an idea —"))] + [
        (i, f"{title} · {STAGE_LABELS[stage]}") for i, title, stage in ideas
        if i not in on_agenda]


def _topic_choices() -> list[tuple[int, str]]:
    topics = db.session.execute(
        select(Thread.id, Thread.title)
        .where(Thread.community_id == g.community.id, Thread.idea_id.is_(None))
        .order_by(Thread.created_at.desc(), Thread.id.desc()).limit(MAX_CHOICES)).all()
    return [(0, _("— choose a topic —"))] + [(t, title) for t, title in topics]


def _agenda_page(meeting: Meeting, status: int = 200, error: str = "",
                 add_form: AgendaItemForm | None = None):
    forms = {}
    for kind in ("idea", "topic", "free"):
        form = add_form if add_form is not None and add_form.kind.data == kind \
            else AgendaItemForm(formdata=None, kind=kind)
        forms[kind] = form
    open_ = meeting.status != "closed"
    if open_:
        forms["idea"].idea_id.choices = _idea_choices(meeting)
        forms["topic"].thread_id.choices = _topic_choices()
    return render("meetings/agenda.html", status=status, meeting=meeting, error=error,
                  forms=forms, button=ButtonForm(), open=open_, kind_labels=KIND_LABELS,
                  stage_labels=STAGE_LABELS,
                  is_chair=services.is_chair(meeting, current_user))


@bp.get("/<int:meeting_id>/agenda")
@access("member")
def agenda(meeting_id: int):
    meeting = loading.preparer_only(meeting_id)
    return _agenda_page(loading.load_whole(meeting.id))


def _this_community(model, row_id: int):
    """The row if it belongs to this community; else None (setup then says what to choose)."""
    row = db.session.get(model, row_id) if row_id and row_id > 0 else None
    return row if row is not None and row.community_id == g.community.id else None


@bp.post("/<int:meeting_id>/agenda/add")
@access("member")
def agenda_add(meeting_id: int):
    meeting = loading.preparer_only(meeting_id)
    form = AgendaItemForm()
    if not form.validate():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _agenda_page(meeting, 422, problems, form)
    kind = form.kind.data or ""
    try:
        with write_transaction():
            item = setup.add_item(
                meeting, _me(), kind=kind,
                idea=_this_community(Idea, form.idea_id.data) if kind == "idea" else None,
                thread=_this_community(Thread, form.thread_id.data) if kind == "topic" else None,
                title=form.title.data or "", note=form.note.data or "")
            title = item.display_title
    except MeetingRefused as refused:
        return _agenda_page(meeting, 422, refused.message, form)
    flash(_("“%(title)s” is on the agenda.", title=title), "success")
    return see_other(url_for("meetings.agenda", meeting_id=meeting.id))


def _still_open(meeting: Meeting) -> None:
    if meeting.status == "closed":
        raise MeetingRefused(_("This meeting has ended."))


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/move")
@access("member")
def agenda_move(meeting_id: int, item_id: int):
    meeting = loading.preparer_only(meeting_id)
    item = loading.get_item(meeting, item_id)
    form = MoveForm()
    if not form.validate() or form.delta.data == 0:
        return _agenda_page(meeting, 422, _("Move an item one place up or down."))
    try:
        with write_transaction():
            _still_open(meeting)
            setup.move_item(meeting, _me(), item, form.delta.data)
    except MeetingRefused as refused:
        return _agenda_page(meeting, 422, refused.message)
    return see_other(url_for("meetings.agenda", meeting_id=meeting.id) + f"#item-{item.id}")


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/remove")
@access("member")
def agenda_remove(meeting_id: int, item_id: int):
    meeting = loading.preparer_only(meeting_id)
    item = loading.get_item(meeting, item_id)
    if not ButtonForm().validate():
        return _agenda_page(meeting, 422, _("The form had expired. Please try again."))
    try:
        with write_transaction():
            _still_open(meeting)
            title = item.display_title
            setup.remove_item(meeting, _me(), item)
    except MeetingRefused as refused:
        return _agenda_page(meeting, 422, refused.message)
    flash(_("“%(title)s” is off the agenda.", title=title), "success")
    return see_other(url_for("meetings.agenda", meeting_id=meeting.id))


# --- the minutes --------------------------------------------------------------------------

def _minutes_page(meeting: Meeting, form: MinutesForm | None, status: int = 200,
                  error: str = "", redrafted: bool = False):
    return render("meetings/minutes_edit.html", status=status, meeting=meeting, form=form,
                  error=error, redrafted=redrafted,
                  is_chair=services.is_chair(meeting, current_user))


@bp.route("/<int:meeting_id>/minutes/edit", methods=["GET", "POST"])
@access("member")
def minutes_edit(meeting_id: int):
    meeting = loading.preparer_only(meeting_id)
    if meeting.status != "closed":
        return _minutes_page(meeting, None, 200 if request.method == "GET" else 422,
                             _("Minutes are written once the meeting has ended."))
    if request.method == "GET":
        form = MinutesForm(formdata=None)
        form.text.data = meeting.minutes.strip() or minutes.draft(meeting)
        return _minutes_page(meeting, form)
    form = MinutesForm()
    action = form.action.data
    if not form.validate() or action not in ("save", "publish", "redraft"):
        return _minutes_page(meeting, form, 422, " ".join(
            str(e) for e in form.text.errors) or _("Choose save, publish or redraft."))
    if action == "redraft":
        # Shown, not saved: the chair decides whether the new draft replaces theirs.
        form.text.data = minutes.draft(meeting)
        return _minutes_page(meeting, form, redrafted=True)
    try:
        with write_transaction():
            services.save_minutes(meeting, _me(), form.text.data or "",
                                  publish=action == "publish")
    except MeetingRefused as refused:
        return _minutes_page(meeting, form, 422, refused.message)
    flash(_("The minutes are published.") if action == "publish" and meeting.minutes_published
          else _("The minutes are saved."), "success")
    return see_other(url_for("meetings.minutes_edit", meeting_id=meeting.id))


# --- published minutes on the ideas' timelines ------------------------------------------

def minutes_notes(idea) -> list[TimelineNote]:
    """A note per meeting with published minutes that had this idea on its agenda."""
    rows = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.idea_id == idea.id, Meeting.minutes_published_at.is_not(None))
        .order_by(Meeting.starts_at, Meeting.id)).all()
    return [TimelineNote(at=starts, kind="minutes",
                         label=_("Discussed at %(title)s — minutes", title=title),
                         url=url_for("meetings.minutes", meeting_id=mid))
            for mid, title, starts in rows]


def motion_minutes(motion_id: int) -> str | None:
    """The minutes of the meeting where this motion was put, once published."""
    row = db.session.execute(
        select(Meeting.id, Meeting.minutes_published_at)
        .join(Motion, Motion.meeting_id == Meeting.id).where(Motion.id == motion_id)).first()
    if row is None or row.minutes_published_at is None:
        return None
    return url_for("meetings.minutes", meeting_id=row.id)


TIMELINE_EXTRAS.append(minutes_notes)
CAUSE_LINKS[Motion.cause_kind] = motion_minutes
