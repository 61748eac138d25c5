"""Moderation and 议事小结 pages, on the deliberation blueprint.

Flag, hide, restore and dismiss work from the thread (in place with htmx, or as plain
forms that come back to the idea page) and from the moderation queue. The summary is
shown first on the idea page through IDEA_SECTIONS["top"].
"""
from __future__ import annotations

from functools import wraps

from flask import abort, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from app.forms import Form
from markupsafe import Markup
from wtforms import TextAreaField

from app.access import access
from app.database import write_transaction
from app.extensions import htmx
from app.rendering import render, see_other
from proposals.views import IDEA_SECTIONS, idea_context

from . import moderation, services, summaries
from .services import DeliberationError
from .views import _back_to, _comment, _idea, bp, page_url


def _me():
    return current_user._get_current_object()


def moderators_only(view):
    """After @access("member"): council, chair, staff and admins of this community."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not moderation.may_moderate(current_user, g.community):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def comment_url(comment) -> str:
    return page_url(comment.thread) + f"#comment-{comment.id}"


# ---- the queue ---------------------------------------------------------------------

def _queue_page(status: int = 200, error: str | None = None):
    """The whole page; htmx forms on it pick out #queue with hx-select."""
    return render("deliberation/moderation.html", status=status, error=error,
                  queue=moderation.queue(g.community), comment_url=comment_url,
                  max_reason=moderation.MAX_REASON)


@bp.get("/moderation")
@access("member")
@moderators_only
def moderation_queue():
    return _queue_page()


def _from_queue() -> bool:
    return request.form.get("back") == "queue"


def _done(comment, notice: str | None = None):
    """After a step: back to the queue it came from, or to the refreshed thread."""
    if _from_queue():
        return _queue_page() if htmx else see_other(url_for("deliberation.moderation_queue"))
    if notice and not htmx:
        flash(notice, "success")
    response = _back_to(comment.thread, comment)
    if notice and htmx:
        # The thread is replaced as a whole; the thanks go to the page's alert area.
        response.set_data(response.get_data() + str(Markup(
            '<div id="htmx-errors" role="alert" hx-swap-oob="true">'
            '<p class="flash success">{}</p></div>').format(notice)).encode())
    return response


def _refused(comment, message: str):
    """422 with the message, and nothing saved: in the queue, the thread, or the idea page."""
    if _from_queue():
        return _queue_page(422, message)
    thread = comment.thread
    if htmx or thread.idea_id is None:
        return _back_to(thread, comment, status=422, error=message)
    flash(message, "error")
    return render("proposals/idea.html", status=422, **idea_context(thread.idea))


def _act(comment_id: int, action, *args, notice: str | None = None):
    """Run one moderation step on a comment of this community, in its own transaction."""
    comment = _comment(comment_id)
    try:
        with write_transaction():
            action(comment, _me(), *args)
    except DeliberationError as exc:
        return _refused(comment, exc.message)
    return _done(comment, notice)


@bp.post("/comments/<int:comment_id>/flag")
@access("member")
def flag(comment_id: int):
    return _act(comment_id, moderation.flag, request.form.get("reason", ""),
                notice=_("Thank you. A moderator will look at this comment."))


@bp.post("/comments/<int:comment_id>/hide")
@access("member")
@moderators_only
def hide(comment_id: int):
    return _act(comment_id, moderation.hide, request.form.get("reason", ""))


@bp.post("/comments/<int:comment_id>/restore")
@access("member")
@moderators_only
def restore(comment_id: int):
    return _act(comment_id, moderation.restore)


@bp.post("/comments/<int:comment_id>/dismiss")
@access("member")
@moderators_only
def dismiss(comment_id: int):
    return _act(comment_id, moderation.dismiss)


# ---- 议事小结 ----------------------------------------------------------------------

class SummaryForm(Form):
    # The service checks the text, so that every way in gives the same message.
    body = TextAreaField(_l("Summary of the discussion"),
                         render_kw={"rows": 12, "maxlength": summaries.MAX_LENGTH})


def _version_number(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def summary_section(idea) -> Markup:
    """The newest summary, at the top of the idea page; a link to write one for those
    who may; nothing for anyone else while there is none."""
    summary = summaries.latest(services.find_thread(idea))
    may_edit = summaries.may_write(current_user, idea.community)
    if summary is None and not may_edit:
        return Markup("")
    return Markup(render_template("deliberation/_summary.html", summary=summary, idea=idea,  # nosec B704: autoescaped Jinja output
                                  may_edit=may_edit))


@bp.route("/ideas/<int:idea_id>/summary", methods=["GET", "POST"])
@access("member")
def summary_edit(idea_id: int):
    idea = _idea(idea_id)
    if not summaries.may_write(current_user, g.community):
        abort(403)
    current = summaries.latest(services.find_thread(idea))
    form = SummaryForm(body=current.body if current else "")
    # The version the writer started from (sent back by the form), so that nobody
    # replaces a newer summary without having read it.
    based_on = current.version if current else 0
    if form.validate_on_submit():
        based_on = _version_number(request.form.get("based_on"))
        try:
            with write_transaction():
                thread = services.thread_for_idea(idea)
                summaries.write(thread, _me(), form.body.data, based_on)
            flash(_("The summary is saved."), "success")
            return see_other(url_for("proposals.idea_page", idea_id=idea.id) + "#summary")
        except summaries.SummaryConflict as exc:
            form.body.errors, based_on = [exc.message], exc.newest
            current = summaries.latest(services.find_thread(idea))
        except DeliberationError as exc:
            form.body.errors = [exc.message]
    status = 422 if form.is_submitted() else 200
    return render("deliberation/summary_edit.html", status=status, form=form, idea=idea,
                  current=current, based_on=based_on)


@bp.get("/ideas/<int:idea_id>/summary/versions")
@access("public")
def summary_versions(idea_id: int):
    idea = _idea(idea_id)
    return render("deliberation/summary_versions.html", idea=idea,
                  versions=summaries.versions(services.find_thread(idea)),
                  may_edit=summaries.may_write(current_user, g.community))


IDEA_SECTIONS["top"].insert(0, summary_section)
