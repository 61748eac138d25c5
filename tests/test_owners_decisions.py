"""Owners' decisions (业主表决) on the database: the register, snapshots, online votes,
signature sheets, conflicts, the tally and applying the result to the idea."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.community import Building, Community, Unit
from app.database import write_transaction
from app.extensions import db
from app.timeutil import utcnow
from proposals.owners import decisions as d
from proposals.owners.models import ConflictResolution, Owner, OwnerVote, RegisterUnit
from proposals.owners.register import import_register
from proposals.owners.register_csv import RegisterError, UnitRow

# building, unit, area in hundredths of a m², owner, developer_unsold
REGISTER = [
    ("1号楼", "101", 100_00, "A", False),
    ("1号楼", "102", 100_00, "A", False),
    ("1号楼", "103", 100_00, "A", False),  # A: three units, one head
    ("1号楼", "201", 80_50, "B", False),
    ("2号楼", "101", 90_00, "C", False),
    ("2号楼", "102", 60_00, "DEV", True),
    ("2号楼", "103", 60_00, "DEV", True),  # the developer's unsold units: one head
]


def rows(register=REGISTER) -> list[UnitRow]:
    return [UnitRow(line, b, u, area, owner, dev)
            for line, (b, u, area, owner, dev) in enumerate(register, start=2)]


def owner(community, register_id: str) -> Owner:
    return db.session.scalar(select(Owner).where(Owner.community_id == community.id,
                                                 Owner.register_id == register_id))


@pytest.fixture
def place(make):
    community = make.community(slug="hp", buildings=())
    import_register("hp", rows())
    return community


def decide(place, matter="rebuild", **fields):
    decision = d.open_decision(place, matter, "加装电梯", **fields)
    db.session.commit()
    return decision


def shift(decision, *, closed_days_ago: float):
    """Move the decision's period so that it closed so many days ago."""
    decision.opens_at = utcnow() - timedelta(days=closed_days_ago + 14)
    decision.closes_at = utcnow() - timedelta(days=closed_days_ago)
    db.session.commit()


def sheet(decision, place, who, choice, ref=None, **kw):
    vote = d.enter_sheet(decision, owner(place, who), choice, ref or f"S-{who}",
                         staff=kw.pop("staff", None), **kw)
    db.session.commit()
    return vote


def linked(make, place, who):
    user = make.user(place)
    owner(place, who).user_id = user.id
    db.session.commit()
    return user


# --- the register -----------------------------------------------------------------------

def test_import_creates_units_and_owners_and_flags_the_developer(place):
    assert {(u.building.name, u.number, u.area_centi_m2)
            for u in db.session.scalars(select(Unit))} \
        == {(b, u, a) for b, u, a, _o, _d in REGISTER}
    assert [o.register_id for o in db.session.scalars(
        select(Owner).where(Owner.is_developer))] == ["DEV"]
    assert len(owner(place, "A").units) == 3
    assert db.session.scalar(select(func.count()).select_from(RegisterUnit)) == 7
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "owners.register_import"))
    assert entry.detail["units"] == 7 and entry.detail["owners"] == 4


def test_import_creates_a_missing_community_named_by_its_slug(app):
    summary = import_register("new-place", rows()[:1])
    assert summary.community_created and Community.by_slug("new-place").name == "new-place"


def test_reimport_replaces_the_register_and_keeps_owners_who_hold_nothing(make, place):
    user = linked(make, place, "B")
    again = [r for r in REGISTER if r[3] != "B"] + [("1号楼", "201", 81_00, "E", False)]
    summary = import_register("hp", rows(again))
    assert (summary.units_created, summary.areas_changed, summary.owners_created) == (0, 1, 1)
    assert summary.owners_without_units == 1
    b = owner(place, "B")
    assert b.units == [] and b.user_id == user.id  # still known, still linked
    assert [u.unit.area_centi_m2 for u in owner(place, "E").units] == [81_00]
    assert db.session.scalar(select(func.count()).select_from(RegisterUnit)) == 7


def test_a_spelling_that_differs_only_in_width_is_refused_by_line(place):
    with pytest.raises(RegisterError) as caught:
        import_register("hp", rows(REGISTER[:3] + [("１号楼", "201", 80_50, "b", False)]))
    assert caught.value.line == 5 and "1号楼" in str(caught.value)
    assert "'B'" in str(caught.value)
    assert owner(place, "b") is None
    assert db.session.scalar(select(func.count()).select_from(Building)) == 2


# --- opening ----------------------------------------------------------------------------

def test_the_snapshot_is_unaffected_by_a_reimport(place):
    decision = decide(place)
    before = d.result_json(decision)
    assert (before["owners_total"], before["area_total"]) == (4, "590.50")
    import_register("hp", rows([("1号楼", "101", 999_00, "Z", False)]))
    assert d.result_json(decision) == before
    later = decide(place)
    assert (d.result_json(later)["owners_total"], d.result_json(later)["area_total"]) \
        == (1, "999.00")
    # B held a unit when the decision opened: their sheet still counts there.
    sheet(decision, place, "B", "agree")
    assert d.result_json(decision)["owners_participating"] == 1


