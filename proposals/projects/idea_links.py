"""What projects add to an idea's page: a box linking to its project (or, for staff, the
button that sets one up), and a timeline note for each milestone reached.

Both read one shared query, made at most once per idea page and only for ideas in a
stage that can have a project.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from flask import g, has_request_context, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import and_, select

from app import permissions
from app.extensions import db
from app.forms import ButtonForm, SHANGHAI
from proposals.views import IDEA_SECTIONS, TIMELINE_EXTRAS, TimelineNote

from .models import Milestone, Project
from .services import PROJECT_STAGES

# A milestone has a date, not a time: its note sits at midday of that date in Shanghai.
NOTE_TIME = time(12, 0)


@dataclass
class Summary:
    project_id: int
    progress: int
    reached: list[tuple[int, str, date]] = field(default_factory=list)


def _load(idea) -> Summary | None:
    rows = db.session.execute(
        select(Project.id, Project.progress, Milestone.id, Milestone.title, Milestone.due_on)
        .outerjoin(Milestone, and_(Milestone.project_id == Project.id,
                                   Milestone.status == "done"))
        .where(Project.idea_id == idea.id)
        .order_by(Milestone.due_on, Milestone.id)).all()
    if not rows:
        return None
    return Summary(rows[0][0], rows[0][1],
                   [(mid, title, due) for _p, _g, mid, title, due in rows if mid is not None])


def summary(idea) -> Summary | None:
    """The idea's project in brief, remembered for the request (the section and the
    timeline both ask)."""
    if idea.stage not in PROJECT_STAGES:
        return None
    if not has_request_context():
        return _load(idea)
    cache = g.setdefault("_project_summaries", {})
    if idea.id not in cache:
        cache[idea.id] = _load(idea)
    return cache[idea.id]


def project_section(idea) -> Markup:
    found = summary(idea)
    can_create = (found is None and idea.stage in ("funded", "in_progress")
                  and permissions.is_staff(current_user, idea.community))
    if found is None and not can_create:
        return Markup("")
    return Markup(render_template("projects/_idea_section.html", idea=idea, summary=found,  # nosec B704: autoescaped Jinja output
                                  can_create=can_create, button=ButtonForm()))


def _noon(day: date) -> datetime:
    return datetime.combine(day, NOTE_TIME, tzinfo=SHANGHAI).astimezone(timezone.utc)


def milestone_notes(idea) -> list[TimelineNote]:
    found = summary(idea)
    if found is None:
        return []
    url = url_for("projects.project", slug=idea.community.slug, project_id=found.project_id)
    return [TimelineNote(at=_noon(due), kind="milestone", url=f"{url}#milestone-{mid}",
                         label=_("Milestone reached: %(title)s", title=title))
            for mid, title, due in found.reached]


IDEA_SECTIONS["top"].append(project_section)
TIMELINE_EXTRAS.append(milestone_notes)
