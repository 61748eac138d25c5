"""Thread pages: write, reply, edit, delete and agree, in place with htmx or as plain forms."""
from __future__ import annotations

from flask import abort, flash, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app import once
from app.access import access
from app.accounts import limits
from app.database import write_transaction
from app.extensions import db, htmx
from app.rendering import render, see_other
from app.scoped import community_blueprint
from proposals.models import Idea
from proposals.views import IDEA_SECTIONS, idea_context

from . import live, queries, services
from .forms import STANCE_LABELS, CommentForm, ReplyForm
from .models import Comment
from .text import render as render_text

bp = community_blueprint("deliberation", __name__)

# Per person (more for moderators), shared with ideas; the values are settings.
posting_limit = limits.posting_limit
bp.add_app_template_filter(render_text, "comment_html")


def _idea(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.community_id != g.community.id:
        abort(404)
    return idea


def _comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.thread.community_id != g.community.id:
        abort(404)
    return comment


def page_url(thread) -> str:
    """Where a thread is read: its idea's page, or a free topic's own page."""
    if thread.idea_id is not None:
        return url_for("proposals.idea_page", idea_id=thread.idea_id)
    return url_for("deliberation.topic", thread_id=thread.id)


def post_url(thread) -> str:
    if thread.idea_id is not None:
        return url_for("deliberation.post", idea_id=thread.idea_id)
    return url_for("deliberation.post_in_topic", thread_id=thread.id)


def thread_context(thread, form=None, error=None) -> dict:
    # The version is read before the comments: a comment landing in between then shows
    # up at the next poll instead of being skipped.
    version = live.version(live.thread_channel(thread))
    may_comment = services.may_comment(current_user, thread)
    if form is None and may_comment:
        # Only for those who may write: making a form draws a CSRF token, and a page
        # without one can be kept for the next reader (app/pagecache.py).
        form = CommentForm(formdata=None)
    return dict(view=queries.thread_view(thread, current_user), thread=thread,
                post_url=post_url(thread), page_url=page_url(thread), form=form,
                stance_labels=STANCE_LABELS, locked=services.is_locked(thread),
                may_comment=may_comment,
                can_edit=services.can_edit, can_delete=services.can_delete, error=error,
                live_version=version)


def thread_section(idea) -> Markup:
    """The debate below an idea; the idea page includes it through IDEA_SECTIONS."""
    thread = services.find_thread(idea)
    return Markup(render_template("deliberation/_thread.html", **thread_context(thread)))  # nosec B704: autoescaped Jinja output


def _back_to(thread, comment=None, status=200, **ctx):
    """htmx gets the refreshed thread; a plain form post goes back to the idea page."""
    if htmx:
        return render("deliberation/_thread.html", status=status, **thread_context(thread, **ctx))
    if ctx.get("error"):
        flash(ctx["error"], "error")
    anchor = f"#comment-{comment.id}" if comment is not None else "#thread"
    return see_other(page_url(thread) + anchor)


@bp.get("/ideas/<int:idea_id>/thread")
@access("public")
def thread(idea_id: int):
    thread = services.find_thread(_idea(idea_id))
    return render("deliberation/_thread.html", **thread_context(thread))


@bp.post("/ideas/<int:idea_id>/comments")
@access("verified")
@posting_limit
def post(idea_id: int):
    idea = _idea(idea_id)
    form = CommentForm()
    if not form.validate_on_submit():
        thread = services.find_thread(idea)
        if htmx:
            return render("deliberation/_thread.html", status=422, **thread_context(thread, form))
        return render("proposals/idea.html", status=422, **_idea_page(idea, thread, form))
    try:
        with write_transaction():
            thread = services.thread_for_idea(idea)
            comment = services.post_comment(thread, current_user._get_current_object(),
                                            form.body.data, form.stance.data,
                                            once.key_from(form.once.data))
    except services.DeliberationError as exc:
        return _back_to(services.find_thread(idea), status=422, error=exc.message)
    return _back_to(thread, comment)


def _idea_page(idea, thread, form) -> dict:
    ctx = idea_context(idea)
    ctx["sections"]["bottom"] = [Markup(render_template(  # nosec B704: autoescaped Jinja output
        "deliberation/_thread.html", **thread_context(thread, form)))]
    return ctx


@bp.post("/comments/<int:comment_id>/replies")
@access("verified")
@posting_limit
def reply(comment_id: int):
    parent = _comment(comment_id)
    form = ReplyForm()
    try:
        if not form.validate_on_submit():
            raise services.DeliberationError(_("Please write something first."))
        with write_transaction():
            comment = services.reply(parent, current_user._get_current_object(),
                                     form.body.data, once.submitted_key())
    except services.DeliberationError as exc:
        return _back_to(parent.thread, parent, status=422, error=exc.message)
    return _back_to(comment.thread, comment)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@access("verified")
def edit(comment_id: int):
    comment = _comment(comment_id)
    if not services.can_edit(comment, current_user):
        abort(403)
    form = ReplyForm(body=comment.body)
    if form.validate_on_submit():
        try:
            with write_transaction():
                services.edit_comment(comment, current_user._get_current_object(), form.body.data)
            return _back_to(comment.thread, comment)
        except services.DeliberationError as exc:
            form.body.errors = [exc.message]
    status = 422 if form.is_submitted() else 200
    return render("deliberation/edit.html", status=status, form=form, comment=comment,
                  back_url=page_url(comment.thread))


@bp.post("/comments/<int:comment_id>/delete")
@access("signed_in")
def delete(comment_id: int):
    comment = _comment(comment_id)
    if not services.can_delete(comment, current_user):
        abort(403)
    with write_transaction():
        services.delete_comment(comment, current_user._get_current_object())
    return _back_to(comment.thread, comment)


@bp.post("/comments/<int:comment_id>/agree")
@access("verified")
def agree(comment_id: int):
    comment = _comment(comment_id)
    try:
        with write_transaction():
            services.toggle_reaction(comment, current_user._get_current_object())
    except services.DeliberationError as exc:
        return _back_to(comment.thread, comment, status=422, error=exc.message)
    return _back_to(comment.thread, comment)


IDEA_SECTIONS["bottom"].append(thread_section)

# The other pages of this blueprint, and the demo threads (they join seed-demo through
# its demo_seeded signal), register themselves on import.
from . import demo_threads, live_views, moderation_views  # noqa: E402,F401
from . import notification_views, topic_views  # noqa: E402,F401
