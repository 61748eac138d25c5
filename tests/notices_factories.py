"""Test helpers for notices (公示): ideas put in public notice the three ways the stage
table allows (an adopted round, a plan funded outside a round, a passed owners'
decision), notices opened on them, and the clock moved past a notice's close."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from proposals.models import Costing, FundingSource, Idea
from proposals.moves import move_idea
from proposals.notices import services
from proposals.owners import decisions
from proposals.owners.models import Owner
from proposals.rounds.models import Round
from proposals.rounds.services import adopt




def stage(idea) -> str:
    db.session.expire_all()
    return db.session.get(Idea, idea.id).stage


def adopted_round(make, community, staff, costs=(40_000_00, 30_000_00, 20_000_00),
                  winners=(0, 2)) -> Round:
    """A closed round whose result is adopted: the ideas at `winners` are noticed."""
    round_ = make.round(community, costs=costs, state="closed")
    adopt(round_, staff, [round_.entries[i].project_id for i in winners])
    db.session.commit()
    return round_


def noticed_plan(make, community, staff, *, cost: int = 12_000_00, title: str | None = None,
                 kind: str = "subsidy", common_parts: bool = False):
    """A plan funded outside a round (a subsidy), moved to public notice by staff; with
    `common_parts` it is put there by hand, as a demo or an import might."""
    idea = make.idea(community, stage="planned", title=title, changes_common_parts=common_parts)
    idea.costing = Costing(amount_fen=cost, responsible="物业", sources=[
        FundingSource(kind=kind, amount_fen=cost, note="街道补贴")])
    db.session.commit()
    if common_parts:
        idea.stage = "noticed"
    else:
        move_idea(idea, "noticed", actor=staff, reason="街道全额补贴，不占预算。")
    db.session.commit()
    return idea


def passed_decision(make, community, staff, *, title: str = "4号楼更换电梯"):
    """A planned idea that changes common parts and spends the maintenance fund, and
    the owners' decision on it, passed and applied: the idea is in public notice."""
    idea = make.idea(community, stage="planned", title=title, changes_common_parts=True)
    idea.costing = Costing(amount_fen=500_000_00, responsible="物业", sources=[
        FundingSource(kind="maintenance_fund", amount_fen=350_000_00),
        FundingSource(kind="subsidy", amount_fen=150_000_00, note="30%加装电梯补贴")])
    db.session.commit()
    decision = make.owners_decision(community, idea=idea, matter="use_fund",
                                    title="使用维修资金更换电梯")
    for owner in db.session.scalars(select(Owner).where(Owner.community_id == community.id)):
        decisions.enter_sheet(decision, owner, "agree", f"S-{owner.register_id}", staff=staff)
    decision.opens_at = utcnow() - timedelta(days=20)
    decision.closes_at = utcnow() - timedelta(days=5)
    db.session.commit()
    decisions.apply_result(decision, staff)
    db.session.commit()
    return idea, decision


def open_notice(community, staff, candidate=None, *, title: str = "公示", text: str = "公示内容。",
                days: int | None = None, **kwargs):
    """Open a notice on a candidate (the first one when none is given)."""
    candidate = candidate or services.candidates(community)[0]
    notice = services.open_notice(community, staff, candidate.kind, ideas=candidate.ideas,
                                  title=title, text=text, days=days, round=candidate.round,
                                  decision=candidate.decision, **kwargs)
    db.session.commit()
    return notice


def close(notice, *, ago: timedelta = timedelta(minutes=1)) -> None:
    """Move the notice's period so that it ended `ago`."""
    length = notice.closes_at - notice.opens_at
    notice.closes_at = utcnow() - ago
    notice.opens_at = notice.closes_at - length
    db.session.commit()
