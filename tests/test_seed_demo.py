"""`flask seed-demo`: the four communities, the six demo accounts, ideas in every stage,
高荣's budget rounds (one adopted, one open), the owners' decisions (two passed and
applied, one open), deterministic content, and the guards that keep demo rows out of
real data."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app import create_app
from app.accounts.models import User
from app.community import Community, Unit, UnitOwnership
from app.extensions import db
from app.permissions import has_role, is_site_admin, is_staff, is_verified_resident
from app.timeutil import utcnow
from proposals.demo import DEMO_PASSWORD, demo_counts
from proposals.demo_data import BASE
from proposals.models import Idea, StageChange
from proposals.owners import decisions
from proposals.owners.models import DecisionUnit, Owner, OwnersDecision, OwnerVote
from proposals.rounds import ballots
from proposals.rounds.eligibility import voters_for
from proposals.rounds.models import Participation, Round
from proposals.rounds.results import count, election_of, vote_totals
from proposals.stages import STAGES, find_move

from .conftest import empty_database, make_settings

SLUGS = {"gaorong", "wanhang", "yeqing", "hepinghuayuan"}


def seed(app, *options: str):
    return app.test_cli_runner().invoke(args=["seed-demo", *options])


def seeded(app, *options: str):
    result = seed(app, *options)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def communities() -> dict[str, Community]:
    return {c.slug: c for c in db.session.scalars(select(Community))}


def user(username: str) -> User:
    return User.by_username(username)


def test_seed_fills_an_empty_database(app):
    result = seeded(app, "--if-empty")
    assert "4 communities" in result.output
    by_slug = communities()
    assert set(by_slug) == SLUGS
    assert by_slug["gaorong"].name == "高荣居民区"
    assert by_slug["hepinghuayuan"].name == "和平花园"
    for c in by_slug.values():
        assert c.description and c.buildings
        assert all(4000 <= u.area_centi_m2 for b in c.buildings for u in b.units)
    stages = set(db.session.scalars(select(Idea.stage)))
    assert stages == set(STAGES)
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(User.is_demo.is_(False))) == 0


def test_every_timeline_follows_the_stage_table_in_time(app):
    seeded(app)
    today = utcnow()
    for idea in db.session.scalars(select(Idea)):
        timeline = idea.timeline
        assert (timeline[0].from_stage, timeline[0].to_stage) == (None, "submitted")
        assert timeline[0].at == idea.created_at
        assert timeline[-1].to_stage == idea.stage
        for before, after in zip(timeline, timeline[1:]):
            assert after.from_stage == before.to_stage
            assert find_move(after.from_stage, after.to_stage) is not None
            assert BASE <= before.at < after.at < today
            # A round, a notice's end and an outcome page move ideas without words of
            # their own: the cause's title is the reason.
            assert after.reason or after.cause_type in ("round", "notice", "outcome")


def test_story_details_from_the_field_reports(app):
    seeded(app)
    by_title = {i.title: i for i in db.session.scalars(select(Idea))}
    charging = by_title["万航渡路759弄安装非机动车充电桩"]
    assert charging.stage == "done" and "40个充电桩" in charging.timeline[-1].cause_label
    assert by_title["高荣小区3号楼加装电梯"].changes_common_parts
    lift = by_title["4号楼电梯老是关人，申请更换新电梯"]
    assert sorted((s.kind, s.amount_fen) for s in lift.costing.sources) == [
        ("maintenance_fund", 80_500_000), ("subsidy", 34_500_000)]
    d_block = next(b for b in communities()["hepinghuayuan"].buildings if b.name == "D座")
    assert len(d_block.units) == 192
    # 15 yuan per m² over D座 raised 300,930 yuan.
    assert sum(u.area_centi_m2 for u in d_block.units) * 15 == 300_930 * 100


def test_demo_users_have_their_roles_and_log_in(app, new_client):
    seeded(app)
    c = communities()
    gaorong = c["gaorong"]
    assert is_site_admin(user("admin")) and has_role(user("admin"), gaorong, "admin")
    assert all(is_staff(user("staff"), c[slug]) for slug in SLUGS)
    assert has_role(user("chair"), gaorong, "chair")
    assert has_role(user("council"), gaorong, "council")
    assert is_verified_resident(user("resident"), gaorong)
    assert not is_staff(user("resident"), gaorong)
    owner = user("owner")
    assert has_role(owner, gaorong, "owner")
    ownership = db.session.scalar(select(UnitOwnership).where(UnitOwnership.user_id == owner.id))
    assert ownership.verified_at is not None
    assert ownership.unit.building.community_id == gaorong.id
    for name in ("admin", "staff", "chair", "council", "resident", "owner"):
        assert user(name).is_demo and user(name).display_name
        client = new_client().login(user(name), password=DEMO_PASSWORD)
        assert user(name).display_name in client.get("/account").get_data(as_text=True)


def test_generated_residents(app):
    seeded(app)
    residents = db.session.scalars(select(User).where(User.username.like("gaorong\\_r%",
                                                                         escape="\\"))).all()
    assert 80 <= len(residents) <= 150
    assert all(r.is_demo and r.display_name for r in residents)
    assert user("gaorong_r01").display_name == "小雨妈妈"
    owned = db.session.scalar(select(func.count()).select_from(UnitOwnership)
                              .where(UnitOwnership.user_id.is_not(None)))
    assert owned > 20
    # Every unit is in the owners' register, with a name if not with an account.
    units = db.session.scalar(select(func.count()).select_from(Unit))
    assert db.session.scalar(select(func.count()).select_from(UnitOwnership)) == units


def test_idea_pages_render_with_timeline_reasons_and_photos(app, client):
    seeded(app)
    ideas = db.session.scalars(select(Idea)).all()
    for idea in ideas:
        response = client.get(f"/c/{idea.community.slug}/ideas/{idea.id}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert idea.title in html
        assert idea.timeline[-1].reason in html or not idea.timeline[-1].reason
        if idea.timeline[-1].cause_label:
            assert idea.timeline[-1].cause_label in html
    photos = [p for idea in ideas for p in idea.photos]
    assert photos
    folder = app.config["SETTINGS"].upload_dir / "ideas"
    for photo in photos:
        assert (folder / photo.filename).is_file()
    assert client.get(f"/media/ideas/{photos[0].filename}").status_code == 200


def test_second_run_changes_nothing(app):
    seeded(app)
    before = demo_counts()
    result = seeded(app)
    assert "already there" in result.output
    assert demo_counts() == before


def snapshot() -> list[tuple]:
    rows = db.session.execute(
        select(Community.slug, Idea.title, Idea.stage, Idea.created_at)
        .join(Idea.community).order_by(Idea.id)).all()
    changes = db.session.execute(
        select(StageChange.to_stage, StageChange.at, StageChange.reason)
        .order_by(StageChange.id)).all()
    names = db.session.scalars(select(User.display_name).order_by(User.id)).all()
    areas = db.session.scalars(select(Unit.area_centi_m2).order_by(Unit.id)).all()
    rounds = db.session.execute(select(Round.title, Round.opens_at, Round.closes_at,
                                       Round.adopted_at).order_by(Round.id)).all()
    votes = tuple(sorted(vote_totals(r).values()) for r in db.session.scalars(select(Round)))
    voted = db.session.execute(select(Participation.user_id, Participation.channel,
                                      Participation.created_at)
                               .order_by(Participation.id)).all()
    owners_votes = db.session.execute(
        select(OwnersDecision.title, OwnersDecision.opens_at, OwnersDecision.result,
               Owner.register_id, Owner.display_name, OwnerVote.channel, OwnerVote.choice,
               OwnerVote.sheet_ref, OwnerVote.cast_at)
        .join(OwnerVote, OwnerVote.decision_id == OwnersDecision.id)
        .join(Owner, Owner.id == OwnerVote.owner_id).order_by(OwnerVote.id)).all()
    return [tuple(rows), tuple(changes), tuple(names), tuple(areas), tuple(rounds), votes,
            tuple(voted), tuple(owners_votes)]


def test_two_seeds_tell_the_same_story(app):
    seeded(app)
    first = snapshot()
    empty_database()
    seeded(app)
    assert snapshot() == first


def test_refuses_a_database_with_accounts_it_did_not_create(app, make):
    make.user(username="realperson")
    result = seed(app)
    assert result.exit_code != 0
    assert "did not create" in result.stderr
    assert communities() == {}


def test_refuses_a_database_with_a_foreign_community(app, make):
    make.community(slug="siping")
    result = seed(app)
    assert result.exit_code != 0
    assert "siping" in result.stderr
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0


def test_if_empty_skips_a_database_in_use(app, make):
    make.community(slug="siping")
    result = seed(app, "--if-empty")
    assert result.exit_code == 0
    assert "skipping" in result.output
    assert set(communities()) == {"siping"}


def test_refuses_on_a_production_site(tmp_path):
    app = create_app(make_settings(tmp_path, "sqlite", production=True))
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code != 0
        assert "production" in result.stderr
        assert db.session.scalar(select(func.count()).select_from(Community)) == 0
        db.session.remove()
        db.engine.dispose()


# --- budget rounds --------------------------------------------------------------------

def gaorong_round(state: str) -> Round:
    rounds = db.session.scalars(select(Round).where(
        Round.community_id == communities()["gaorong"].id)).all()
    return next(r for r in rounds if r.state == state)


def test_the_autumn_round_was_adopted_and_its_winners_are_on_notice(app):
    seeded(app)
    r = gaorong_round("adopted")
    assert r.title == "2026年秋季“静邻议事厅”微更新预算"
    # The knapsack made a choice: the ideas on the ballot cost more than the budget.
    assert sum(e.cost_fen for e in r.entries) > r.budget_fen
    winners = [e for e in r.entries if e.won]
    assert winners and len(winners) < len(r.entries)
    assert sum(e.cost_fen for e in winners) <= r.budget_fen
    # Counting the ballots under the round's rule gives exactly what was adopted.
    selected, _seconds = count(election_of(r), r.rule, threshold=r.threshold)
    assert set(selected) == {e.project_id for e in winners}
    totals = vote_totals(r)
    skipped = [e for e in r.entries if not e.won
               and totals[e.id] > min(totals[w.id] for w in winners)]
    assert skipped, "greedy should skip a more popular idea that no longer fitted"
    for entry in r.entries:
        idea = entry.idea
        to_notice = [c for c in idea.timeline if c.cause_type == "round" and c.cause_id == r.id
                     and c.to_stage in ("noticed", "planned") and c.from_stage == "in_round"]
        assert len(to_notice) == 1 and to_notice[0].at == r.adopted_at
        assert to_notice[0].cause_label == r.title
        if entry.won:
            assert to_notice[0].to_stage == "noticed"
            assert idea.stage in ("noticed", "funded", "in_progress", "done")
        else:
            assert to_notice[0].to_stage == "planned"
        added = next(c for c in idea.timeline if c.cause_id == r.id and c.to_stage == "in_round")
        assert added.at < r.opens_at
    assert r.opens_at < r.closes_at < r.adopted_at < utcnow()


def test_the_autumn_round_had_online_and_paper_ballots_in_its_voting_period(app):
    seeded(app)
    r = gaorong_round("adopted")
    taken = db.session.scalars(select(Participation).where(Participation.round_id == r.id)).all()
    online = [p for p in taken if p.channel == "online"]
    paper = [p for p in taken if p.channel == "paper"]
    assert len(online) >= 50 and 3 <= len(paper) < len(online)
    assert {p.paper_ref for p in paper} >= {"纸-001", "纸-002", "纸-003"}
    assert all(p.entered_by.username == "staff" and p.confirmed_at is not None for p in paper)
    assert all(r.opens_at <= p.created_at < r.closes_at for p in taken)
    assert all(p.token is None for p in taken)  # adoption cut the link to the ballots
    assert user("resident").id in {p.user_id for p in online}


def test_the_winter_round_is_open_and_the_demo_resident_can_vote(app):
    seeded(app)
    r = gaorong_round("open")
    now = utcnow()
    assert r.opens_at < now - timedelta(days=3) and r.closes_at > now + timedelta(days=9)
    assert sum(e.cost_fen for e in r.entries) > ballots.limit_fen(r)
    assert all(e.idea.stage == "in_round" and e.idea.timeline[-1].cause_id == r.id
               for e in r.entries)
    taken = db.session.scalars(select(Participation).where(Participation.round_id == r.id)).all()
    assert 10 <= len(taken) and all(r.opens_at <= p.created_at < now for p in taken)
    assert any(p.channel == "paper" for p in taken)
    assert user("owner").id in {p.user_id for p in taken}
    voter, = voters_for(r, user("resident"))
    assert ballots.participation_of(r, voter) is None
    cheapest = min(r.entries, key=lambda e: e.cost_fen)
    p = ballots.submit_online(r, voter, [cheapest.id])
    db.session.commit()
    assert [e.id for e in ballots.own_choices(p)] == [cheapest.id]



# --- owners' decisions ----------------------------------------------------------------

def owners_decisions() -> dict[str, OwnersDecision]:
    return {d.matter: d for d in db.session.scalars(select(OwnersDecision))}


def votes_of(decision: OwnersDecision) -> list[OwnerVote]:
    return db.session.scalars(select(OwnerVote).where(
        OwnerVote.decision_id == decision.id)).all()


def test_three_owners_decisions_from_the_field_reports(app):
    seeded(app)
    by_matter = owners_decisions()
    assert set(by_matter) == {"raise_fund", "use_fund", "rebuild"}
    where = {matter: (d.community.slug, [b.name for b in d.buildings], d.idea.title)
             for matter, d in by_matter.items()}
    assert where == {
        "raise_fund": ("hepinghuayuan", ["D座"], "D座三部电梯用了20年，急需更换"),
        "use_fund": ("yeqing", ["益民公寓4号楼"], "4号楼电梯老是关人，申请更换新电梯"),
        "rebuild": ("gaorong", ["高荣小区3号楼"], "高荣小区3号楼加装电梯"),
    }
    assert {m: decisions.state(d) for m, d in by_matter.items()} == {
        "raise_fund": "final", "use_fund": "final", "rebuild": "open"}
    # Every unit of the building is in the decision's snapshot, with its area.
    for d in by_matter.values():
        building, = d.buildings
        snapshot = {u.unit_id: u.area_centi for u in d.units}
        assert snapshot == {u.id: u.area_centi_m2 for u in building.units}


def test_the_passed_decisions_were_applied_and_moved_their_ideas(app):
    seeded(app)
    by_matter = owners_decisions()
    for matter in ("raise_fund", "use_fund"):
        d = by_matter[matter]
        tally = decisions.current_tally(d)
        assert d.result == "passed" and tally.passed and tally.conflicts == 0
        assert d.opens_at < d.closes_at < d.closes_at + decisions.GRACE <= d.applied_at
        assert d.applied_at < utcnow() and d.applied_by_id == user("staff").id
        votes = votes_of(d)
        assert all(d.opens_at <= v.cast_at < d.closes_at for v in votes)
        moved, = [c for c in d.idea.timeline if c.cause_type == "decision"]
        assert (moved.from_stage, moved.to_stage, moved.cause_id) == ("planned", "noticed", d.id)
        assert moved.at == d.applied_at and moved.cause_label == d.title
        # The stage change is the decision's, not a hand-written one in its place.
        assert not any(c.to_stage == "noticed" and c is not moved for c in d.idea.timeline)
    # 和平花园 D座: all 192 households signed for 15 yuan a m², 300,930 yuan in all.
    fund = by_matter["raise_fund"]
    tally = decisions.current_tally(fund)
    assert tally.owners_total == tally.owners_agree == 192
    assert tally.area_agree == tally.area_total and tally.area_total * 15 == 300_930 * 100
    assert {v.channel for v in votes_of(fund)} == {"sheet"}
    # 益民公寓4号楼: an ordinary matter, online and on paper, one conflict settled.
    lift = by_matter["use_fund"]
    tally = decisions.current_tally(lift)
    assert tally.owners_agree * 2 > tally.owners_participating
    assert tally.owners_participating * 3 >= tally.owners_total * 2
    assert {v.channel for v in votes_of(lift)} == {"online", "sheet"}
    assert tally.owners_total < len(lift.units)  # some owners hold two flats


def test_the_gaorong_lift_is_being_voted_on_with_a_conflict(app):
    seeded(app)
    d, now = owners_decisions()["rebuild"], utcnow()
    assert d.opens_at < now - timedelta(days=4) and d.closes_at > now + timedelta(days=9)
    assert d.applied_at is None and d.result == ""
    tally = decisions.current_tally(d)
    assert 0.5 <= tally.owners_participating / tally.owners_total <= 0.6
    assert not tally.quorum  # still short of two thirds: the meters have room to move
    votes = votes_of(d)
    assert all(d.opens_at <= v.cast_at < now for v in votes)
    sheets = [v for v in votes if v.channel == "sheet"]
    assert sheets and all(v.cast_by.username == "staff" and v.sheet_ref.startswith("签-")
                          for v in sheets)
    assert any(v.channel == "online" for v in votes)
    conflicted, = decisions.conflicts(d)
    choices = {v.channel: v.choice for v in votes if v.owner_id == conflicted}
    assert set(choices) == {"online", "sheet"} and choices["online"] != choices["sheet"]
    # The developer's two unsold flats are one owner; another owner holds two flats.
    held: dict[int, int] = {}
    for unit in d.units:
        held[unit.owner_id] = held.get(unit.owner_id, 0) + 1
    developer = db.session.scalar(select(Owner).where(Owner.is_developer.is_(True),
                                                      Owner.id.in_(held)))
    assert held[developer.id] == 2
    assert sum(1 for o, n in held.items() if n == 2 and o != developer.id) >= 1


def test_the_demo_owner_can_vote_in_the_open_decision(app):
    seeded(app)
    d, owner_user = owners_decisions()["rebuild"], user("owner")
    line = db.session.scalar(select(Owner).where(Owner.user_id == owner_user.id))
    assert line is not None and "陈" in line.display_name
    assert db.session.scalar(select(DecisionUnit.id).where(
        DecisionUnit.decision_id == d.id, DecisionUnit.owner_id == line.id).limit(1))
    assert line.id not in {v.owner_id for v in votes_of(d)}
    before = decisions.current_tally(d).owners_participating
    decisions.cast_online(d, line, owner_user, "agree")
    db.session.commit()
    assert decisions.current_tally(d).owners_participating == before + 1
