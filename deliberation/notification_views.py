"""The notification centre (site-wide, for the signed-in person) and the follow button.

Marking read answers htmx with the refreshed list page, from which the form selects the
list and the header bell; without JavaScript every button is a form that redirects.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.access import access
from app.database import write_transaction
from app.extensions import htmx
from app.rendering import render, see_other
from proposals.projects.labels import MILESTONE_LABELS
from proposals.stages import STAGE_LABELS
from proposals.views import IDEA_SECTIONS, get_idea

from . import follows, notifications
from .views import bp

site_bp = Blueprint("notifications", __name__)
site_bp.add_app_template_global(notifications.current_unread, "unread_notifications")


def _page_number(value) -> int:
    """A hand-edited page number falls back to the first page rather than an error."""
    try:
        return max(1, int(value or 1))
    except (TypeError, ValueError):
        return 1


def _project_target(n, links: dict) -> str | None:
    """A milestone leads to the project's milestones; an outcome to its published page."""
    found = links.get(n.idea_id)
    if found is None or n.idea is None:
        return None
    project_id, outcome_id = found
    slug = n.idea.community.slug
    if n.kind == "outcome" and outcome_id:
        return url_for("outcomes.outcome", slug=slug, outcome_id=outcome_id)
    anchor = "#milestones" if n.kind == "milestone" else ""
    return url_for("projects.project", slug=slug, project_id=project_id) + anchor


def target_of(n, threads: dict, links: dict | None = None) -> str | None:
    """Where a notification leads: the comment's anchor, the idea's timeline, or for
    milestones and outcomes the project or outcome page."""
    if n.kind in ("milestone", "outcome"):
        target = _project_target(n, links or {})
        if target:
            return target
    anchor = f"#comment-{n.comment_id}" if n.comment_id else "#timeline-h"
    if n.idea is not None:
        return url_for("proposals.idea_page", slug=n.idea.community.slug,
                       idea_id=n.idea_id) + anchor
    thread = threads.get(n.comment_id)
    if thread is not None and thread.idea_id is not None:  # the topic became an idea
        return url_for("proposals.idea_page", slug=thread.community.slug,
                       idea_id=thread.idea_id) + anchor
    if thread is None or "deliberation.topic" not in current_app.view_functions:
        return None
    return url_for("deliberation.topic", slug=thread.community.slug,
                   thread_id=thread.id) + anchor


def _list_page(page: int):
    return render("deliberation/notifications.html",
                  page=notifications.page_for(current_user, page),
                  unread=notifications.current_unread(), stage_labels=STAGE_LABELS,
                  milestone_labels=MILESTONE_LABELS,
                  read_milestone=notifications.read_milestone_detail, target_of=target_of)


def _back_to_list():
    page = _page_number(request.form.get("page"))
    if htmx:
        return _list_page(page)
    return see_other(url_for("notifications.index", page=page if page > 1 else None))


def _mine(notification_id: int):
    n = notifications.owned(current_user, notification_id)
    if n is None:
        abort(404)
    return n


@site_bp.get("/notifications")
@access("signed_in")
def index():
    return _list_page(_page_number(request.args.get("page")))


@site_bp.post("/notifications/<int:notification_id>/read")
@access("signed_in")
def read(notification_id: int):
    with write_transaction():
        notifications.mark_read(_mine(notification_id))
    return _back_to_list()


@site_bp.post("/notifications/<int:notification_id>/open")
@access("signed_in")
def open_one(notification_id: int):
    """“View”: reading a notification marks it read on the way to what it is about."""
    with write_transaction():
        n = notifications.mark_read(_mine(notification_id))
        target = target_of(n, notifications.topic_threads([n]),
                           notifications.project_links([n]))
    return see_other(target) if target else _back_to_list()


@site_bp.post("/notifications/read-all")
@access("signed_in")
def read_all():
    with write_transaction():
        notifications.mark_all_read(current_user)
    return _back_to_list()


def follow_context(idea) -> dict:
    return dict(idea=idea, following=follows.is_following(current_user, idea))


def follow_section(idea) -> Markup:
    """The follow button above an idea's description, for people who are signed in."""
    if not current_user.is_authenticated:
        return Markup("")
    return Markup(render_template("deliberation/_follow.html", **follow_context(idea)))  # nosec B704: autoescaped Jinja output


@bp.post("/ideas/<int:idea_id>/follow")
@access("signed_in")
def follow(idea_id: int):
    idea = get_idea(idea_id)
    choice = request.form.get("follow")
    if choice not in ("1", "0"):
        abort(422)
    with write_transaction():
        follows.set_following(current_user._get_current_object(), idea, choice == "1")
    if htmx:
        return render("deliberation/_follow.html", **follow_context(idea))
    return see_other(url_for("proposals.idea_page", idea_id=idea.id) + "#follow")


IDEA_SECTIONS["top"].append(follow_section)
