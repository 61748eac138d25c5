"""Public pages: the site index, a community's home, the idea list, an idea's page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import abort, g, request, send_from_directory
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.access import access
from app.community import Building, Community
from app.extensions import db
from app.forms import ButtonForm
from app.rendering import render

from . import queries
from .blueprint import bp, site_bp
from .dashboard.figures import latest_outcomes, open_notices
from .forms import CATEGORY_LABELS, IdeaFilterForm, MoveForm
from .models import CATEGORIES, Idea, StageChange
from .moves import manual_moves_for
from .services import can_be_supported, photo_folder
from .stages import STAGE_LABELS, STAGES

# Other domains add sections to the idea page without proposals importing them: each
# entry is a function (idea) -> Markup; "top" sections come before the description.
IDEA_SECTIONS: dict[str, list] = {"top": [], "bottom": []}


@dataclass(frozen=True)
class TimelineNote:
    """A line another domain adds to an idea's timeline (e.g. a meeting's minutes)."""

    at: datetime
    label: str
    url: str
    kind: str


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline as shown: a stage change (with a link to its cause when
    the cause's domain gives one) or a note."""

    at: datetime
    change: StageChange | None = None
    cause_url: str | None = None
    note: TimelineNote | None = None


# Other domains add to the timeline without proposals importing them: notes, each
# function (idea) -> [TimelineNote] in one query at most; and links for the causes of
# stage changes, cause_type -> function (cause id) -> URL or None (no link).
TIMELINE_EXTRAS: list[Callable[[Idea], list[TimelineNote]]] = []
CAUSE_LINKS: dict[str, Callable[[int], str | None]] = {}


@site_bp.get("/")
@access("public")
def index():
    communities = db.session.scalars(select(Community).order_by(Community.id)).all()
    return render("proposals/index.html", communities=communities)


@site_bp.get("/media/ideas/<name>")
@access("public")
def photo(name: str):
    return send_from_directory(photo_folder(), name, max_age=7 * 24 * 3600)


@site_bp.get("/me/ideas")
@access("signed_in")
def my_ideas():
    ideas = db.session.scalars(select(Idea).options(joinedload(Idea.community))
                               .where(Idea.author_id == current_user.id)
                               .order_by(Idea.created_at.desc())).all()
    return render("proposals/my_ideas.html", ideas=ideas, stage_labels=STAGE_LABELS)


@bp.get("/")
@access("public")
def home():
    recent = queries.idea_page(g.community, queries.IdeaFilter())
    return render("proposals/home.html", counts=queries.stage_counts(g.community),
                  recent=recent.items[:6], stage_labels=STAGE_LABELS,
                  category_labels=CATEGORY_LABELS,
                  outcomes=latest_outcomes(g.community, limit=3),
                  notices=open_notices(g.community))


def _filter_form() -> tuple[IdeaFilterForm, queries.IdeaFilter]:
    form = IdeaFilterForm(request.args)
    form.stage.choices = [("", "—")] + [(s, STAGE_LABELS[s]) for s in STAGES]
    form.category.choices = [("", "—")] + [(c, CATEGORY_LABELS[c]) for c in CATEGORIES]
    form.building.choices = [(0, "—")] + [(b.id, b.name) for b in g.community.buildings]
    if not form.validate():
        # A hand-edited URL with nonsense values shows the unfiltered list, not an error.
        return form, queries.IdeaFilter(q=(form.q.data or "")[:100])
    return form, queries.IdeaFilter(q=(form.q.data or "").strip(), stage=form.stage.data or "",
                                    category=form.category.data or "",
                                    building=form.building.data or 0,
                                    page=form.page.data or 1)


@bp.get("/ideas")
@access("public")
def idea_list():
    form, f = _filter_form()
    page = queries.idea_page(g.community, f)
    return render("proposals/ideas.html", fragment="proposals/_idea_results.html",
                  form=form, filters=f, page=page, stage_labels=STAGE_LABELS,
                  category_labels=CATEGORY_LABELS)


def get_idea(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id, options=[
        selectinload(Idea.photos), selectinload(Idea.timeline).joinedload(StageChange.actor)])
    # Ideas of another community are not reachable through this one's URLs.
    if idea is None or idea.community_id != g.community.id:
        abort(404)
    return idea


def _cause_url(change: StageChange) -> str | None:
    link = CAUSE_LINKS.get(change.cause_type)
    return link(change.cause_id) if link is not None and change.cause_id else None


def timeline(idea: Idea) -> list[TimelineEntry]:
    """The stage changes and the other domains' notes, in time order (a stable sort: a
    change comes before a note of the same moment)."""
    entries = [TimelineEntry(c.at, change=c, cause_url=_cause_url(c)) for c in idea.timeline]
    entries += [TimelineEntry(n.at, note=n) for notes in TIMELINE_EXTRAS for n in notes(idea)]
    return sorted(entries, key=lambda e: e.at)


def idea_context(idea: Idea) -> dict:
    moves = manual_moves_for(idea, current_user)
    return dict(idea=idea, stage_labels=STAGE_LABELS, category_labels=CATEGORY_LABELS,
                supports=queries.support_count(idea),
                supported=queries.has_supported(idea, current_user),
                supportable=can_be_supported(idea), moves=moves,
                # No form (so no CSRF token) for visitors: their page can be kept.
                button=ButtonForm() if current_user.is_authenticated else None,
                move_forms={m.to: MoveForm(to=m.to, formdata=None) for m in moves},
                timeline=timeline(idea),
                sections={k: [render_section(idea) for render_section in fns]
                          for k, fns in IDEA_SECTIONS.items()})


@bp.get("/ideas/<int:idea_id>")
@access("public")
def idea_page(idea_id: int):
    return render("proposals/idea.html", **idea_context(get_idea(idea_id)))


def building_of(building_id: int | None):
    if not building_id:
        return None
    building = db.session.get(Building, building_id)
    if building is None or building.community_id != g.community.id:
        return None
    return building

