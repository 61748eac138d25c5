"""Owners' decisions over HTTP: the list, a decision's page with its live tally, the
projector, the online vote (and everyone who cannot cast one), and the staff's CSV."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from app.community import Building
from app.extensions import db
from app.timeutil import utcnow
from proposals.owners import decisions as d
from proposals.owners import meters, rule
from proposals.owners.models import Owner, OwnerVote

from .querycount import counted_queries

HTMX = {"HX-Request": "true"}
# building, unit, area in hundredths of a m², owner, developer unsold (the factory's default)
REGISTER = [("1号楼", "101", 100_00, "A", False), ("1号楼", "102", 90_00, "B", False),
            ("1号楼", "103", 80_00, "C", False)]


@pytest.fixture
def place(make):
    return make.community(slug="hp")


def html(response) -> str:
    """The page as a reader sees its text: entities such as &#39; unescaped."""
    return unescape(response.get_data(as_text=True))


def url(decision, tail: str = "") -> str:
    return f"/c/{decision.community.slug}/owners/{decision.id}{tail}"


def owner(decision, register_id: str) -> Owner:
    return db.session.scalar(select(Owner).where(Owner.community_id == decision.community_id,
                                                 Owner.register_id == register_id))


def link(make, decision, register_id: str, user=None):
    user = user or make.user(decision.community)
    owner(decision, register_id).user_id = user.id
    db.session.commit()
    return user


def sheet(decision, register_id: str, choice: str, ref: str, staff=None, **kw):
    d.enter_sheet(decision, owner(decision, register_id), choice, ref, staff=staff, **kw)
    db.session.commit()


def shift(decision, *, closed_days_ago: float):
    decision.opens_at = utcnow() - timedelta(days=closed_days_ago + 14)
    decision.closes_at = utcnow() - timedelta(days=closed_days_ago)
    db.session.commit()


def vote(client, decision, choice: str, **extra):
    return client.post(url(decision, "/vote"), {"choice": choice, **extra},
                       token_from=url(decision))


# --- reading ----------------------------------------------------------------------------

def test_index_and_decision_page_for_anonymous_and_staff(make, place, en):
    idea = make.idea(place, stage="planned", title="给1号楼加装电梯")
    decision = make.owners_decision(place, title="1号楼加装电梯", idea=idea,
                                    text="是否同意在1号楼加装一部电梯？")
    other = make.owners_decision(place, matter="use_fund", title="屋顶防水维修")
    index = html(en.get("/c/hp/owners/"))
    assert decision.title in index and other.title in index and "Voting open" in index
    assert "Altering or rebuilding (e.g. adding a lift)" in index
    assert "Using the maintenance fund" in index and "more than half" in index
    assert 'href="/c/hp/owners/"' in index  # the community nav

    page = html(en.get(url(decision)))
    assert "是否同意在1号楼加装一部电梯？" in page and idea.title in page
    assert "at least three quarters of the area and of the owners taking part" in page
    assert ("Owners taking part must hold at least two thirds of the area and number at "
            "least two thirds of the owners") in page
    assert "All owners of the community" in page
    assert f'hx-get="{url(decision, "/tally")}" hx-trigger="every 3s"' in page
    assert "Log in to vote" in page and 'name="choice"' not in page
    assert url(decision, "/export.csv") not in page
    assert "/c/hp/owners/new" not in html(en.get("/c/hp/owners/"))

    en.login(make.user(place, "staff"))
    page = html(en.get(url(decision)))
    assert url(decision, "/export.csv") in page and url(decision, "/projector") in page
    assert url(decision, "/sheets") in page
    assert "/c/hp/owners/new" in html(en.get("/c/hp/owners/"))


def test_the_tally_shows_the_numbers_and_moves_when_a_sheet_is_entered(make, place, en):
    decision = make.owners_decision(place)
    staff = make.user(place, "staff")
    fragment = html(en.get(url(decision, "/tally"), headers=HTMX))
    assert fragment.lstrip().startswith('<section id="owners-tally"')
    assert "<strong>0</strong> of 3" in fragment and "of 270.00 m²" in fragment
    assert "So far: no quorum" in fragment and "at least 2 owners" in fragment
    assert "at least 180.00 m²" in fragment

    sheet(decision, "A", "agree", "第1号表", staff=staff)
    fragment = html(en.get(url(decision, "/tally"), headers=HTMX))
    assert "<strong>1</strong> of 3" in fragment and "<strong>100.00 m²</strong>" in fragment
    assert "So far: no quorum" in fragment

    sheet(decision, "B", "agree", "第2号表", staff=staff)
    fragment = html(en.get(url(decision, "/tally"), headers=HTMX))
    assert "<strong>2</strong> of 3" in fragment and "<strong>190.00 m²</strong> of 270.00" \
        in fragment
    assert "(70.3%)" in fragment  # 190/270, rounded down
    assert "So far: passed" in fragment and "✓ met" in fragment and "✗" not in fragment
    assert "Unresolved conflicts" in fragment and "differ): 0." in fragment


