"""Public pages of projects: the list by status, a project's page (money by source, the
milestones, the ledger) with the staff's forms on it, and the ledger as CSV.

The project page loads everything it shows in a fixed number of queries, however many
milestones, photos and ledger entries there are.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g, make_response
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app import permissions
from app.access import access
from app.extensions import db
from app.forms import ButtonForm
from app.rendering import render

from . import export
from .blueprint import bp
from .forms import FundingForm, MilestoneForm, PartnerForm, ProjectForm, SpendingForm, \
    StartForm
from .labels import FUNDING_LABELS, MILESTONE_LABELS, RESPONSIBLE_LABELS, STATUS_LABELS, \
    STATUS_ORDER
from .ledger import by_source
from .models import Milestone, Project
from .spending import today


def get_project(project_id: int, *, full: bool = False) -> Project:
    """This community's project, or 404: another community's is not reachable here."""
    options = [joinedload(Project.idea)]
    if full:
        options += [selectinload(Project.partners), selectinload(Project.funding),
                    selectinload(Project.milestones).selectinload(Milestone.photos),
                    selectinload(Project.spending)]
    # populate_existing: after a refused write the session still holds the project,
    # expired; the page must load it again with everything it shows.
    project = db.session.get(Project, project_id, options=options, populate_existing=full)
    if project is None or project.community_id != g.community.id:
        abort(404)
    return project


def bar_width(part: int, whole: int) -> int:
    """Percent of the bar to fill, 0–100 (all of it when anything is spent without plan)."""
    if whole <= 0:
        return 100 if part > 0 else 0
    return max(0, min(100, part * 100 // whole))


@dataclass(frozen=True)
class Card:
    """A project as the list shows it."""

    project: Project
    planned_fen: int
    spent_fen: int

    @property
    def bar(self) -> int:
        return bar_width(self.spent_fen, self.planned_fen)


LABELS = dict(funding_labels=FUNDING_LABELS, milestone_labels=MILESTONE_LABELS,
              responsible_labels=RESPONSIBLE_LABELS, status_labels=STATUS_LABELS,
              bar_width=bar_width)


@bp.get("/projects/")
@access("public")
def index():
    projects = db.session.scalars(
        select(Project).options(joinedload(Project.idea), selectinload(Project.funding),
                                selectinload(Project.spending))
        .where(Project.community_id == g.community.id)
        .order_by(Project.created_at.desc(), Project.id.desc())).all()
    groups = {status: [] for status in STATUS_ORDER}
    for project in projects:
        if project.idea.stage in groups:
            groups[project.idea.stage].append(Card(project, project.planned_fen,
                                                   project.spent_fen))
    return render("projects/index.html", groups=groups, total=len(projects), **LABELS)


def staff_forms(project: Project) -> dict:
    """The staff's forms on the project page, empty or filled with what the project says."""
    spending = SpendingForm(formdata=None)
    spending.spent_on.data = today()
    if project.funding:
        spending.source_kind.data = project.funding[0].kind
    return dict(edit=ProjectForm(formdata=None, obj=project), partner=PartnerForm(formdata=None),
                funding=FundingForm(formdata=None), milestone=MilestoneForm(formdata=None),
                spending=spending, start=StartForm(formdata=None))


def page(project_id: int, *, status: int = 200, forms: dict | None = None,
         errors: dict | None = None):
    """The project page; after a refused staff form, that form with its input and message
    (`errors` maps a form's name, or "name-<id>" for a line's form, to its message)."""
    project = get_project(project_id, full=True)
    is_staff = permissions.is_staff(current_user, g.community)
    shown = staff_forms(project) if is_staff else {}
    shown.update(forms or {})
    spending = project.spending
    return render("projects/project.html", status=status, project=project,
                  idea=project.idea, stage=project.idea.stage, lines=by_source(project),
                  explanations=[e for e in spending if e.overspend_reason],
                  reversed_by={e.reverses_id: e for e in spending if e.reverses_id},
                  is_staff=is_staff, forms=shown, errors=errors or {}, button=ButtonForm(),
                  **LABELS)


@bp.get("/projects/<int:project_id>")
@access("public")
def project(project_id: int):
    return page(project_id)


@bp.get("/projects/<int:project_id>/ledger.csv")
@access("public")
def ledger_csv(project_id: int):
    project = get_project(project_id, full=True)
    response = make_response(export.ledger_csv(project))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename(project)}"'
    return response
