"""The children's results, apart from the adults': hidden until voting closes, then a
picture bar chart with the favourite crowned; the projector's fragment and its ETag/304;
and the children's votes never in the adults' results, tallies or `pb export`."""
from __future__ import annotations

import html
import re
from datetime import timedelta

from app.extensions import db
from app.timeutil import utcnow
from proposals.counting import pabulib as pb
from proposals.kids import codes, results, voting
from proposals.rounds import ballots, tallies
from proposals.rounds.eligibility import voters_for
from proposals.rounds.results import ballots_counted, vote_totals

from .kids_factories import child, kids_round

# kids_round's cards: 秋千 (swing), 长椅 (bench), 路灯 (light), in the ballot's order.
SWING, BENCH, LIGHT = 0, 1, 2


def url(round_, tail: str) -> str:
    return f"/c/{round_.community.slug}/kids/rounds/{round_.id}/{tail}"


def children_vote(round_, *positions, each=1):
    """`each` children each pick the cards at these positions, with printed card codes."""
    for code in codes.mint_cards(round_, each):
        voting.vote_with_code(round_, code, [round_.entries[p].id for p in positions])
    db.session.commit()


def close(make, round_):
    make.time_round(round_, "closed")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_nothing_is_shown_before_voting_closes(make, en, new_client):
    c = make.community()
    r = kids_round(make, c, budget_fen=500_00)
    children_vote(r, LIGHT, each=3)
    children_vote(r, SWING)

    page = en.get(url(r, "results"))
    page_html = text(page)
    assert page.status_code == 200
    assert "after voting closes" in page_html and "¥500.00" in page_html
    # The pictures the children choose from, but nothing of what they chose, nor (for a
    # resident) how many voted.
    assert "路灯" in page_html and "秋千" in page_html
    for hidden in ("kids-lines", "kids-bar", "pick", "favourite, 路灯", "have voted so far"):
        assert hidden not in page_html

    staff = new_client().login(make.user(c, "staff"))
    staff.http.set_cookie("lang", "en")
    page_html = text(staff.get(url(r, "results")))
    assert re.search(r"<strong>4</strong>\s*children have voted so far", page_html)
    assert "Only staff see this number" in page_html
    assert "kids-bar" not in page_html and "pick" not in page_html

    # The projector in the room shows the count to everyone, and nothing more.
    screen = text(en.get(url(r, "screen")))
    assert re.search(r"<strong>4</strong>\s*children have voted so far", screen)
    assert "kids-bar" not in screen and "pick" not in screen and "路灯" in screen


def test_the_chart_after_close_is_sorted_and_crowns_the_favourite(make, en):
    c = make.community()
    r = kids_round(make, c, budget_fen=500_00)
    children_vote(r, LIGHT, each=3)
    children_vote(r, SWING)
    close(make, r)

    page_html = text(en.get(url(r, "results")))
    assert re.search(r"<strong>4</strong>\s*children voted", page_html)
    items = re.findall(r'<li class="kids-line( kids-favourite)?">(.*?)</li>', page_html, re.S)
    labels = [re.search(r'kids-label-text">([^<]+)<', body).group(1) for _f, body in items]
    assert labels == ["路灯", "秋千", "长椅"]  # most picks first
    assert [bool(fav) for fav, _b in items] == [True, False, False]
    light, swing, bench = (body for _f, body in items)
    assert "3 picks" in light and "Children's favourite" in light and "kids-crown" in light
    assert "1 pick" in swing and "Children's favourite" not in swing
    assert "0 picks" in bench
    # Bars: the longest is the favourite's; the others are its share; none for no picks.
    widths = [re.findall(r'kids-bar-fill" x="0" y="0" width="(\d+)"', body) for body in
              (light, swing, bench)]
    assert widths == [["100"], ["33"], []]
    assert 'src="/static/kids/pictures/light.svg?v=' in light
    assert "The children's favourite, 路灯, gets its own small budget of ¥500.00." in page_html
    assert "counted apart and never added into the adults' count" in page_html
    assert "style=" not in page_html


def test_tied_favourites_share_the_childrens_budget(make, en):
    c = make.community()
    r = kids_round(make, c, picks=2, budget_fen=600_00)
    children_vote(r, SWING, BENCH, each=2)
    children_vote(r, LIGHT)
    close(make, r)
    page_html = text(en.get(url(r, "results")))
    assert page_html.count("Children's favourite") == 2
    assert "秋千 and 长椅 got the same number of picks" in page_html
    assert "share the children's budget of ¥600.00 equally, ¥300.00 each" in page_html
    assert "each could pick 2 pictures" in page_html


