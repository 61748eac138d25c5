"""The chair's console, for a phone or a laptop: start and close the meeting, move
through the agenda, call speakers and run their timer, put motions and close them.

Only the meeting's chair gets in (`chair_only`; staff and other council members get 403).
The page is `console.html` around the fragment `_console.html` (#console-live), which
polls `console_live` every second, so raised hands, sign-ins and phone votes appear by
themselves. The typing forms live inside the fragment so that they always fit the
meeting's state (the motion form's council checklist, 列入方案 only for an idea under
deliberation); the poll holds still while the chair types in one of them or has the
closing confirmation open (the live thread's trick, see live_views.py), so a swap never
takes away what is being typed.

Every action is a POST form enhanced with htmx: htmx gets the fragment back (422 with the
reason when refused); without JavaScript it is 303 back to the console, a refusal as a
flash, and a form with typing errors comes back as the page with 422 and what was typed.
"""
from __future__ import annotations

from typing import Callable

from flask import flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import access
from app.database import write_transaction
from app.extensions import htmx
from app.forms import ButtonForm, Form
from app.rendering import render
from deliberation import live
from deliberation.forms import STANCE_LABELS
from proposals.stages import STAGE_LABELS

from . import board as boards, services
from .blueprint import bp
from .chart import vote_chart
from .console_forms import AttendeeForm, HandsForm, ItemForm, MotionForm, SpeakerForm, \
    StepForm, first_error
from .loading import chair_only, get_item, get_speaker, load_whole
from .models import VOTE_LABELS, Meeting
from .screen_views import countdown, screen_link
from .services import MeetingRefused

TYPING = {"attendee": AttendeeForm, "speaker": SpeakerForm, "motion": MotionForm,
          "hands": HandsForm}


def plannable(item) -> bool:
    """A motion may carry 列入方案 only on an idea under deliberation."""
    return item is not None and item.idea is not None and item.idea.stage == "deliberating"


def _forms(given: dict) -> dict:
    return {f"{key}_form": given[key] if key in given else cls(formdata=None)
            for key, cls in TYPING.items()}


def _context(meeting: Meeting, *, error: str = "", forms: dict | None = None,
             checked: set[int] | None = None) -> dict:
    version = str(live.version(meeting.channel))
    # The rows are read after the version, never older; all at once, so that a long
    # agenda or queue costs no query per line.
    meeting = load_whole(meeting.id)
    b = boards.board(meeting)
    shown = b.motion or b.last_motion
    chart = None
    if shown is not None:
        chart = vote_chart(b.counts, voters=b.voters if b.motion else shown.council_present,
                           id_prefix="console-chart")
    if checked is None:
        checked = {c.user_id for c in meeting.council if c.present}
    return dict(meeting=meeting, b=b, version=version, error=error, checked=checked,
                countdown=countdown(b), chart=chart, plannable=plannable(b.item),
                stance_labels=STANCE_LABELS, stage_labels=STAGE_LABELS,
                vote_labels=VOTE_LABELS, screen_url=screen_link(meeting),
                meeting_url=url_for("meetings.meeting", meeting_id=meeting.id),
                minutes_url=url_for("meetings.minutes_edit", meeting_id=meeting.id),
                **_forms(forms or {}))


def _fragment(meeting: Meeting, status: int = 200, **extra):
    response = render("meetings/_console.html", status=status, **_context(meeting, **extra))
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(meeting: Meeting, status: int = 200, **extra):
    return render("meetings/console.html", status=status, **_context(meeting, **extra))


def _back(meeting: Meeting):
    return redirect(url_for("meetings.console", meeting_id=meeting.id), code=303)


def _with_reason(meeting: Meeting, message: str, forms: dict, **extra):
    """The console again, saying why, with what was typed: the fragment for htmx."""
    if htmx:
        return _fragment(meeting, 422, error=message, forms=forms, **extra)
    return _page(meeting, 422, error=message, forms=forms, **extra)


def _act(meeting_id: int, do: Callable[[Meeting, Form], None], form: Form | None = None,
         key: str | None = None, **extra):
    """Check the form, run `do` for the chair in a write transaction, answer.

    `key` names a typing form (see TYPING), given back with its values when refused."""
    meeting = chair_only(meeting_id)
    form = form if form is not None else ButtonForm()
    forms = {key: form} if key else {}
    if not form.validate():
        return _with_reason(meeting, first_error(form) or _("Please check the form."),
                            forms, **extra)
    try:
        with write_transaction():
            do(chair_only(meeting.id), form)
    except MeetingRefused as refused:
        if htmx or key:
            return _with_reason(meeting, refused.message, forms, **extra)
        flash(refused.message, "error")  # a button: the console says why
        return _back(meeting)
    return _fragment(meeting) if htmx else _back(meeting)


