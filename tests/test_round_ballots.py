"""Casting, revising and entering ballots: the rules, without HTTP."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.community import UnitOwnership
from app.extensions import db
from app.timeutil import utcnow
from proposals.rounds import ballots as b
from proposals.rounds.eligibility import (paper_voter_for_unit, paper_voter_for_user,
                                          voters_for)
from proposals.rounds.models import Ballot, BallotChoice, Participation
from proposals.rounds.results import election_of, vote_totals
from proposals.rounds.services import RoundRefused, adopt, remove_idea


def ids(round_, *positions):
    return [round_.entries[p].id for p in positions]


def test_vote_then_revise_keeps_one_ballot_the_last(app, make):
    c = make.community()
    r = make.round(c)
    voter = voters_for(r, make.user(c))[0]
    b.submit_online(r, voter, ids(r, 0))
    db.session.commit()
    p = b.submit_online(r, voter, ids(r, 1, 2))
    db.session.commit()
    assert p.revision == 2
    assert [e.project_id for e in b.own_choices(p)] == [r.entries[1].project_id,
                                                        r.entries[2].project_id]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert election_of(r).ballots == [{r.entries[1].project_id: 1, r.entries[2].project_id: 1}]


def test_over_budget_and_over_limit_are_refused_and_change_nothing(app, make):
    c = make.community()
    r = make.round(c)  # 400k + 300k > 600k budget
    voter = voters_for(r, make.user(c))[0]
    with pytest.raises(b.BallotRefused, match="¥70,000.00"):
        b.submit_online(r, voter, ids(r, 0, 1))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0
    limited = make.round(c, ballot_kind="approval", max_choices=1)
    with pytest.raises(b.BallotRefused):
        b.submit_online(limited, voters_for(limited, make.user(c))[0], ids(limited, 0, 1))
    for bad in (["999999"], ["x"], [], ids(r, 0) * 2):
        with pytest.raises(b.BallotRefused):
            b.submit_online(r, voter, bad)


@pytest.mark.parametrize("state", ["upcoming", "closed"])
def test_no_online_vote_outside_the_voting_period(app, make, state):
    c = make.community()
    r = make.round(c, state=state)
    with pytest.raises(b.BallotRefused):
        b.submit_online(r, voters_for(r, make.user(c))[0], ids(r, 0))


def test_eligibility_follows_verification_buildings_and_households(app, make):
    c = make.community()
    first, second = c.buildings
    assert voters_for(make.round(c), make.user(c, verified=False)) == []
    r = make.round(c, buildings=[first])
    inside, outside = make.user(c), make.user(c)
    inside.memberships[0].building_id = first.id
    outside.memberships[0].building_id = second.id
    db.session.commit()
    assert len(voters_for(r, inside)) == 1 and voters_for(r, outside) == []
    household = make.round(c, unit="household")
    owner = make.user(c)
    flat = make.unit(first, "502")
    db.session.add(UnitOwnership(unit=flat, user=owner, owner_name="王阿姨",
                                 verified_at=utcnow()))
    db.session.commit()
    assert [v.key for v in voters_for(household, owner)] == [f"h{flat.id}"]
    assert voters_for(household, make.user(c)) == []
    assert paper_voter_for_unit(household, flat).label == flat.label


def test_paper_and_online_exclude_each_other_naming_the_channel(app, make):
    c = make.community()
    r = make.round(c)
    staff = make.user(c, "staff")
    online, elder = make.user(c), make.user(c, display_name="李阿婆")
    b.submit_online(r, voters_for(r, online)[0], ids(r, 0))
    db.session.commit()
    with pytest.raises(b.BallotRefused, match="网上"):  # names the online channel
        b.enter_paper(r, staff, paper_voter_for_user(r, online), ids(r, 1), "P-001")
    db.session.rollback()
    b.enter_paper(r, staff, paper_voter_for_user(r, elder), ids(r, 1), "P-002")
    db.session.commit()
    with pytest.raises(b.BallotRefused, match="P-002"):
        b.submit_online(r, voters_for(r, elder)[0], ids(r, 2))
    db.session.rollback()
    with pytest.raises(b.BallotRefused, match="P-002"):
        b.enter_paper(r, staff, paper_voter_for_user(r, make.user(c)), ids(r, 2), "P-002")
    db.session.rollback()
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "round.paper_ballot")).all()
    assert [e.detail["paper_ref"] for e in entries] == ["P-002"]
    assert "choices" not in entries[0].detail
    assert sorted(vote_totals(r).values()) == [0, 1, 1]


def test_second_staff_confirmation(app, make):
    c = make.community()
    r = make.round(c, paper_needs_confirmation=True, state="closed")
    clerk, checker = make.user(c, "staff"), make.user(c, "staff")
    p = b.enter_paper(r, clerk, paper_voter_for_user(r, make.user(c)), ids(r, 2), "7")
    db.session.commit()
    assert election_of(r).ballots == []
    with pytest.raises(RoundRefused, match="1"):
        adopt(r, checker, [])
    db.session.rollback()
    with pytest.raises(b.BallotRefused):
        b.confirm_paper(r, clerk, p)
    b.confirm_paper(r, checker, p)
    db.session.commit()
    assert election_of(r).ballots == [{r.entries[2].project_id: 1}]


def test_adoption_moves_ideas_and_erases_the_link(app, make):
    c = make.community()
    r = make.round(c)
    staff = make.user(c, "staff")
    for positions in ((0,), (0, 2), (1,)):
        b.submit_online(r, voters_for(r, make.user(c))[0], ids(r, *positions))
    db.session.commit()
    with pytest.raises(RoundRefused):
        adopt(r, staff, [r.entries[0].project_id])  # still open
    db.session.rollback()
    r.closes_at = utcnow()
    db.session.commit()
    adopt(r, staff, [r.entries[0].project_id, r.entries[2].project_id])
    db.session.commit()
    assert [e.idea.stage for e in r.entries] == ["noticed", "planned", "noticed"]
    assert r.state == "adopted" and r.winners == [r.entries[0].idea_id, r.entries[2].idea_id]
    assert db.session.scalar(select(func.count()).where(Participation.token.is_not(None))) == 0
    assert db.session.scalar(select(func.count()).where(Ballot.token.is_not(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(BallotChoice)) == 4
    assert r.entries[0].idea.timeline[-1].cause_label == r.title


def test_ideas_come_off_only_before_opening(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    r = make.round(c, state="upcoming")
    entry = r.entries[0]
    idea = entry.idea
    remove_idea(r, entry, staff)
    db.session.commit()
    assert idea.stage == "planned" and len(r.entries) == 2
    opened = make.round(c)
    with pytest.raises(RoundRefused):
        remove_idea(opened, opened.entries[0], staff)


def test_city_sized_money_fits_on_every_database(app, make):
    """Warsaw 2026 budgets 24,186,815 zł: more fen than a 32-bit column holds."""
    c = make.community()
    r = make.round(c, costs=(2_418_681_500, 300_000_000_00), budget_fen=300_000_000_00)
    db.session.expire_all()
    assert r.budget_fen == 300_000_000_00
    assert [e.cost_fen for e in r.entries] == [2_418_681_500, 300_000_000_00]
    assert r.entries[1].idea.costing.amount_fen == 300_000_000_00
