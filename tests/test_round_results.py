"""A round's results: the page, its chart, both rules, adoption, CSV, background counting."""
from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from proposals.counting import rules
from proposals.rounds import ballots as b
from proposals.rounds import tallies
from proposals.rounds.eligibility import paper_voter_for_user, voters_for
from proposals.rounds.models import Tally
from proposals.rounds.results import election_of

EN = {"Accept-Language": "en"}
SVG = "{http://www.w3.org/2000/svg}"


def vote(make, round_, *choices, times=1):
    """`times` residents each choose the ideas at these positions (0 = first idea)."""
    for _ in range(times):
        voter = voters_for(round_, make.user(round_.community))[0]
        b.submit_online(round_, voter, [round_.entries[p].id for p in choices])
    db.session.commit()


def close(round_):
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


@pytest.fixture
def split(make):
    """Costs 40k (项目1), 30k (项目2), 20k (项目3), budget 60k. Six neighbours choose
    项目1 and 项目3, four choose 项目2: greedy funds 项目3 and 项目1, equal shares
    funds 项目3 and gives the four their 项目2."""
    c = make.community()
    r = make.round(c)
    vote(make, r, 0, 2, times=6)
    vote(make, r, 1, times=4)
    close(r)
    return r


def url(round_, tail=""):
    return f"/c/{round_.community.slug}/rounds/{round_.id}/{tail}"


def page(client, round_, tail="results", **kwargs):
    response = client.get(url(round_, tail), headers=EN, **kwargs)
    return response, response.get_data(as_text=True)


def svg_of(html: str) -> ET.Element:
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, "no chart on the page"
    return ET.fromstring(match.group(0))


def test_closed_round_shows_votes_both_rules_and_how_they_work(app, make, client, split):
    e = election_of(split)
    greedy = rules.greedy(e.budget, e.costs, e.ballots, threshold=split.threshold)
    shares = rules.equal_shares(e.budget, e.costs, e.ballots, unit=split.share_step)
    pid = [entry.project_id for entry in split.entries]
    assert greedy == [pid[2], pid[0]] and shares == [pid[2], pid[1]]
    found = tallies.both(split)
    assert found["greedy"].selected == greedy and found["equal-shares"].selected == shares

    response, html = page(client, split)
    assert response.status_code == 200
    assert "Ballots counted" in html and "<strong>10</strong>" in html
    assert "¥60,000.00" in html  # the budget
    greedy_part, shares_part = html.split("Method of Equal Shares</h3>")
    assert "The rule of this round" in greedy_part
    assert greedy_part.index("项目3") < greedy_part.index("项目1")  # the order funded
    assert "项目2" not in greedy_part.split("Winners under each rule")[1]
    assert "项目2" in shares_part.split("</ol>")[0] and "only under this rule" in shares_part
    assert "Spent" in html and "¥0.00" in html and "¥10,000.00" in html  # left under each
    assert "equal share of the budget" in html and "the cheaper one comes first" in html
    assert "Adopt this result" not in html  # only staff adopt


def test_chart_is_well_formed_marks_winners_and_escapes_titles(app, make, client, split):
    split.entries[1].idea.title = '<script>alert("x")</script> & 路灯'
    db.session.commit()
    html = page(client, split)[1]
    assert '<script>alert("x")' not in html
    svg = svg_of(html)
    assert svg.get("role") == "img" and svg.get("viewBox").startswith("0 0 ")
    assert svg.get("style") is None and 'style="' not in html
    assert svg.find(f"{SVG}title").text.startswith("Votes per idea")
    assert not list(svg.iter(f"{SVG}script")) and not list(svg.iter("script"))
    bars = svg.findall(f"{SVG}g[@class]")
    rows = [g for g in bars if g.get("class").startswith("bar")]
    assert [g.get("class") for g in rows] == ["bar winner", "bar winner", "bar"]
    labels = [g.find(f"{SVG}text").text for g in rows]
    assert labels[0].startswith("✓ 项目") and labels[2].startswith("<script>")  # text, escaped
    assert [r.get("fill").startswith("url(") for r in (g.find(f"{SVG}rect") for g in rows)] \
        == [True, True, False]
    assert "6 votes" in rows[0].find(f"{SVG}title").text


