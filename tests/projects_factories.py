"""Factories for projects: an idea funded the way the stage table allows (after a public
notice that is over with every objection answered), so its project is made by the
receiver of `idea_moved` exactly as in production."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.extensions import db
from proposals.models import Costing, FundingSource
from proposals.moves import move_idea
from proposals.projects import milestones, services, spending
from proposals.projects.models import Project


@dataclass
class NoticeOver:
    """Stands for a 公示 whose period is over with every objection answered: the fields
    the stage table reads of a notice (the notices part owns the real one)."""

    id: int | None = None
    cause_kind: str = "notice"
    is_over: bool = True
    all_answered: bool = True

    def cause_label(self) -> str:
        return "公示期满"


def funded_idea(make, community, *, sources=(("round_budget", 80_000_00, ""),),
                responsible: str = "物业", staff=None, **fields):
    """An idea in public notice with a costing of these sources, moved to funded."""
    idea = make.idea(community, stage="noticed", **fields)
    idea.costing = Costing(amount_fen=sum(a for _k, a, _n in sources), responsible=responsible,
                           sources=[FundingSource(kind=k, amount_fen=a, note=n)
                                    for k, a, n in sources])
    db.session.commit()
    staff = staff or make.user(community, "staff")
    move_idea(idea, "funded", actor=staff, cause=NoticeOver())
    db.session.commit()
    return idea


def project_of(idea) -> Project:
    project = services.project_of(idea)
    assert project is not None, "the funded idea has no project"
    return project


def make_project(make, community, **kwargs) -> Project:
    return project_of(funded_idea(make, community, **kwargs))


def access_world(make, community) -> dict:
    """A project with one of everything, for the access test's URLs."""
    staff = make.user(community, "staff")
    project = make_project(make, community, staff=staff,
                           sources=(("round_budget", 50_000_00, ""),
                                    ("partner", 10_000_00, "大唐（上海）能源开发有限公司")))
    m = milestones.add_milestone(project, staff, due_on=date(2026, 3, 1), title="开工")
    entry = spending.add_spending(project, staff, spent_on=date(2026, 3, 2),
                                  amount_fen=1_000_00, payee="施工队", purpose="材料",
                                  source_kind="round_budget")
    db.session.commit()
    return {"project_id": project.id, "milestone_id": m.id,
            "partner_id": project.partners[0].id, "funding_id": project.funding[0].id,
            "spending_id": entry.id}
