"""Free topics (议题): list, open one, read and write in it, and (staff) turn it into an idea.

Routes live on `deliberation.views.bp`; the thread itself is the same fragment as on an
idea page (`deliberation/_thread.html`), so replies, edits and 有道理 work unchanged.
"""
from __future__ import annotations

from flask import abort, flash, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app import once, permissions
from app.access import access
from app.database import write_transaction
from app.extensions import htmx
from app.forms import Form
from app.rendering import render, see_other
from proposals.forms import CATEGORY_LABELS
from proposals.models import CATEGORIES

from . import services, topics
from .forms import CommentForm
from .views import _back_to, bp, posting_limit, thread_context


class TopicForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=topics.TITLE_MAX)])
    body = TextAreaField(_l("What would you like to talk about?"),
                         validators=[DataRequired(), Length(max=topics.BODY_MAX)])


class ToIdeaForm(Form):
    category = SelectField(_l("Category"), choices=[(c, CATEGORY_LABELS[c]) for c in CATEGORIES])


def _topic(thread_id: int):
    thread = topics.find_topic(g.community, thread_id)
    if thread is None:  # unknown, another community's, or a thread that was never a topic
        abort(404)
    return thread


def _topic_page(thread, status: int = 200, form=None, error=None, to_idea_form=None):
    may_convert = topics.may_turn_into_idea(current_user, thread)
    if may_convert and to_idea_form is None:
        to_idea_form = ToIdeaForm(formdata=None)
    return render("deliberation/topic.html", status=status, topic=thread, idea=thread.idea,
                  may_convert=may_convert, to_idea_form=to_idea_form,
                  **thread_context(thread, form, error))


@bp.get("/topics")
@access("public")
def topic_list():
    page = topics.topic_page(g.community, request.args.get("page", 1, type=int) or 1)
    return render("deliberation/topics.html", page=page,
                  may_start=permissions.is_verified_resident(current_user, g.community))


@bp.route("/topics/new", methods=["GET", "POST"])
@access("verified")
@posting_limit
def new_topic():
    form = TopicForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                thread = topics.start_topic(g.community, current_user._get_current_object(),
                                            form.title.data, form.body.data)
            flash(_("Your topic is open for discussion."), "success")
            return see_other(url_for("deliberation.topic", thread_id=thread.id))
        except services.DeliberationError as exc:
            form.body.errors = [*form.body.errors, exc.message]
    status = 422 if form.is_submitted() else 200
    return render("deliberation/topic_new.html", status=status, form=form)


@bp.get("/topics/<int:thread_id>")
@access("public")
def topic(thread_id: int):
    return _topic_page(_topic(thread_id))


@bp.post("/topics/<int:thread_id>/comments")
@access("verified")
@posting_limit
def post_in_topic(thread_id: int):
    thread = _topic(thread_id)
    form = CommentForm()
    if not form.validate_on_submit():
        if htmx:
            return render("deliberation/_thread.html", status=422, **thread_context(thread, form))
        return _topic_page(thread, status=422, form=form)
    try:
        with write_transaction():
            comment = services.post_comment(thread, current_user._get_current_object(),
                                            form.body.data, form.stance.data,
                                            once.key_from(form.once.data))
    except services.DeliberationError as exc:
        return _back_to(thread, status=422, error=exc.message)
    return _back_to(thread, comment)


@bp.post("/topics/<int:thread_id>/to-idea")
@access("staff")
def topic_to_idea(thread_id: int):
    thread = _topic(thread_id)
    form = ToIdeaForm()
    if not form.validate_on_submit():
        if thread.idea_id is not None:  # its form is gone, and the field's message with it
            flash(_("This topic is already an idea."), "error")
        return _topic_page(thread, status=422, to_idea_form=form)
    try:
        with write_transaction():
            idea = topics.turn_into_idea(thread, current_user._get_current_object(),
                                         form.category.data)
    except services.DeliberationError as exc:
        flash(exc.message, "error")
        return _topic_page(thread, status=422, to_idea_form=form)
    flash(_("The topic is now a golden idea, with its discussion. Screen it as usual."),
          "success")
    return see_other(url_for("proposals.idea_page", idea_id=idea.id))