# --- pages -----------------------------------------------------------------------------

@bp.get("/<int:meeting_id>/console")
@access("member")
def console(meeting_id: int):
    return _page(chair_only(meeting_id))


@bp.get("/<int:meeting_id>/console/live")
@access("member")
def console_live(meeting_id: int):
    meeting = chair_only(meeting_id)
    if request.args.get("v") == str(live.version(meeting.channel)):
        response = make_response("", 204)
        response.headers["Cache-Control"] = "no-store"
        return response
    return _fragment(meeting)


# --- the meeting and the agenda --------------------------------------------------------

@bp.post("/<int:meeting_id>/console/start")
@access("member")
def start(meeting_id: int):
    return _act(meeting_id, lambda m, f: services.start(m, current_user))


@bp.post("/<int:meeting_id>/console/close")
@access("member")
def close(meeting_id: int):
    return _act(meeting_id, lambda m, f: services.close(m, current_user))


@bp.post("/<int:meeting_id>/console/rotate")
@access("member")
def rotate(meeting_id: int):
    return _act(meeting_id, lambda m, f: services.rotate_screen(m, current_user))


@bp.post("/<int:meeting_id>/console/item")
@access("member")
def go_item(meeting_id: int):
    def do(m, f):
        services.go_to_item(m, current_user, get_item(m, f.item_id.data))
    return _act(meeting_id, do, ItemForm())


@bp.post("/<int:meeting_id>/console/step")
@access("member")
def step(meeting_id: int):
    return _act(meeting_id, lambda m, f: services.step(m, current_user, f.delta.data),
                StepForm())


@bp.post("/<int:meeting_id>/console/attendee")
@access("member")
def add_attendee(meeting_id: int):
    return _act(meeting_id, lambda m, f: services.add_attendee(m, current_user, f.name.data),
                AttendeeForm(), "attendee")


# --- speakers and the timer ------------------------------------------------------------

@bp.post("/<int:meeting_id>/console/speaker")
@access("member")
def add_speaker(meeting_id: int):
    def do(m, f):
        services.add_speaker(m, current_user, f.name.data, f.stance.data)
    return _act(meeting_id, do, SpeakerForm(), "speaker")


@bp.post("/<int:meeting_id>/console/speaker/<int:speaker_id>/remove")
@access("member")
def remove_speaker(meeting_id: int, speaker_id: int):
    def do(m, f):
        services.remove_speaker(m, current_user, get_speaker(m, speaker_id))
    return _act(meeting_id, do)


@bp.post("/<int:meeting_id>/console/next")
@access("member")
def next_speaker(meeting_id: int):
    return _act(meeting_id, lambda m, f: services.call_next(m, current_user))


@bp.post("/<int:meeting_id>/console/pause")
@access("member")
def pause(meeting_id: int):
    return _act(meeting_id, lambda m, f: services.pause(m, current_user))


@bp.post("/<int:meeting_id>/console/resume")
@access("member")
def resume(meeting_id: int):
    return _act(meeting_id, lambda m, f: services.resume(m, current_user))


@bp.post("/<int:meeting_id>/console/stop")
@access("member")
def stop(meeting_id: int):
    return _act(meeting_id, lambda m, f: services.stop(m, current_user))


# --- motions ---------------------------------------------------------------------------

@bp.post("/<int:meeting_id>/console/motion")
@access("member")
def put_motion(meeting_id: int):
    meeting = chair_only(meeting_id)
    form = MotionForm()
    present = form.present_ids(request.form, [c.user_id for c in meeting.council])

    def do(m, f):
        planned = bool(f.move_to.data)
        services.put_motion(m, current_user, question=f.question.data, present_ids=present,
                            move_to=f.move_to.data if planned else "",
                            cost_fen=f.cost.fen if planned else None,
                            responsible=(f.responsible.data or "") if planned else "")
    return _act(meeting_id, do, form, "motion", checked=present)


@bp.post("/<int:meeting_id>/console/motion/close")
@access("member")
def close_motion(meeting_id: int):
    def do(m, f):
        services.close_motion(m, current_user, f.counted())
    return _act(meeting_id, do, HandsForm(), "hands")