def test_scope_by_buildings_counts_only_their_units(place):
    two = db.session.scalar(select(Building).where(Building.name == "2号楼"))
    data = d.result_json(decide(place, buildings=[two]))
    assert (data["owners_total"], data["area_total"]) == (2, "210.00")  # C and the developer
    with pytest.raises(d.DecisionRefused, match="B"):
        d.enter_sheet(decide(place, buildings=[two]), owner(place, "B"), "agree", "S1",
                      staff=None)


@pytest.mark.parametrize("kwargs, matter", [
    ({}, "lift"),
    ({"closes_at": utcnow() - timedelta(days=1)}, "rebuild"),
    ({"opens_at": utcnow() + timedelta(days=3), "closes_at": utcnow() + timedelta(days=2)},
     "rebuild"),
])
def test_bad_decisions_are_refused(place, kwargs, matter):
    with pytest.raises(d.DecisionRefused):
        d.open_decision(place, matter, "加装电梯", **kwargs)


def test_an_empty_scope_is_refused(make):
    bare = make.community(buildings=("空楼",))
    with pytest.raises(d.DecisionRefused):
        d.open_decision(bare, "rebuild", "加装电梯")


def test_a_decision_closes_in_fourteen_days_by_default(place):
    decision = decide(place)
    assert decision.closes_at - decision.opens_at == timedelta(days=14)
    assert d.state(decision) == "open"


# --- online votes -----------------------------------------------------------------------

def test_an_online_vote_can_be_changed_until_the_close_then_not(make, place):
    decision, user = decide(place), linked(make, place, "A")
    d.cast_online(decision, owner(place, "A"), user, "agree")
    d.cast_online(decision, owner(place, "A"), user, "against")
    db.session.commit()
    votes = db.session.scalars(select(OwnerVote)).all()
    assert [(v.channel, v.choice) for v in votes] == [("online", "against")]
    data = d.result_json(decision)
    assert (data["owners_participating"], data["owners_agree"], data["area_participating"]) \
        == (1, 0, "300.00")
    shift(decision, closed_days_ago=0.01)
    with pytest.raises(d.DecisionRefused):
        d.cast_online(decision, owner(place, "A"), user, "agree")
    assert db.session.scalars(select(OwnerVote.choice)).all() == ["against"]


def test_only_the_linked_account_votes_for_an_owner(make, place):
    decision, user = decide(place), linked(make, place, "A")
    with pytest.raises(d.DecisionRefused):
        d.cast_online(decision, owner(place, "B"), user, "agree")
    with pytest.raises(d.DecisionRefused):
        d.cast_online(decision, owner(place, "A"), make.user(place), "agree")


# --- signature sheets -------------------------------------------------------------------

def test_a_second_sheet_for_an_owner_is_refused_naming_the_first(make, place):
    decision = decide(place)
    sheet(decision, place, "C", "agree", "纸-007", staff=make.user(place, "staff"))
    with pytest.raises(d.DecisionRefused, match="纸-007"):
        sheet(decision, place, "C", "against", "纸-008")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "owners.sheet_vote"))
    assert entry.detail["sheet_ref"] == "纸-007" and entry.detail["choice"] == "agree"


def test_sheets_after_the_close_only_in_grace_and_dated_before_the_close(place):
    decision = decide(place)
    shift(decision, closed_days_ago=1)
    assert d.state(decision) == "grace"
    closed_on = decision.closes_at.astimezone(d.LOCAL).date()
    with pytest.raises(d.DecisionRefused):  # no date: cannot tell it was signed in time
        sheet(decision, place, "A", "agree")
    with pytest.raises(d.DecisionRefused):  # dated after the close
        sheet(decision, place, "A", "agree", signed_on=closed_on + timedelta(days=1))
    sheet(decision, place, "A", "agree", signed_on=closed_on - timedelta(days=1))
    assert d.result_json(decision)["owners_agree"] == 1
    late = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "owners.sheet_vote"))
    assert late.detail["late"] is True
    shift(decision, closed_days_ago=3.01)
    assert d.state(decision) == "final"
    with pytest.raises(d.DecisionRefused):
        sheet(decision, place, "B", "agree", signed_on=closed_on - timedelta(days=1))
    assert d.result_json(decision)["owners_participating"] == 1


# --- conflicts and counting -------------------------------------------------------------

