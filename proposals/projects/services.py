"""Projects: a funded idea becomes one, and staff keep who is responsible, the partners,
the planned funding and the progress up to date. Milestones are in `milestones`, the
ledger of spending in `spending`.

Each function changes the session and records an audit entry; the caller commits (views
inside `write_transaction()`). Rules refused are `ProjectRefused` with a message for staff.
"""
from __future__ import annotations

from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.templating import yuan
from proposals.models import FUNDING_KINDS
from proposals.moves import MoveRefused, idea_moved, move_idea
from flask_babel import gettext as _

from .models import RESPONSIBLE_KINDS, Project, ProjectFunding, ProjectPartner, SpendingEntry

# Stages in which an idea is (or was) a project; earlier ones have none to look for.
PROJECT_STAGES = ("funded", "in_progress", "done", "not_adopted")
MAX_NAME, MAX_NOTE, MAX_REASON = 100, 200, 2000

# Words that name one of the 三驾马车 in a costing's "responsible" field.
_KIND_WORDS = (("物业", "property"), ("property", "property"),
               ("居委", "residents_committee"), ("residents", "residents_committee"),
               ("业委", "owners_committee"), ("owners", "owners_committee"))


class ProjectRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def project_of(idea) -> Project | None:
    return db.session.scalar(select(Project).where(Project.idea_id == idea.id))


def guess_responsible_kind(name: str) -> str:
    """物业 → property, 居委会 → residents committee, 业委会 → owners' committee; any other
    party (a company, a contractor) is a partner. Staff can change it afterwards."""
    lowered = (name or "").lower()
    for word, kind in _KIND_WORDS:
        if word in lowered:
            return kind
    return "partner"


def _from_costing(idea, actor) -> Project:
    costing = idea.costing
    name = (costing.responsible if costing else "").strip()[:MAX_NAME]
    project = Project(community_id=idea.community_id, idea=idea,
                      responsible_kind=guess_responsible_kind(name), responsible_name=name,
                      progress=0, created_by_id=getattr(actor, "id", None))
    for source in (costing.sources if costing else ()):
        project.funding.append(ProjectFunding(kind=source.kind, amount_fen=source.amount_fen,
                                              note=source.note or ""))
        if source.kind == "partner" and (source.note or "").strip():
            project.partners.append(ProjectPartner(
                name=source.note.strip()[:MAX_NAME],
                contribution=f"¥{yuan(source.amount_fen)}"))
    db.session.add(project)
    db.session.flush()
    audit.record("project.created", actor=actor, community=idea.community, target=project,
                 idea=idea.id, responsible=name,
                 funding=[[f.kind, f.amount_fen] for f in project.funding])
    return project


def create_project(idea, actor) -> Project:
    """The project of a funded idea that has none (made by hand, e.g. for an idea funded
    before projects existed)."""
    if idea.stage not in ("funded", "in_progress"):
        raise ProjectRefused(_("Only a funded idea becomes a project."))
    if project_of(idea) is not None:
        raise ProjectRefused(_("This idea already has a project."))
    return _from_costing(idea, actor)


def on_idea_moved(idea, change=None, **_extra) -> None:
    """An idea reaching `funded` becomes a project, once: never a second one."""
    if change is None or change.to_stage != "funded" or project_of(idea) is not None:
        return
    _from_costing(idea, change.actor if change.actor_id else None)


idea_moved.connect(on_idea_moved)


# --- staff edits ---------------------------------------------------------------------------

def clean_text(value: str, limit: int, empty_message: str | None = None) -> str:
    value = (value or "").strip()
    if empty_message and not value:
        raise ProjectRefused(empty_message)
    if len(value) > limit:
        raise ProjectRefused(_("At most %(n)d characters, please.", n=limit))
    return value


def update_project(project, actor, *, responsible_kind: str, responsible_name: str,
                   progress: int) -> Project:
    if responsible_kind not in RESPONSIBLE_KINDS:
        raise ProjectRefused(_("Choose who is responsible."))
    name = clean_text(responsible_name, MAX_NAME, _("Name the party responsible for the work."))
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ProjectRefused(_("Progress is a percentage from 0 to 100."))
    before = dict(kind=project.responsible_kind, name=project.responsible_name,
                  progress=project.progress)
    project.responsible_kind, project.responsible_name = responsible_kind, name
    project.progress = progress
    audit.record("project.edited", actor=actor, community=project.community, target=project,
                 before=before, after=dict(kind=responsible_kind, name=name, progress=progress))
    return project