def test_polling_stops_once_the_result_is_final(make, place, en):
    decision = make.owners_decision(place)
    shift(decision, closed_days_ago=1)
    fragment = html(en.get(url(decision, "/tally"), headers=HTMX))
    assert 'hx-trigger="every 3s"' in fragment and "Provisional: no quorum" in fragment
    shift(decision, closed_days_ago=4)
    fragment = html(en.get(url(decision, "/tally"), headers=HTMX))
    assert "hx-trigger" not in fragment and "Result: no quorum" in fragment


# --- voting -----------------------------------------------------------------------------

def test_a_linked_owner_votes_online_and_changes_the_vote(make, place, en):
    decision = make.owners_decision(place)
    en.login(link(make, decision, "A"))
    page = html(en.get(url(decision)))
    assert "You vote for owner A: 1号楼 101 (100.00 m²)" in page
    assert "You have not voted online yet" in page
    assert page.count('name="choice"') == 3

    response = vote(en, decision, "agree")
    assert response.status_code == 303 and response.headers["Location"].endswith(url(decision))
    page = html(en.get(url(decision)))
    assert "Your vote is saved: Agree" in page
    assert 'Your online choice: <strong class="owners-choice">Agree</strong>' in page
    assert "<strong>1</strong> of 3" in page

    assert vote(en, decision, "against").status_code == 303
    votes = db.session.scalars(select(OwnerVote)).all()
    assert [(v.channel, v.choice) for v in votes] == [("online", "against")]

    sheet(decision, "A", "agree", "第7号表")  # the door-to-door sheet says otherwise
    page = html(en.get(url(decision)))
    assert "A signature sheet (第7号表) has also been entered for you" in page
    assert "It differs from your online choice" in page and "differ): 1." in page


def test_one_account_for_two_owners_chooses_which(make, place, en):
    decision = make.owners_decision(place)
    user = link(make, decision, "A")
    link(make, decision, "B", user=user)
    en.login(user)
    assert html(en.get(url(decision))).count('name="owner"') == 2
    assert vote(en, decision, "agree").status_code == 422  # which owner?
    assert vote(en, decision, "abstain", owner=str(owner(decision, "B").id)).status_code == 303
    assert [(v.owner.register_id, v.choice)
            for v in db.session.scalars(select(OwnerVote))] == [("B", "abstain")]


def test_who_cannot_vote_is_told_why(make, place, en):
    decision = make.owners_decision(place)
    en.login(make.user(place))
    page = html(en.get(url(decision)))
    assert "not linked to an owner in the owners' register" in page
    assert 'name="choice"' not in page
    response = vote(en, decision, "agree")
    assert response.status_code == 422
    assert "not linked to an owner in the owners' register" in html(response)
    en.logout()

    en.login(make.user(place, verified=False))
    assert "Ask the neighbourhood committee to verify your account" \
        in html(en.get(url(decision)))
    assert vote(en, decision, "agree").status_code == 403  # the route is for verified residents
    en.logout()

    first = db.session.scalar(select(Building).where(Building.name == "1号楼"))
    elsewhere = make.owners_decision(
        place, register=REGISTER + [("2号楼", "101", 120_00, "D", False)], buildings=[first])
    en.login(link(make, elsewhere, "D"))
    page = html(en.get(url(elsewhere)))
    assert "You are not an owner in this decision's scope" in page
    assert vote(en, elsewhere, "agree").status_code == 422
    assert db.session.scalar(select(func.count()).select_from(OwnerVote)) == 0


def test_a_closed_decision_refuses_votes(make, place, en):
    decision = make.owners_decision(place)
    en.login(link(make, decision, "A"))
    shift(decision, closed_days_ago=1)
    page = html(en.get(url(decision)))
    assert "Voting has closed." in page and 'name="choice"' not in page
    response = vote(en, decision, "agree")
    assert response.status_code == 422
    assert "Voting on this decision has closed." in html(response)
    assert db.session.scalar(select(func.count()).select_from(OwnerVote)) == 0


# --- projector, export, other communities -----------------------------------------------

