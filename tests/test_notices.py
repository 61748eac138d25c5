"""Notices (公示) without HTTP: candidates, opening, objections and answers, funding when
the period is over and every objection answered (in either order), upheld objections,
drafts and owners' decisions. `flask tick` is in test_notices_tick."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.timeutil import utcnow
from proposals.models import Idea, StageChange
from proposals.moves import MoveRefused, move_idea
from proposals.notices import drafts, services
from proposals.notices.models import Notice, NoticeIdea, Objection
from proposals.notices.services import NoticeRefused

from .notices_factories import adopted_round, close, noticed_plan, open_notice, \
    passed_decision, stage


@pytest.fixture
def place(make):
    community = make.community(slug="gaorong", name="高荣居民区")
    return community, make.user(community, "staff", display_name="李社工")


@pytest.fixture(autouse=True)
def english(app):
    """Refusals are matched by their English words (outside a request they would speak
    the default language, Chinese)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- candidates and opening ---------------------------------------------------------------

def test_candidates_are_grouped_by_what_put_the_ideas_in_notice(make, place):
    community, staff = place
    round_ = adopted_round(make, community, staff)
    plan = noticed_plan(make, community, staff, title="楼道声控灯")
    lift, decision = passed_decision(make, community, staff)
    found = {c.key: c for c in services.candidates(community)}
    assert set(found) == {f"round-{round_.id}", f"plan-{plan.id}", f"decision-{decision.id}"}
    assert {i.id for i in found[f"round-{round_.id}"].ideas} == set(round_.winners)
    assert [i.id for i in found[f"decision-{decision.id}"].ideas] == [lift.id]
    # Once on a notice, the ideas are candidates no more; another community sees none.
    open_notice(community, staff, found[f"round-{round_.id}"])
    assert {c.key for c in services.candidates(community)} == {
        f"plan-{plan.id}", f"decision-{decision.id}"}
    assert services.candidates(make.community()) == []


def test_opening_a_notice_runs_the_communitys_days_and_is_audited(make, place):
    community, staff = place
    community.notice_days = 10
    plan = noticed_plan(make, community, staff)
    notice = open_notice(community, staff, title="公示：楼道灯", text="第一行\n第二行")
    assert notice.closes_at - notice.opens_at == timedelta(days=10)
    assert abs(notice.opens_at - utcnow()) < timedelta(minutes=1)
    assert [item.idea_id for item in notice.items] == [plan.id]
    assert services.is_open(notice) and not notice.is_over
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.open"))
    assert entry.actor_id == staff.id and json.loads(entry.detail_json)["days"] == 10


@pytest.mark.parametrize("change, message", [
    (dict(days=0), "1 to 60 days"),
    (dict(days=61), "1 to 60 days"),
    (dict(title="  "), "title"),
    (dict(title="长" * 121), "too long"),
    (dict(text=""), "text"),
    (dict(text="字" * 5001), "too long"),
    (dict(ideas=[]), "at least one idea"),
    (dict(kind="poster"), "Unknown kind"),
])
def test_bad_openings_are_refused_and_change_nothing(make, place, change, message):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    values = dict(kind="plan", ideas=[plan], title="公示", text="内容", days=7)
    values.update(change)
    kind = values.pop("kind")
    with pytest.raises(NoticeRefused, match=message):
        services.open_notice(community, staff, kind, **values)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_only_noticed_ideas_of_this_community_on_no_open_notice_can_be_noticed(make, place):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    planned = make.planned_idea(community, 10_000_00)
    elsewhere = make.community()
    foreign = noticed_plan(make, elsewhere, make.user(elsewhere, "staff"))
    for ideas, message in (([planned], "not in public notice"), ([foreign], "this community")):
        with pytest.raises(NoticeRefused, match=message):
            services.open_notice(community, staff, "plan", ideas=ideas, title="t", text="x")
        db.session.rollback()
    open_notice(community, staff)
    with pytest.raises(NoticeRefused, match="already on a notice"):
        services.open_notice(community, staff, "plan", ideas=[plan], title="t", text="x")
    db.session.rollback()
    resident = make.user(community)
    with pytest.raises(NoticeRefused, match="Only staff"):
        services.open_notice(community, resident, "plan", ideas=[plan], title="t", text="x")


def test_a_round_notice_needs_an_adopted_round_and_its_winners(make, place):
    community, staff = place
    open_round = make.round(community, state="closed")
    noticed = noticed_plan(make, community, staff)
    with pytest.raises(NoticeRefused, match="not been adopted"):
        services.open_notice(community, staff, "round", ideas=[noticed], title="t", text="x",
                             round=open_round)
    db.session.rollback()
    round_ = adopted_round(make, community, staff)
    with pytest.raises(NoticeRefused, match="winners"):
        services.open_notice(community, staff, "round", ideas=[noticed], title="t", text="x",
                             round=round_)


