"""Test data for outcome pages: a project in progress with its money and partners, and
its outcome page drafted or published through the services."""
from __future__ import annotations

from datetime import date

from app.extensions import db
from proposals.outcomes import services
from proposals.outcomes.models import Outcome
from proposals.photos import process_photo
from proposals.projects.models import Project, ProjectFunding, ProjectPartner, SpendingEntry

from .images import jpeg_bytes

ROOF = "长宁路225弄屋顶修缮"


def photo(size=(64, 48), color=(200, 120, 40)):
    return process_photo(jpeg_bytes(size, color), max_bytes=10**7, max_pixels=10**7)


def project(make, community, *, title: str = ROOF, funding=(("round_budget", 80_000_00),),
            spending=(), partners=(), responsible=("property", "长宁物业")) -> Project:
    """An idea in progress with its project: funding as (kind, fen), spending as
    (kind, fen, payee, overspend reason), partners as (name, contribution)."""
    idea = make.idea(community, stage="in_progress", title=title)
    p = Project(community_id=community.id, idea=idea, responsible_kind=responsible[0],
                responsible_name=responsible[1], progress=100)
    for kind, fen in funding:
        p.funding.append(ProjectFunding(kind=kind, amount_fen=fen))
    for i, (kind, fen, payee, reason) in enumerate(spending):
        p.spending.append(SpendingEntry(spent_on=date(2026, 5, 1 + i), amount_fen=fen,
                                        payee=payee, purpose="材料和人工", source_kind=kind,
                                        overspend_reason=reason))
    for name, contribution in partners:
        p.partners.append(ProjectPartner(name=name, contribution=contribution))
    db.session.add(p)
    db.session.commit()
    return p


def draft(project_: Project, staff, *, summary: str = "屋面防水层全部翻新，雨天不再漏水。",
          before: int = 1, after: int = 1) -> Outcome:
    outcome = services.draft_outcome(project_, staff)
    services.edit(outcome, staff, title=outcome.title, summary=summary)
    for i in range(before):
        services.add_photo(outcome, staff, "before", photo(color=(90, 90, 90)), f"修缮前{i + 1}")
    for i in range(after):
        services.add_photo(outcome, staff, "after", photo(color=(40, 160, 80)), f"修缮后{i + 1}")
    db.session.commit()
    return outcome


def published(make, community, staff=None, **project_fields) -> Outcome:
    staff = staff or make.user(community, "staff")
    outcome = draft(project(make, community, **project_fields), staff)
    services.publish(outcome, staff)
    db.session.commit()
    return outcome
