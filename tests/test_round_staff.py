"""Staff run a budget round: set it up, choose its ideas, type in paper ballots, print one.

Pages are read in English (the language cookie), so messages can be asserted by their words.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.timeutil import utcnow
from proposals.rounds import ballots
from proposals.rounds.eligibility import voters_for
from proposals.rounds.models import Ballot, Participation, Round
from proposals.rounds.setup import SHANGHAI


def as_staff(client, user):
    client.login(user)
    client.get("/lang/en")
    return client


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def local_day(days: int) -> datetime:
    """Midnight in Shanghai `days` from today, as an aware Shanghai time."""
    today = utcnow().astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days)


HUGE = "9" * 20


def settings(c, **changes) -> dict:
    opens, closes = local_day(2) + timedelta(hours=9), local_day(9) + timedelta(hours=20)
    data = {"title": "2026年微更新预算投票", "description": "居民投票决定今年的微更新项目。",
            "budget": "200,000.50", "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"), "unit": "person",
            "ballot_kind": "knapsack", "max_choices": "", "rule": "greedy", "threshold": ""}
    data.update(changes)
    return data


# --- setting up ----------------------------------------------------------------------------

def test_staff_set_up_a_round_in_yuan_and_beijing_time(app, make, client):
    c = make.community()
    as_staff(client, make.user(c, "staff"))
    form = f"/c/{c.slug}/rounds/new"
    assert client.get(form).status_code == 200
    data = settings(c, unit="household", ballot_kind="approval", max_choices="3",
                    rule="equal-shares", threshold="5", buildings=[str(c.buildings[1].id)],
                    paper_needs_confirmation="y")
    response = client.post(form, data, token_from=form)
    assert response.status_code == 303
    r = db.session.scalars(select(Round)).one()
    assert response.headers["Location"].endswith(f"/c/{c.slug}/rounds/{r.id}/ideas")
    assert r.budget_fen == 20_000_050 and r.state == "upcoming"
    assert r.opens_at == (local_day(2) + timedelta(hours=9)).astimezone(timezone.utc)
    assert (r.opens_at.hour, r.closes_at.hour) == (1, 12)  # 09:00 and 20:00 in Shanghai
    assert (r.unit, r.ballot_kind, r.max_choices, r.rule, r.threshold) == (
        "household", "approval", 3, "equal-shares", 5)
    assert [b.name for b in r.buildings] == [c.buildings[1].name]
    assert r.paper_needs_confirmation and "round.create" in actions()
    # The edit page shows the times back as they were typed.
    page = client.get(f"/c/{c.slug}/rounds/{r.id}/edit").get_data(as_text=True)
    assert data["opens_at"] in page and data["closes_at"] in page


def test_knapsack_ignores_a_limit(app, make, client):
    c = make.community()
    as_staff(client, make.user(c, "staff"))
    form = f"/c/{c.slug}/rounds/new"
    assert client.post(form, settings(c, max_choices="4"), token_from=form).status_code == 303
    assert db.session.scalars(select(Round)).one().max_choices is None


@pytest.mark.parametrize("changes, message", [
    ({"budget": "abc"}, "Enter an amount in yuan"),
    ({"budget": "0"}, "more than zero"),
    ({"closes_at": (local_day(1) + timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M")},
     "close after it opens"),
    ({"ballot_kind": "approval", "max_choices": ""}, "how many ideas"),
    ({"ballot_kind": "approval", "max_choices": "0"}, "between 1 and 1000"),
    ({"threshold": "-2"}, "at least 1"),
    ({"opens_at": (local_day(-1)).strftime("%Y-%m-%dT%H:%M")}, "cannot be in the past"),
    ({"opens_at": "next tuesday"}, "Give a date and a time"),
    ({"title": ""}, "This field is required"),
    ({"title": "长" * 101}, "longer than 100"),
    ({"buildings": ["999999"]}, "valid choice"),
    # Hostile input: refused next to its field too, never a 500.
    ({"budget": "9" * 14}, "Enter an amount"), ({"threshold": HUGE}, ""),
    ({"max_choices": HUGE, "ballot_kind": "approval"}, ""), ({"buildings": [HUGE]}, ""),
    ({"opens_at": "0001-01-01T00:00"}, "2100"), ({"closes_at": "9999-12-31T23:59"}, "2100"),
    ({"unit": "<script>"}, ""), ({"title": "\x00"}, ""),
])
def test_bad_settings_are_refused_next_to_the_field(app, make, client, changes, message):
    c = make.community()
    as_staff(client, make.user(c, "staff"))
    form = f"/c/{c.slug}/rounds/new"
    response = client.post(form, settings(c, **changes), token_from=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "has-error" in page
    assert count(Round) == 0


def test_hostile_ids_on_the_ballot_pages_are_refused_not_a_500(app, make, client):
    c = make.community()
    r, upcoming = make.round(c), make.round(c, state="upcoming")
    as_staff(client, make.user(c, "staff"))
    ideas = f"/c/{c.slug}/rounds/{upcoming.id}/ideas"
    assert client.post(ideas, {"idea_id": HUGE}, token_from=ideas).status_code == 422
    paper = f"/c/{c.slug}/rounds/{r.id}/paper"
    for data in ({"voter": HUGE, "entry_ids": [r.entries[0].id], "paper_ref": "1"},
                 {"voter": make.user(c).id, "entry_ids": [HUGE], "paper_ref": "1"}):
        assert client.post(paper, data, token_from=paper).status_code == 422
    assert client.get(f"{paper}?q={'长' * 500}").status_code == 200
    assert count(Participation) == 0


def test_residents_may_not_set_up_or_change_rounds(app, make, client):
    c = make.community()
    r = make.round(c, state="upcoming")
    client.login(make.user(c))
    base = f"/c/{c.slug}/rounds"
    for url in (f"{base}/new", f"{base}/{r.id}/edit", f"{base}/{r.id}/ideas",
                f"{base}/{r.id}/paper", f"{base}/{r.id}/print"):
        assert client.get(url).status_code == 403, url
    for url in (f"{base}/new", f"{base}/{r.id}/edit", f"{base}/{r.id}/ideas",
                f"{base}/{r.id}/ideas/{r.entries[0].id}/remove", f"{base}/{r.id}/paper"):
        assert client.post(url, settings(c)).status_code == 403, url
    assert count(Round) == 1 and r.title != settings(c)["title"]


def test_another_communitys_round_is_not_found(app, make, client):
    c, other = make.community(), make.community()
    r = make.round(other)
    as_staff(client, make.user(c, "staff"))
    for page in ("edit", "ideas", "paper", "print"):
        assert client.get(f"/c/{c.slug}/rounds/{r.id}/{page}").status_code == 404


# --- ideas on the ballot -------------------------------------------------------------------

def test_staff_put_a_planned_idea_on_the_ballot(app, make, client):
    c = make.community()
    r = make.round(c, costs=(30_000_00,), state="upcoming")
    idea = make.planned_idea(c, 45_000_00, title="修缮3号楼门口的无障碍坡道")
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/ideas"
    html = client.get(page).get_data(as_text=True)
    assert idea.title in html and "45,000.00" in html
    assert client.post(page, {"idea_id": idea.id}, token_from=page).status_code == 303
    db.session.expire_all()
    assert idea.stage == "in_round"
    assert (idea.timeline[-1].cause_type, idea.timeline[-1].cause_id) == ("round", r.id)
    assert [e.idea_id for e in r.entries][-1] == idea.id
    assert "¥75,000.00" in client.get(page).get_data(as_text=True)  # the sum of costs
    again = client.post(page, {"idea_id": idea.id}, token_from=page)
    assert again.status_code == 422 and len(r.entries) == 2
    outsider = make.planned_idea(make.community(), 1_000_00)
    assert client.post(page, {"idea_id": outsider.id}, token_from=page).status_code == 422
    assert client.post(page, {"idea_id": "x"}, token_from=page).status_code == 422


def test_an_idea_dearer_than_the_budget_is_refused_with_the_reason(app, make, client):
    c = make.community()
    r = make.round(c, costs=(), state="upcoming", budget_fen=10_000_00)
    idea = make.planned_idea(c, 20_000_00)
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/ideas"
    response = client.post(page, {"idea_id": idea.id}, token_from=page)
    assert response.status_code == 422
    assert "more than the round" in response.get_data(as_text=True)
    db.session.expire_all()
    assert idea.stage == "planned" and r.entries == []


def test_ideas_come_off_before_opening_and_not_after(app, make, client):
    c = make.community()
    r = make.round(c, state="upcoming")
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/ideas"
    first = r.entries[0]
    idea = first.idea
    assert client.post(f"{page}/{first.id}/remove", token_from=page).status_code == 303
    db.session.expire_all()
    assert idea.stage == "planned" and len(r.entries) == 2
    r.opens_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = client.get(page).get_data(as_text=True)
    assert "/remove" not in html and "Add to this round" not in html
    refused = client.post(f"{page}/{r.entries[0].id}/remove", token_from=page)
    assert refused.status_code == 422 and "before it opens" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert len(r.entries) == 2 and r.entries[0].idea.stage == "in_round"


# --- editing -------------------------------------------------------------------------------

def test_before_opening_everything_changes_and_is_audited(app, make, client):
    c = make.community()
    r = make.round(c, state="upcoming")
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/edit"
    data = settings(c, title="改过的标题", budget="800000", ballot_kind="approval",
                    max_choices="2", buildings=[str(c.buildings[0].id)])
    assert client.post(page, data, token_from=page).status_code == 303
    db.session.expire_all()
    assert (r.title, r.budget_fen, r.max_choices) == ("改过的标题", 80_000_000, 2)
    assert [b.id for b in r.buildings] == [c.buildings[0].id]
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "round.update")).one()
    assert set(entry.detail["changed"]) >= {"title", "budget_fen", "ballot_kind", "buildings"}
    # A budget below an idea already on the ballot (¥40,000) is refused.
    low = client.post(page, dict(data, budget="10000"), token_from=page)
    assert low.status_code == 422 and "¥40,000.00" in low.get_data(as_text=True)
    db.session.expire_all()
    assert r.budget_fen == 80_000_000


def test_once_open_only_words_and_a_later_closing_time_change(app, make, client):
    c = make.community()
    r = make.round(c, state="open")
    before = (r.budget_fen, r.opens_at, r.closes_at)
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/edit"
    html = client.get(page).get_data(as_text=True)
    assert "only the title, the description and the closing time" in html
    assert 'name="budget"' not in html and "¥60,000.00" in html  # shown read-only
    later = local_day(20) + timedelta(hours=18)
    ok = {"title": "延长后的投票", "description": "", "closes_at": later.strftime("%Y-%m-%dT%H:%M")}
    assert client.post(page, ok, token_from=page).status_code == 303
    db.session.expire_all()
    assert r.title == "延长后的投票" and r.closes_at == later.astimezone(timezone.utc)
    past = dict(ok, closes_at=(local_day(0)).strftime("%Y-%m-%dT%H:%M"))
    refused = client.post(page, past, token_from=page)
    assert refused.status_code == 422 and "earlier than now" in refused.get_data(as_text=True)
    stale = client.post(page, dict(settings(c), closes_at=ok["closes_at"]), token_from=page)
    assert stale.status_code == 422 and "Voting opened while you were editing" in \
        stale.get_data(as_text=True)
    db.session.expire_all()
    assert (r.budget_fen, r.opens_at) == before[:2] and r.title == "延长后的投票"


def test_an_adopted_round_is_read_only(app, make, client):
    c = make.community()
    r = make.round(c, state="closed")
    r.adopted_at = utcnow()
    db.session.commit()
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/edit"
    html = client.get(page).get_data(as_text=True)
    assert "can no longer change" in html and 'name="title"' not in html
    assert client.post(page, {"title": "不该改"}, token_from=f"/c/{c.slug}/rounds/new") \
        .status_code == 422
    db.session.expire_all()
    assert r.title != "不该改"


# --- paper ballots -------------------------------------------------------------------------

def test_paper_ballot_of_someone_who_voted_online_is_refused_naming_the_channel(app, make,
                                                                                client):
    c = make.community()
    r = make.round(c)
    online = make.user(c, display_name="王阿姨")
    elder = make.user(c, display_name="李阿婆")
    ballots.submit_online(r, voters_for(r, online)[0], [r.entries[0].id])
    db.session.commit()
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/paper"
    html = client.get(page).get_data(as_text=True)
    assert "王阿姨" in html and "李阿婆" in html
    refused = client.post(page, {"voter": online.id, "entry_ids": [r.entries[1].id],
                                 "paper_ref": "P-001"}, token_from=page)
    assert refused.status_code == 422
    assert "王阿姨 has already voted online" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Participation.channel == "paper")) == 0
    entered = client.post(page, {"voter": elder.id, "entry_ids": [r.entries[1].id],
                                 "paper_ref": "P-002"}, token_from=page)
    assert entered.status_code == 303 and entered.headers["Location"].endswith(page)
    listed = client.get(page).get_data(as_text=True)
    assert "P-002" in listed and "李阿婆" in listed
    # Then online is refused for her, naming the paper ballot.
    with pytest.raises(ballots.BallotRefused, match="P-002"):
        ballots.submit_online(r, voters_for(r, elder)[0], [r.entries[2].id])
    db.session.rollback()
    assert count(Ballot) == 2
    assert "round.paper_ballot" in actions()


@pytest.mark.parametrize("data, message", [
    ({"entry_ids": []}, "Choose at least one idea"),
    ({"entry_ids": ["0", "1"]}, "not on this ballot"),
    ({"entry_ids": "x"}, "could not be coerced"),
    ({"paper_ref": ""}, "Give the number printed"),
    ({"paper_ref": "9" * 41}, "longer than 40"),
    ({"voter": ""}, "Choose whose ballot"),
    ({"voter": "987654"}, "cannot vote in this round"),
])
def test_bad_paper_input_is_refused_and_nothing_is_stored(app, make, client, data, message):
    c = make.community()
    r = make.round(c)
    person = make.user(c)
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/paper"
    post = {"voter": person.id, "entry_ids": [r.entries[0].id], "paper_ref": "A1"}
    post.update(data)
    response = client.post(page, post, token_from=page)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(Participation) == 0


def test_over_budget_paper_ballot_names_the_sum(app, make, client):
    c = make.community()
    r = make.round(c)  # ¥40,000 + ¥30,000 > ¥60,000
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/paper"
    response = client.post(page, {"voter": make.user(c).id, "paper_ref": "B7",
                                  "entry_ids": [r.entries[0].id, r.entries[1].id]},
                           token_from=page)
    assert response.status_code == 422 and "70,000.00" in response.get_data(as_text=True)
    assert count(Participation) == 0


def test_a_second_member_of_staff_confirms_a_paper_ballot(app, make, client, new_client):
    c = make.community()
    r = make.round(c, state="closed", paper_needs_confirmation=True)
    clerk, checker = make.user(c, "staff"), make.user(c, "staff", display_name="赵社工")
    as_staff(client, clerk)
    page = f"/c/{c.slug}/rounds/{r.id}/paper"
    post = {"voter": make.user(c).id, "entry_ids": [r.entries[2].id], "paper_ref": "C-3"}
    assert client.post(page, post, token_from=page).status_code == 303
    p = db.session.scalars(select(Participation)).one()
    mine = client.get(page).get_data(as_text=True)
    assert "Waits for another member of staff" in mine and "/confirm" not in mine
    assert r.entries[2].idea.title in mine  # the typed-in choices, to compare with the paper
    refused = client.post(f"{page}/{p.id}/confirm", token_from=page)
    assert refused.status_code == 422 and "Someone other than" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert p.confirmed_at is None
    other = as_staff(new_client(), checker)
    theirs = other.get(page).get_data(as_text=True)
    assert f"/paper/{p.id}/confirm" in theirs and r.entries[2].idea.title in theirs
    assert other.post(f"{page}/{p.id}/confirm", token_from=page).status_code == 303
    db.session.expire_all()
    assert p.confirmed_by_id == checker.id
    assert db.session.scalars(select(Ballot)).one().counted
    after = other.get(page).get_data(as_text=True)
    assert "Confirmed by 赵社工" in after and "Typed in as ticked" not in after
    assert "round.paper_confirmed" in actions()


def test_paper_page_explains_itself_when_no_paper_can_be_entered(app, make, client):
    c = make.community()
    upcoming = make.round(c, state="upcoming")
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{upcoming.id}/paper"
    response = client.get(page)
    assert response.status_code == 200 and 'name="paper_ref"' not in response.get_data(as_text=True)
    assert "once voting opens" in response.get_data(as_text=True)
    refused = client.post(page, {"voter": make.user(c).id, "paper_ref": "1",
                                 "entry_ids": [upcoming.entries[0].id]},
                          token_from=f"/c/{c.slug}/rounds/new")
    assert refused.status_code == 422 and count(Participation) == 0


def test_household_paper_ballots_are_entered_for_a_flat_in_scope(app, make, client):
    c = make.community()
    inside, outside = make.unit(c.buildings[0], "502"), make.unit(c.buildings[1], "101")
    r = make.round(c, unit="household", buildings=[c.buildings[0]])
    as_staff(client, make.user(c, "staff"))
    page = f"/c/{c.slug}/rounds/{r.id}/paper"
    html = client.get(page).get_data(as_text=True)
    assert inside.label in html and outside.label not in html
    post = {"voter": outside.id, "entry_ids": [r.entries[0].id], "paper_ref": "H-1"}
    assert client.post(page, post, token_from=page).status_code == 422
    assert client.post(page, dict(post, voter=inside.id), token_from=page).status_code == 303
    assert db.session.scalars(select(Participation)).one().unit_id == inside.id


def test_the_resident_filter_answers_htmx_with_the_list_alone(app, make, client):
    c = make.community()
    r = make.round(c)
    make.user(c, display_name="王阿姨")
    make.user(c, display_name="李阿婆")
    as_staff(client, make.user(c, "staff"))
    response = client.get(f"/c/{c.slug}/rounds/{r.id}/paper?q=李",
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="paper-voter-field"' in html and "李阿婆" in html and "王阿姨" not in html


# --- the printable ballot ------------------------------------------------------------------

def test_printable_ballot_lists_every_idea_the_budget_and_where_to_hand_it_in(app, make, client):
    c = make.community(name="高荣居民区")
    r = make.round(c, ballot_kind="approval", max_choices=2)
    as_staff(client, make.user(c, "staff"))
    response = client.get(f"/c/{c.slug}/rounds/{r.id}/print")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for e in r.entries:
        assert e.idea.title in html and f"¥{e.cost_fen // 100:,}.00" in html
    assert "¥60,000.00" in html and "at most 2 ideas" in html
    assert "neighbourhood committee of 高荣居民区" in html
    closes = r.closes_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert closes in html and "tick-box" in html and "<script>" not in html
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert "size: A4" in css