def test_a_decision_notice_needs_a_passed_applied_decision_and_its_idea(make, place):
    community, staff = place
    lift, decision = passed_decision(make, community, staff)
    other = noticed_plan(make, community, staff)
    with pytest.raises(NoticeRefused, match="idea of the owners' decision"):
        services.open_notice(community, staff, "decision", ideas=[other], title="t",
                             text="x", decision=decision)
    db.session.rollback()
    decision.result = "not_passed"
    with pytest.raises(NoticeRefused, match="passed owners' decision"):
        services.open_notice(community, staff, "decision", ideas=[lift], title="t",
                             text="x", decision=decision)


# --- the period and the objections ---------------------------------------------------------

def test_funding_waits_for_the_end_of_the_period_then_for_every_answer(make, place):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    notice = open_notice(community, staff)
    objection = services.file_objection(notice, make.user(community), plan, "价格偏高。")
    db.session.commit()
    with pytest.raises(NoticeRefused, match="not over"):
        services.finish(notice, staff)
    db.session.rollback()
    with pytest.raises(MoveRefused):  # not even by hand: the stage table says so too
        move_idea(plan, "funded", actor=staff, cause=notice)
    db.session.rollback()
    close(notice)
    assert not services.is_due(notice)
    with pytest.raises(NoticeRefused, match="1 objection is not answered"):
        services.finish(notice, staff)
    db.session.rollback()
    services.answer_objection(objection, staff, "已比价三家，价格合理。", upheld=False)
    db.session.commit()
    assert services.is_due(notice)
    assert [i.id for i in services.finish(notice, staff)] == [plan.id]
    db.session.commit()
    assert stage(plan) == "funded"
    change = db.session.scalar(select(StageChange).where(StageChange.idea_id == plan.id,
                                                         StageChange.to_stage == "funded"))
    assert (change.cause_type, change.cause_id, change.actor_id) == ("notice", notice.id, staff.id)
    notice = db.session.get(Notice, notice.id)
    assert notice.finished_by_id == staff.id and notice.items[0].result == "funded"
    actions = audit_actions()
    assert actions[-1] == "notice.finish" and "idea.move" in actions


def test_answering_first_still_waits_for_the_end_of_the_period(make, place):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    notice = open_notice(community, staff)
    objection = services.file_objection(notice, make.user(community), plan, "施工噪音？")
    services.answer_objection(objection, staff, "白天施工，每天不超过四小时。", upheld=False)
    db.session.commit()
    assert notice.all_answered and not services.is_due(notice)
    with pytest.raises(NoticeRefused, match="not over"):
        services.finish(notice, staff)
    db.session.rollback()
    assert stage(plan) == "noticed"
    close(notice)
    services.finish(db.session.get(Notice, notice.id), staff)
    db.session.commit()
    assert stage(plan) == "funded"


def test_an_upheld_objection_returns_its_idea_and_the_rest_goes_on(make, place):
    community, staff = place
    round_ = adopted_round(make, community, staff)
    notice = open_notice(community, staff)
    first, second = (item.idea for item in notice.items)
    resident = make.user(community, display_name="王阿姨")
    upheld = services.file_objection(notice, resident, first, "离3号楼窗户太近。")
    services.file_objection(notice, resident, second, "想再看看方案。")
    db.session.commit()
    services.answer_objection(upheld, staff, "异议成立：换个位置再议。", upheld=True)
    db.session.commit()
    assert stage(first) == "planned" and stage(second) == "noticed"
    back = db.session.scalar(select(StageChange).where(StageChange.idea_id == first.id)
                             .order_by(StageChange.id.desc()).limit(1))
    assert (back.from_stage, back.to_stage, back.reason, back.cause_type, back.cause_id) == (
        "noticed", "planned", "异议成立：换个位置再议。", "objection", upheld.id)
    notice = db.session.get(Notice, notice.id)
    assert [item.result for item in notice.items] == ["returned", ""]
    # The notice goes on: the other objection still needs its answer, then the period.
    close(notice)
    with pytest.raises(NoticeRefused, match="not answered"):
        services.finish(notice, staff)
    db.session.rollback()
    other = db.session.scalar(select(Objection).where(Objection.answered_at.is_(None)))
    services.answer_objection(other, staff, "方案已公开在居委会。", upheld=False)
    db.session.commit()
    assert [i.id for i in services.finish(db.session.get(Notice, notice.id), staff)] == [second.id]
    db.session.commit()
    assert stage(first) == "planned" and stage(second) == "funded"
    assert notice.round_id == round_.id