def test_a_label_of_a_megabyte_is_shortened_in_one_pass():
    """Titles are 80 characters in PostgreSQL, but SQLite keeps whatever a bulk import or
    an old row holds; shortening reads a label once instead of once per character cut."""
    from proposals.rounds.chart import LABEL_SIZE, fit
    started = time.perf_counter()
    shown = fit("长" * 1_000_000, LABEL_SIZE, 300)
    assert time.perf_counter() - started < 1  # the cut used to take minutes
    assert shown == "长" * 19 + "…"  # 19 squares of 15 and the ellipsis fit in 300
    assert fit("路灯", LABEL_SIZE, 300) == "路灯"


def test_open_round_shows_no_numbers_but_staff_see_turnout(app, make, client, new_client):
    c = make.community()
    r = make.round(c)
    vote(make, r, 2, times=3)
    response, html = page(client, r)
    assert response.status_code == 200 and "after voting closes" in html
    assert "<svg" not in html and "Ballots counted" not in html and "Turnout" not in html
    assert "<dd>" not in html and "项目3" not in html
    assert client.get(url(r, "results.csv")).status_code == 404
    assert client.get(url(r, "results/progress")).status_code == 404
    staff = new_client().login(make.user(c, "staff"))
    html = page(staff, r)[1]
    assert "Turnout so far" in html and "<dd>3</dd>" in html
    assert "<svg" not in html and "项目3" not in html


def test_staff_adopt_the_result_counted_again(app, make, client, split):
    staff = make.user(split.community, "staff")
    client.login(staff)
    html = page(client, split)[1]
    assert "Adopt this result" in html
    # Whatever is posted, the winners are counted again (greedy here).
    response = client.post(url(split, "adopt"), {"selected": split.entries[1].project_id},
                           token_from=url(split, "results"))
    assert response.status_code == 303
    db.session.expire_all()
    assert [e.idea.stage for e in split.entries] == ["noticed", "planned", "noticed"]
    html = page(client, split)[1]
    assert "Adopted on" in html and "Adopted result" in html and "Public notice" in html
    assert "Adopt this result" not in html
    assert f'/ideas/{split.entries[0].idea_id}"' in html
    assert client.post(url(split, "adopt"), token_from=url(split, "results")).status_code == 422
    rows = client.get(url(split, "results.csv"), headers=EN).get_data().decode("utf-8-sig")
    assert [row.rsplit(",", 1)[1] for row in rows.splitlines()[1:]] == ["yes", "yes", "no"]


def test_greedy_keeps_the_rounds_threshold(app, make, client):
    c = make.community()
    r = make.round(c, threshold=7)
    vote(make, r, 0, 2, times=6)
    close(r)
    html = page(client, r)[1]
    greedy = html.split("Method of Equal Shares</h3>")[0].split("Winners under each rule")[1]
    assert "an idea needs at least 7 votes" in greedy and "No idea is funded" in greedy
    assert "In this round an idea also needs at least 7 votes." in html


def test_adoption_refused_to_residents_and_for_open_rounds(app, make, client, new_client):
    c = make.community()
    r = make.round(c)
    vote(make, r, 2)
    resident = new_client().login(make.user(c))
    assert resident.post(url(r, "adopt"), token_from=url(r, "results")).status_code == 403
    client.login(make.user(c, "staff"))
    response = client.post(url(r, "adopt"), token_from=url(r, "results"), headers=EN)
    assert response.status_code == 422
    assert "Only the result of a closed round can be adopted." in response.get_data(as_text=True)
    db.session.expire_all()
    assert r.adopted_at is None and r.entries[2].idea.stage == "in_round"


def test_paper_ballots_waiting_for_confirmation_stop_adoption(app, make, client):
    c = make.community()
    r = make.round(c, paper_needs_confirmation=True)
    vote(make, r, 0)
    close(r)
    clerk = make.user(c, "staff")
    b.enter_paper(r, clerk, paper_voter_for_user(r, make.user(c)), [r.entries[1].id], "P-7")
    db.session.commit()
    client.login(make.user(c, "staff"))
    assert "1 paper ballot still waits" in page(client, r)[1]
    response = client.post(url(r, "adopt"), token_from=url(r, "results"), headers=EN)
    assert response.status_code == 422
    assert "1 paper ballot still waits for a second member of staff" in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert r.adopted_at is None