def test_the_projector_shows_the_title_the_line_and_the_live_tally(make, place, en):
    decision = make.owners_decision(place, matter="use_fund", title="更换2号电梯")
    page = html(en.get(url(decision, "/projector")))
    assert "更换2号电梯" in page and "more than half of the area" in page
    assert 'id="owners-tally"' in page and 'hx-trigger="every 3s"' in page
    assert "community-nav" not in page and 'class="owners-projector"' in page


def test_export_lists_every_owner_with_sheets_and_the_tally(make, place, en):
    decision = make.owners_decision(place)
    staff = make.user(place, "staff")
    d.cast_online(decision, owner(decision, "A"), link(make, decision, "A"), "agree")
    db.session.commit()
    sheet(decision, "A", "against", "第3号表", staff=staff)   # a conflict
    signed = utcnow().astimezone(d.LOCAL).date()
    sheet(decision, "B", "agree", "=第4号表", staff=staff, signed_on=signed)  # a "formula"
    assert en.get(url(decision, "/export.csv")).status_code == 302
    en.login(staff)
    response = en.get(url(decision, "/export.csv"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] \
        == f'attachment; filename="owners-decision-{decision.id}.csv"'
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Owner register id", "Name", "Units", "Area (m²)"]
    by_id = {row[0]: row for row in rows[1:4]}
    assert by_id["A"][2:] == ["1号楼 101", "100.00", "Agree", "Against", "第3号表", "",
                              "conflict", "unresolved: counts as taking part, not as agreeing"]
    assert by_id["B"][5:8] == ["Agree", "'=第4号表", signed.isoformat()] and by_id["B"][8:] == ["Agree", "sheet"]
    assert by_id["C"][4:] == ["", "", "", "", "", "did not vote"]
    summary = {row[0]: row[1] for row in rows[5:] if row}
    assert summary["Owners in scope"] == "3" and summary["Area in scope (m²)"] == "270.00"
    assert summary["Owners taking part"] == "2" and summary["Owners agreeing"] == "1"
    assert summary["Unresolved conflicts"] == "1" and summary["Quorum"] == "yes"
    assert summary["Result"] == "So far: not passed"

    d.resolve_conflict(decision, owner(decision, "A"), "agree", staff, "电话确认，以网上为准")
    db.session.commit()
    rows = list(csv.reader(io.StringIO(en.get(url(decision, "/export.csv"))
                                       .get_data().decode("utf-8-sig"))))
    assert rows[1][8:] == ["Agree", "resolved by staff"]
    assert {row[0]: row[1] for row in rows[5:] if row}["Result"] == "So far: passed"


def test_another_communitys_decision_is_not_found(make, place, en):
    decision = make.owners_decision(make.community(slug="elsewhere"))
    en.login(make.user(place, "staff"))
    for tail in ("", "/tally", "/projector", "/export.csv"):
        assert en.get(f"/c/hp/owners/{decision.id}{tail}").status_code == 404, tail
    response = en.post(f"/c/hp/owners/{decision.id}/vote", {"choice": "agree"},
                       token_from="/c/hp/owners/")
    assert response.status_code == 404


# --- cost and arithmetic ----------------------------------------------------------------

def test_the_page_and_tally_cost_the_same_queries_for_any_number_of_owners(make, en):
    small = make.owners_decision(make.community(slug="small"))
    big_register = [(f"{b}号楼", f"{u:03d}", 88_00 + u, f"P{b}-{u}", False)
                    for b in range(1, 4) for u in range(1, 21)]
    big = make.owners_decision(make.community(slug="big"), register=big_register)
    for i, (b, u, _a, who, _dev) in enumerate(big_register[:40]):
        sheet(big, who, rule.CHOICES[i % 3], f"S{i}")

    def cost(decision, tail):
        with counted_queries() as statements:
            assert en.get(url(decision, tail)).status_code == 200
        return len(statements)

    for tail in ("", "/tally", "/projector"):
        assert cost(small, tail) == cost(big, tail), tail
    en.login(link(make, small, "A"))
    small_page = cost(small, "")
    en.logout()
    en.login(link(make, big, "P1-1"))
    assert cost(big, "") == small_page


@pytest.mark.parametrize("total", range(1, 40))
def test_the_needed_figures_sit_exactly_on_the_rules_lines(total):
    """Display only, but it must never contradict the rule's booleans."""
    need = meters._needed_for_quorum(total)
    assert need * 3 >= total * 2 and (need - 1) * 3 < total * 2
    for special in (True, False):
        least = meters._needed_to_agree(total, special)
        assert rule._agrees(least, total, special)
        assert not rule._agrees(least - 1, total, special)