def test_a_conflict_takes_part_without_agreeing_until_resolved(make, place):
    decision, user, staff = decide(place), linked(make, place, "A"), make.user(place, "staff")
    d.cast_online(decision, owner(place, "A"), user, "agree")
    sheet(decision, place, "A", "against", "S-9")
    assert d.conflicts(decision) == [owner(place, "A").id]
    data = d.result_json(decision)
    assert (data["conflicts"], data["owners_participating"], data["owners_agree"]) == (1, 1, 0)
    assert data["area_participating"] == "300.00" and data["area_agree"] == "0.00"
    with pytest.raises(d.DecisionRefused):  # a third choice was never signed
        d.resolve_conflict(decision, owner(place, "A"), "abstain", staff, "电话确认")
    with pytest.raises(d.DecisionRefused):  # no note
        d.resolve_conflict(decision, owner(place, "A"), "agree", staff, " ")
    d.resolve_conflict(decision, owner(place, "A"), "agree", staff, "电话确认以网上为准")
    db.session.commit()
    assert d.conflicts(decision) == []
    data = d.result_json(decision)
    assert (data["conflicts"], data["owners_participating"], data["owners_agree"]) == (0, 1, 1)
    with pytest.raises(d.DecisionRefused):  # resolved already
        d.resolve_conflict(decision, owner(place, "A"), "against", staff, "再次")
    # Changing the online vote makes the resolution stale: the conflict is back.
    d.cast_online(decision, owner(place, "A"), user, "abstain")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ConflictResolution)) == 0
    assert d.result_json(decision)["conflicts"] == 1


def test_an_owner_voting_the_same_way_twice_is_counted_once(make, place):
    decision, user = decide(place), linked(make, place, "B")
    d.cast_online(decision, owner(place, "B"), user, "agree")
    sheet(decision, place, "B", "agree")
    data = d.result_json(decision)
    assert (data["owners_participating"], data["owners_agree"], data["conflicts"]) == (1, 1, 0)
    assert data["area_agree"] == "80.50"


def test_three_units_and_the_developers_units_each_count_once(place):
    decision = decide(place, matter="use_fund")
    sheet(decision, place, "A", "agree")
    sheet(decision, place, "DEV", "against")
    data = d.result_json(decision)
    assert (data["owners_total"], data["owners_participating"], data["owners_agree"]) == (4, 2, 1)
    assert (data["area_participating"], data["area_agree"]) == ("420.00", "300.00")
    # 2 of 4 heads is below two thirds, though 420 of 590.50 m² is not: no quorum.
    assert (data["quorum"], data["passed"], data["threshold"]) == (False, False, ">1/2")


# --- applying the result ----------------------------------------------------------------

def test_a_passed_decision_moves_the_idea_to_public_notice(make, place):
    staff = make.user(place, "staff")
    idea = make.planned_idea(place, 500_000_00, title="3号楼加装电梯")
    decision = decide(place, idea=idea)
    for who in ("A", "B", "C", "DEV"):
        sheet(decision, place, who, "agree", staff=staff)
    with pytest.raises(d.DecisionRefused):  # not final yet
        d.apply_result(decision, staff)
    shift(decision, closed_days_ago=4)
    with write_transaction():
        change = d.apply_result(decision, staff)
    db.session.refresh(idea)
    assert idea.stage == "noticed" and decision.result == "passed" and decision.passed
    assert (change.from_stage, change.to_stage, change.cause_type, change.cause_id) \
        == ("planned", "noticed", "decision", decision.id)
    assert "4" in change.reason and "590.50" in change.reason
    with pytest.raises(d.DecisionRefused):  # once only
        d.apply_result(decision, staff)
    applied = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "owners.decision_applied"))
    assert json.loads(applied.detail_json)["result"] == "passed"


@pytest.mark.parametrize("votes, result", [
    # quorum (all four took part) but the developer and C against: 2 of 4 heads < 3/4
    ({"A": "agree", "B": "agree", "C": "against", "DEV": "against"}, "not_passed"),
    ({"C": "agree"}, "no_quorum"),
])
def test_a_failed_decision_notes_its_result_and_leaves_the_idea_planned(make, place, votes,
                                                                         result):
    staff = make.user(place, "staff")
    idea = make.planned_idea(place, 500_000_00, title="加装电梯")
    decision = decide(place, idea=idea)
    for who, choice in votes.items():
        sheet(decision, place, who, choice)
    shift(decision, closed_days_ago=4)
    with write_transaction():
        change = d.apply_result(decision, staff)
    db.session.refresh(idea)
    assert idea.stage == "planned" and decision.result == result
    assert idea.timeline[-1].id == change.id
    assert (change.from_stage, change.to_stage, change.cause_id) == ("planned", "planned",
                                                                    decision.id)
    assert "590.50" in change.reason


def test_the_result_is_not_applied_while_conflicts_remain(make, place):
    staff, user = make.user(place, "staff"), linked(make, place, "C")
    decision = decide(place)
    d.cast_online(decision, owner(place, "C"), user, "agree")
    sheet(decision, place, "C", "against")
    shift(decision, closed_days_ago=4)
    with pytest.raises(d.DecisionRefused):
        d.apply_result(decision, staff)
    assert decision.result == "" and decision.applied_at is None
    d.resolve_conflict(decision, owner(place, "C"), "against", staff, "业主书面确认")
    d.apply_result(decision, staff)
    assert decision.result == "no_quorum"