def test_csv_has_ideas_votes_and_outcomes_and_nothing_about_people(app, make, client, split):
    split.entries[0].idea.title = "=SUM(A1) 健身角"
    db.session.commit()
    response = client.get(url(split, "results.csv"), headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="round-{split.id}-results.csv"'
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Project id,Idea,Cost (yuan),Votes,Chosen by most votes first (greedy),"
                        "Chosen by equal shares,Won (adopted)")
    pid = [e.project_id for e in split.entries]
    assert lines[1:] == [f"{pid[2]},项目3,20000.00,6,yes,yes,",
                         f"{pid[0]},'=SUM(A1) 健身角,40000.00,6,yes,no,",
                         f"{pid[1]},项目2,30000.00,4,no,yes,"]
    from app.accounts.models import User
    for user in db.session.scalars(select(User)):
        assert user.username not in raw.decode() and user.display_name not in raw.decode()


def wait_for_tallies(round_, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.commit()  # a fresh snapshot each time
        statuses = db.session.scalars(select(Tally.status).where(Tally.round_id == round_.id)).all()
        if statuses and all(s in ("done", "failed") for s in statuses):
            return statuses
        time.sleep(0.05)
    raise AssertionError(f"the count did not finish: {statuses}")


@pytest.fixture
def background(monkeypatch):
    monkeypatch.setattr(tallies, "SYNC_LIMIT", 0)


def test_big_rounds_are_counted_in_the_background(app, make, client, split, background):
    response, html = page(client, split)
    assert response.status_code == 200 and "The ballots are being counted" in html
    assert 'hx-trigger="every 2s"' in html and "Adopt this result" not in html
    assert "Votes per idea" in html  # the votes are known at once
    assert wait_for_tallies(split) == ["done", "done"]
    done = client.get(url(split, "results/progress"), headers={"HX-Request": "true"})
    assert done.headers.get("HX-Refresh") == "true"
    html = page(client, split)[1]
    assert "being counted" not in html and "only under this rule" in html
    rows = db.session.scalars(select(Tally).where(Tally.round_id == split.id)).all()
    assert all(t.ballots_counted == 10 and t.finished_at is not None for t in rows)
    e = election_of(split)
    stored = {t.rule: tallies._from_row(t).selected for t in rows}
    assert stored == {"greedy": rules.greedy(e.budget, e.costs, e.ballots),
                      "equal-shares": rules.equal_shares(e.budget, e.costs, e.ballots)}
    client.login(make.user(split.community, "staff"))
    assert client.post(url(split, "adopt"), token_from=url(split, "results")).status_code == 303


def test_a_late_paper_ballot_is_counted_again(app, make, client, background):
    c = make.community()
    r = make.round(c)
    vote(make, r, 0)
    vote(make, r, 1)  # a tie: the cheaper 项目2 goes first and 项目1 no longer fits
    close(r)
    page(client, r)
    wait_for_tallies(r)
    assert "项目2</a>" in page(client, r)[1].split("Winners under each rule")[1].split("</ol>")[0]
    b.enter_paper(r, make.user(c, "staff"), paper_voter_for_user(r, make.user(c)),
                  [r.entries[0].id], "P-1")
    db.session.commit()
    assert db.session.scalars(select(Tally).where(Tally.round_id == r.id)).all() == []
    assert "being counted" in page(client, r)[1]
    wait_for_tallies(r)
    greedy = page(client, r)[1].split("Winners under each rule")[1].split("</ol>")[0]
    assert "项目1</a>" in greedy and "项目2</a>" not in greedy


def test_a_count_whose_worker_died_is_started_again(app, make, split, background):
    old = utcnow() - timedelta(minutes=5)
    db.session.add(Tally(round_id=split.id, rule="greedy", threshold_key=0, status="running",
                         started_at=old, heartbeat_at=old))
    db.session.commit()
    assert tallies.result_for(split, "greedy", None) is None
    wait_for_tallies(split)
    assert tallies.result_for(split, "greedy", None).selected == \
        [split.entries[2].project_id, split.entries[0].project_id]


def test_adoption_waits_for_a_background_count(app, make, split, background):
    from proposals.rounds.services import RoundRefused
    with pytest.raises(RoundRefused):
        tallies.count_for_adoption(split)


def test_results_page_queries_do_not_grow_with_ideas(app, make, client):
    from .querycount import counted_queries
    counts = []
    for n in (3, 9):
        c = make.community()
        r = make.round(c, costs=[1_000_00 * (i + 1) for i in range(n)])
        vote(make, r, 0, 1)
        close(r)
        page(client, r)  # warm up
        with counted_queries() as statements:
            assert page(client, r)[0].status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