def test_objections_come_only_from_verified_residents_during_the_period(make, place):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    other_plan = noticed_plan(make, community, staff)
    notice = open_notice(community, staff, services.candidate(community, f"plan-{plan.id}"))
    elsewhere = make.community()
    for user in (make.user(community, verified=False), make.user(elsewhere),
                 make.user(elsewhere, "staff"), make.user()):
        with pytest.raises(NoticeRefused, match="Only verified residents"):
            services.file_objection(notice, user, plan, "不同意。")
    resident = make.user(community)
    for idea, reason, message in ((plan, "  ", "Say why"), (plan, "长" * 1001, "too long"),
                                  (other_plan, "不同意。", "idea of this notice"),
                                  (None, "不同意。", "idea of this notice")):
        with pytest.raises(NoticeRefused, match=message):
            services.file_objection(notice, resident, idea, reason)
    # A double click files one objection, not two.
    once = services.file_objection(notice, resident, plan, "不同意。")
    assert services.file_objection(notice, resident, plan, "不同意。").id == once.id
    db.session.commit()
    close(notice)
    with pytest.raises(NoticeRefused, match="period is over"):
        services.file_objection(notice, resident, plan, "晚了一步。")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Objection)) == 1


def test_an_objection_is_answered_once_by_staff_with_words(make, place):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    notice = open_notice(community, staff)
    objection = services.file_objection(notice, make.user(community), plan, "不同意。")
    db.session.commit()
    with pytest.raises(NoticeRefused, match="Only staff"):
        services.answer_objection(objection, make.user(community), "我来答。", upheld=False)
    with pytest.raises(NoticeRefused, match="Write the answer"):
        services.answer_objection(objection, staff, " ", upheld=True)
    db.session.rollback()
    services.answer_objection(objection, staff, "已答复。", upheld=False)
    db.session.commit()
    with pytest.raises(NoticeRefused, match="already been answered"):
        services.answer_objection(objection, staff, "改主意了。", upheld=True)
    db.session.rollback()
    objection = db.session.get(Objection, objection.id)
    assert (objection.answer, objection.upheld, objection.answered_by_id) == ("已答复。", False,
                                                                               staff.id)
    assert stage(plan) == "noticed"
    assert "notice.objection_answer" in audit_actions()


def test_a_finished_notice_is_never_finished_twice(make, place):
    community, staff = place
    noticed_plan(make, community, staff)
    notice = open_notice(community, staff)
    close(notice)
    services.finish(notice, staff)
    db.session.commit()
    with pytest.raises(NoticeRefused, match="already finished"):
        services.finish(db.session.get(Notice, notice.id), staff)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StageChange)
                             .where(StageChange.to_stage == "funded")) == 1


# --- drafts -------------------------------------------------------------------------------

def test_drafts_speak_of_the_costing_or_the_decision(make, place):
    community, staff = place
    plan = noticed_plan(make, community, staff, title="楼道声控灯")
    lift, decision = passed_decision(make, community, staff)
    plan_text = drafts.draft_text(services.candidate(community, f"plan-{plan.id}"), community, 7)
    assert "楼道声控灯: ¥12,000.00, carried out by 物业." in plan_text
    assert "Subsidy: ¥12,000.00 (街道补贴)" in plan_text and "runs for 7 days" in plan_text
    chosen = services.candidate(community, f"decision-{decision.id}")
    assert drafts.draft_title(chosen) == "Public notice: 使用维修资金更换电梯"
    text = drafts.draft_text(chosen, community, 14)
    assert "Owners' decision “使用维修资金更换电梯”: passed." in text
    assert "Maintenance fund: ¥350,000.00" in text and "runs for 14 days" in text


# --- owners' decisions -----------------------------------------------------------------------

def test_a_decision_notice_funds_the_idea_that_needs_the_owners_decision(make, place):
    community, staff = place
    lift, decision = passed_decision(make, community, staff)
    assert lift.needs_owners_decision
    notice = open_notice(community, staff, services.candidate(community,
                                                               f"decision-{decision.id}"))
    assert (notice.kind, notice.decision_id) == ("decision", decision.id)
    close(notice)
    services.finish(notice, staff)
    db.session.commit()
    assert stage(lift) == "funded"


def test_an_idea_without_its_owners_decision_holds_back_the_whole_notice(make, place):
    community, staff = place
    fine = noticed_plan(make, community, staff, title="楼道灯")
    lift = noticed_plan(make, community, staff, title="加装电梯", common_parts=True)
    notice = services.open_notice(community, staff, "plan", ideas=[fine, lift], title="公示",
                                  text="两项。")
    db.session.commit()
    close(notice)
    with pytest.raises(NoticeRefused, match="加装电梯.*owners' decision"):
        services.finish(notice, staff)
    db.session.rollback()
    assert stage(fine) == "noticed" and stage(lift) == "noticed"
    assert db.session.get(Notice, notice.id).finished_at is None


def test_the_pending_clause_ignores_finished_notices_and_returned_ideas(make, place):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    notice = open_notice(community, staff)
    objection = services.file_objection(notice, make.user(community), plan, "不同意。")
    services.answer_objection(objection, staff, "成立。", upheld=True)
    db.session.commit()
    assert db.session.scalar(select(NoticeIdea.result)) == "returned"
    # Back in planned, then noticed again by staff: it may go on a new notice.
    move_idea(db.session.get(Idea, plan.id), "noticed", actor=staff, reason="调整后再公示。")
    db.session.commit()
    assert [c.key for c in services.candidates(community)] == [f"plan-{plan.id}"]