def test_childrens_votes_never_reach_the_adults_count(app, make, en, tmp_path):
    c = make.community()
    r = kids_round(make, c)
    for chosen in ([SWING, LIGHT], [SWING]):
        voter = voters_for(r, make.user(c))[0]
        ballots.submit_online(r, voter, [r.entries[p].id for p in chosen])
    db.session.commit()
    children_vote(r, BENCH, each=5)  # the adults' least wanted idea is the children's pick
    close(make, r)
    swing, bench, light = (e.id for e in r.entries)

    assert vote_totals(r) == {swing: 2, bench: 0, light: 1}
    assert ballots_counted(r) == 2
    counted = tallies.both(r)
    assert all(t.ballots_counted == 2 for t in counted.values())
    assert str(bench) not in counted["greedy"].selected
    assert results.count(r).children == 5

    page = text(en.get(f"/c/{c.slug}/rounds/{r.id}/results"))
    assert re.search(r"Ballots counted</dt><dd><strong>2</strong>", page)
    assert "5 votes" not in page and "See the children's results" in page

    out = tmp_path / "out.pb"
    result = app.test_cli_runner().invoke(args=["pb", "export", str(r.id), str(out)])
    assert result.exit_code == 0, result.output
    election = pb.read(out)
    assert len(election.votes) == 2
    assert not any(str(bench) in v.projects for v in election.votes)
    assert {p.id: p.fields.get("votes") for p in election.projects}[str(bench)] == "0"


def test_the_projector_fragment_answers_304_until_a_child_votes(make, en):
    c = make.community()
    r = kids_round(make, c)
    children_vote(r, SWING, each=2)

    page = text(en.get(url(r, "screen")))
    assert 'hx-trigger="every 5s"' in page
    assert f'hx-get="/c/{c.slug}/kids/rounds/{r.id}/screen/live"' in page

    live = en.get(url(r, "screen/live"))
    etag = live.headers["ETag"]
    assert live.status_code == 200 and etag
    assert re.search(r"<strong>2</strong>\s*children have voted so far", text(live))
    # The fragment sends back the version it shows, as htmx's If-None-Match.
    assert etag.replace('"', r'\"') in text(live)
    same = en.get(url(r, "screen/live"), headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.get_data() == b""

    children_vote(r, LIGHT)
    changed = en.get(url(r, "screen/live"), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert re.search(r"<strong>3</strong>\s*children have voted so far", text(changed))

    # Once voting has closed, the results themselves; their version too answers 304.
    close(make, r)
    closed = en.get(url(r, "screen/live"), headers={"If-None-Match": changed.headers["ETag"]})
    assert closed.status_code == 200 and "2 picks" in text(closed)
    again = en.get(url(r, "screen/live"), headers={"If-None-Match": closed.headers["ETag"]})
    assert again.status_code == 304


def test_the_waiting_etag_tells_nothing_of_the_picks(make, en):
    """Before voting closes the ETag follows the count only: a guardian changing their
    child's picks changes the hidden results, not the version the screen sees."""
    c = make.community()
    r = kids_round(make, c)
    kid = child(make, c)
    voting.vote_as_child(r, kid, [r.entries[SWING].id])
    db.session.commit()
    first = en.get(url(r, "screen/live")).headers["ETag"]
    voting.vote_as_child(r, kid, [r.entries[LIGHT].id])
    db.session.commit()
    assert en.get(url(r, "screen/live"), headers={"If-None-Match": first}).status_code == 304


def test_rounds_of_another_community_or_without_a_childrens_part_are_not_found(make, en):
    home, other = make.community(), make.community()
    r = kids_round(make, other)
    plain = make.round(home)
    staff = make.user(home, "staff")
    for tail in ("results", "screen", "screen/live"):
        assert en.get(f"/c/{home.slug}/kids/rounds/{r.id}/{tail}").status_code == 404
        assert en.get(url(plain, tail)).status_code == 404
        assert en.get(f"/c/{home.slug}/kids/rounds/999999/{tail}").status_code == 404
    en.login(staff)
    assert en.get(f"/c/{home.slug}/kids/rounds/{r.id}/results").status_code == 404
    # The adults' page of a round without a children's part does not mention one.
    plain.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    adults = text(en.get(f"/c/{home.slug}/rounds/{plain.id}/results"))
    assert "/kids/rounds/" not in adults and "Children's results" not in adults
