"""Every allowed and every refused move of the stage table, per role."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.extensions import db
from proposals.moves import MoveRefused, move_idea
from proposals.needs import CostingInput
from proposals.stages import STAGES, TABLE, find_move

ROLES = ("anonymous", "resident", "author", "owner", "council", "chair", "staff", "admin")


@dataclass
class Cause:
    """Stand-in for the records of later features (a round, a notice, …)."""
    cause_kind: str
    id: int = 1
    passed: bool = True
    state: str = "adopted"
    adopted: bool = True
    winners: tuple = ()
    is_over: bool = True
    all_answered: bool = True
    upheld: bool = True
    published: bool = True
    extra: dict = field(default_factory=dict)

    def cause_label(self):
        return f"{self.cause_kind} #{self.id}"


def actor_for(make, community, role, idea):
    if role == "anonymous":
        return None
    if role == "author":
        return idea.author
    if role == "resident":
        return make.user(community)
    return make.user(community, role)


def satisfying_kwargs(move, idea, make, community):
    """Arguments that meet every need of `move` for `idea`."""
    kwargs = {"reason": "理由：居民反映强烈"}
    to = move.to
    if to == "merged":
        kwargs["merged_into"] = make.idea(community, stage="deliberating")
    if to == "planned" and idea.stage == "deliberating":
        kwargs["costing"] = CostingInput(120_000_00, "物业", (("subsidy", 120_000_00, ""),))
    if to == "in_round":
        kwargs["cause"] = Cause("round", state="upcoming", adopted=False)
    if idea.stage == "in_round":
        winners = (idea.id,) if to == "noticed" else ()
        kwargs["cause"] = Cause("round", winners=winners)
    if to == "funded":
        kwargs["cause"] = Cause("notice")
    if idea.stage == "noticed" and to == "planned":
        kwargs["cause"] = Cause("objection")
    if to == "done":
        kwargs["cause"] = Cause("outcome")
    return kwargs


def planned_idea(make, community, stage):
    idea = make.idea(community, stage=stage)
    if stage in ("planned", "in_round", "noticed", "funded", "in_progress", "done"):
        from proposals.models import Costing, FundingSource
        idea.costing = Costing(amount_fen=5000_00, responsible="居委会",
                               sources=[FundingSource(kind="subsidy", amount_fen=5000_00)])
        db.session.commit()
    return idea


CASES = [(move, source) for move in TABLE for source in move.sources]


@pytest.mark.parametrize("move,source", CASES, ids=[f"{s}->{m.to}" for m, s in CASES])
def test_each_move_allowed_only_for_its_roles(app, make, move, source):
    community = make.community()
    for role in ROLES:
        idea = planned_idea(make, community, source)
        actor = actor_for(make, community, role, idea)
        kwargs = satisfying_kwargs(move, idea, make, community)
        if move.to == "planned" and source == "deliberating" and role == "chair":
            kwargs["cause"] = Cause("motion")
        allowed = (("staff" in move.who and role in ("staff", "admin"))
                   or ("author" in move.who and role == "author")
                   or ("chair+motion" in move.who and role == "chair"))
        if allowed:
            change = move_idea(idea, move.to, actor=actor, **kwargs)
            db.session.commit()
            assert idea.stage == move.to and change.actor_id == actor.id
            assert change.from_stage == source
        else:
            with pytest.raises(MoveRefused):
                move_idea(idea, move.to, actor=actor, **kwargs)
            db.session.rollback()
            assert db.session.get(type(idea), idea.id).stage == source


def test_moves_absent_from_the_table_are_refused_even_for_staff(app, make):
    community = make.community()
    staff = make.user(community, "staff")
    for source in STAGES:
        for to in STAGES:
            if find_move(source, to) is not None:
                continue
            idea = planned_idea(make, community, source)
            with pytest.raises(MoveRefused):
                move_idea(idea, to, actor=staff, reason="试一试", cause=Cause("round"))
            db.session.rollback()


def test_reason_is_required_and_shown_on_the_timeline(app, make, client):
    community = make.community()
    staff = make.user(community, "staff")
    idea = make.idea(community)
    with pytest.raises(MoveRefused, match="reason|理由"):
        move_idea(idea, "deliberating", actor=staff, reason="   ")
    db.session.rollback()
    move_idea(idea, "deliberating", actor=staff, reason="符合议事范围，进入议事")
    db.session.commit()
    page = client.get(f"/c/{community.slug}/ideas/{idea.id}").get_data(as_text=True)
    assert "符合议事范围，进入议事" in page and staff.display_name in page


def test_staff_of_another_community_cannot_move(app, make):
    home, other = make.community(), make.community()
    outsider = make.user(other, "staff")
    idea = make.idea(home)
    with pytest.raises(MoveRefused):
        move_idea(idea, "deliberating", actor=outsider, reason="越界")


def test_planned_needs_a_costing_that_adds_up(app, make):
    community = make.community()
    staff = make.user(community, "staff")
    idea = make.idea(community, stage="deliberating")
    bad = CostingInput(1000_00, "物业", (("subsidy", 300_00, ""), ("partner", 600_00, "")))
    for costing in (None, bad, CostingInput(0, "物业"), CostingInput(100, "  ")):
        with pytest.raises(MoveRefused):
            move_idea(idea, "planned", actor=staff, reason="方案", costing=costing)
        db.session.rollback()
    good = CostingInput(1000_00, "物业", (("subsidy", 300_00, ""), ("partner", 700_00, "")))
    move_idea(idea, "planned", actor=staff, reason="方案", costing=good)
    db.session.commit()
    assert idea.costing.amount_fen == 1000_00
    assert sorted(s.amount_fen for s in idea.costing.sources) == [300_00, 700_00]


def test_noticed_to_funded_needs_owners_decision_when_fund_is_spent(app, make):
    community = make.community()
    staff = make.user(community, "staff")
    idea = planned_idea(make, community, "noticed")
    idea.costing.sources[0].kind = "maintenance_fund"
    db.session.commit()
    with pytest.raises(MoveRefused, match="owners|业主"):
        move_idea(idea, "funded", actor=staff, cause=Cause("notice"))
    db.session.rollback()
    with pytest.raises(MoveRefused):
        move_idea(idea, "funded", actor=staff, cause=Cause("notice"),
                  decision=Cause("decision", passed=False))
    db.session.rollback()
    move_idea(idea, "funded", actor=staff, cause=Cause("notice"), decision=Cause("decision"))
    assert idea.stage == "funded"


def test_notice_must_be_over_and_answered(app, make):
    community = make.community()
    staff = make.user(community, "staff")
    for cause in (Cause("notice", is_over=False), Cause("notice", all_answered=False)):
        idea = planned_idea(make, community, "noticed")
        with pytest.raises(MoveRefused):
            move_idea(idea, "funded", actor=staff, cause=cause)
        db.session.rollback()


def test_system_can_fund_but_not_screen(app, make):
    community = make.community()
    idea = planned_idea(make, community, "noticed")
    change = move_idea(idea, "funded", system=True, cause=Cause("notice"))
    assert change.actor_id is None and idea.stage == "funded"
    fresh = make.idea(community)
    with pytest.raises(MoveRefused):
        move_idea(fresh, "deliberating", system=True, reason="自动")


def test_round_moves_follow_the_result(app, make):
    community = make.community()
    staff = make.user(community, "staff")
    winner, loser = planned_idea(make, community, "in_round"), planned_idea(make, community, "in_round")
    result = Cause("round", winners=(winner.id,))
    with pytest.raises(MoveRefused):
        move_idea(loser, "noticed", actor=staff, cause=result)
    db.session.rollback()
    with pytest.raises(MoveRefused):
        move_idea(winner, "planned", actor=staff, cause=result)
    db.session.rollback()
    move_idea(winner, "noticed", actor=staff, cause=result)
    back = move_idea(loser, "planned", actor=staff, cause=result)
    assert back.cause_label == "round #1" and loser.stage == "planned"


def test_an_open_round_takes_no_new_ideas(app, make):
    community = make.community()
    staff = make.user(community, "staff")
    idea = planned_idea(make, community, "planned")
    with pytest.raises(MoveRefused):
        move_idea(idea, "in_round", actor=staff, cause=Cause("round", state="open", adopted=False))


def test_merge_target_must_be_live_and_local(app, make):
    community, other = make.community(), make.community()
    staff = make.user(community, "staff")
    idea = make.idea(community)
    for target in (idea, make.idea(other), make.idea(community, stage="withdrawn"), None):
        with pytest.raises(MoveRefused):
            move_idea(idea, "merged", actor=staff, reason="重复", merged_into=target)
        db.session.rollback()


def test_every_move_is_audited(app, make):
    from app.audit import AuditEntry
    community = make.community()
    staff = make.user(community, "staff")
    idea = make.idea(community)
    move_idea(idea, "deliberating", actor=staff, reason="进入议事")
    db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="idea.move").one()
    assert entry.actor_id == staff.id and entry.detail["to_stage"] == "deliberating"
    assert entry.detail["reason"] == "进入议事"