def add_partner(project, actor, *, name: str, contribution: str = "") -> ProjectPartner:
    partner = ProjectPartner(name=clean_text(name, MAX_NAME, _("Give the partner's name.")),
                             contribution=clean_text(contribution, MAX_NOTE))
    project.partners.append(partner)
    db.session.flush()
    audit.record("project.partner_added", actor=actor, community=project.community,
                 target=project, partner=partner.name, contribution=partner.contribution)
    return partner


def remove_partner(partner, actor) -> None:
    project = partner.project
    audit.record("project.partner_removed", actor=actor, community=project.community,
                 target=project, partner=partner.name, contribution=partner.contribution)
    project.partners.remove(partner)
    db.session.flush()


def sums(project) -> tuple[int, int]:
    """(planned, spent) in fen, added up by the database: exact, and current even when
    the project's collections were loaded before this transaction."""
    planned = db.session.scalar(select(func.coalesce(func.sum(ProjectFunding.amount_fen), 0))
                                .where(ProjectFunding.project_id == project.id))
    spent = db.session.scalar(select(func.coalesce(func.sum(SpendingEntry.amount_fen), 0))
                              .where(SpendingEntry.project_id == project.id))
    return int(planned), int(spent)


def lock(project) -> None:
    """Take the project's row lock (PostgreSQL), so two staff writing money at once
    check the totals one after the other; SQLite's write transaction already does."""
    db.session.execute(select(Project.id).where(Project.id == project.id).with_for_update())


def _funding_values(kind: str, amount_fen: int | None, note: str) -> tuple[str, int, str]:
    if kind not in FUNDING_KINDS:
        raise ProjectRefused(_("Choose a known funding source."))
    if amount_fen is None or amount_fen <= 0:
        raise ProjectRefused(_("The amount must be more than zero."))
    return kind, amount_fen, clean_text(note, MAX_NOTE)


def _keep_plan_above_spending(project, planned_after: int) -> None:
    _planned, spent = sums(project)
    if planned_after < spent:
        raise ProjectRefused(_(
            "The plan would fall below what is already spent (¥%(spent)s). Spending above "
            "plan is recorded with an explanation on the entry that causes it.",
            spent=yuan(spent)))


def add_funding(project, actor, *, kind: str, amount_fen: int | None,
                note: str = "") -> ProjectFunding:
    kind, amount_fen, note = _funding_values(kind, amount_fen, note)
    line = ProjectFunding(kind=kind, amount_fen=amount_fen, note=note)
    project.funding.append(line)
    db.session.flush()
    audit.record("project.funding_added", actor=actor, community=project.community,
                 target=project, kind=kind, amount_fen=amount_fen, note=note)
    return line


def change_funding(line, actor, *, kind: str, amount_fen: int | None,
                   note: str = "") -> ProjectFunding:
    kind, amount_fen, note = _funding_values(kind, amount_fen, note)
    project = line.project
    lock(project)
    planned, _spent = sums(project)
    _keep_plan_above_spending(project, planned - line.amount_fen + amount_fen)
    before = dict(kind=line.kind, amount_fen=line.amount_fen, note=line.note)
    line.kind, line.amount_fen, line.note = kind, amount_fen, note
    db.session.flush()
    audit.record("project.funding_changed", actor=actor, community=project.community,
                 target=project, line=line.id, before=before,
                 after=dict(kind=kind, amount_fen=amount_fen, note=note))
    return line


def remove_funding(line, actor) -> None:
    project = line.project
    lock(project)
    planned, _spent = sums(project)
    _keep_plan_above_spending(project, planned - line.amount_fen)
    audit.record("project.funding_removed", actor=actor, community=project.community,
                 target=project, kind=line.kind, amount_fen=line.amount_fen, note=line.note)
    project.funding.remove(line)
    db.session.flush()


def start_work(project, actor, reason: str):
    """funded → in_progress, through the one way ideas move (the reason is public)."""
    try:
        return move_idea(project.idea, "in_progress", actor=actor, reason=reason)
    except MoveRefused as refused:
        raise ProjectRefused(refused.message) from refused
