"""The voter's side of budget rounds over HTTP: the list, a round's page, the ballot with
its running total, saving and revising, and everyone who may not vote there."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.community import UnitOwnership
from app.extensions import db
from app.timeutil import utcnow
from proposals.rounds import ballots
from proposals.rounds.eligibility import paper_voter_for_user
from proposals.rounds.models import Participation

HTMX = {"HX-Request": "true"}


def html(response) -> str:
    return response.get_data(as_text=True)


def box(page: str, entry) -> str:
    """The checkbox tag of one idea on a ballot."""
    match = re.search(rf'<input[^>]*id="entry-{entry.id}"[^>]*>', page)
    assert match, f"no box for entry {entry.id}"
    return match.group(0)


def ticked(page: str, entry) -> bool:
    return " checked" in box(page, entry)


def disabled(page: str, entry) -> bool:
    return " disabled" in box(page, entry)


def urls(c, r) -> dict:
    base = f"/c/{c.slug}/rounds/{r.id}"
    return {"page": base, "ballot": base + "/ballot", "total": base + "/ballot/total",
            "done": base + "/ballot/done"}


def vote(client, c, r, *entries, **extra):
    u = urls(c, r)
    return client.post(u["ballot"], {"entry": [str(e.id) for e in entries], **extra},
                       token_from=u["page"])


def participations() -> int:
    return db.session.scalar(select(func.count()).select_from(Participation))


def test_index_groups_rounds_by_state_for_everyone(app, make, en):
    c = make.community()
    closed = make.round(c, state="closed", title="去年的投票")
    upcoming = make.round(c, state="upcoming", title="下个月的投票")
    opened = make.round(c, title="正在投票", costs=(10_000_00,))
    page = html(en.get(f"/c/{c.slug}/rounds/"))
    assert page.index(opened.title) < page.index(upcoming.title) < page.index(closed.title)
    assert "Voting open" in page and "¥60,000.00" in page
    assert f"/c/{c.slug}/rounds/new" not in page
    assert f'href="/c/{c.slug}/rounds/"' in page  # the community nav
    en.login(make.user(c))
    assert f"/c/{c.slug}/rounds/new" not in html(en.get(f"/c/{c.slug}/rounds/"))
    en.logout()
    en.login(make.user(c, "staff"))
    assert f"/c/{c.slug}/rounds/new" in html(en.get(f"/c/{c.slug}/rounds/"))


def test_round_page_for_anonymous_resident_and_staff(app, make, en):
    c = make.community()
    r = make.round(c, description="今年的小区微更新预算。", threshold=3)
    u = urls(c, r)
    page = html(en.get(u["page"]))
    assert r.title in page and "今年的小区微更新预算。" in page and "¥60,000.00" in page
    for entry in r.entries:
        assert f'href="/c/{c.slug}/ideas/{entry.idea_id}"' in page
        assert f"¥{entry.cost_fen // 100:,}.00" in page
    assert "One ballot per verified resident" in page and "Most votes first (greedy)" in page
    assert "no more than ¥60,000.00" in page and "at least 3 votes" in page
    assert "Log in to vote" in page and u["ballot"] not in page
    en.login(make.user(c))
    page = html(en.get(u["page"]))
    assert f'href="{u["ballot"]}"' in page and ">Vote<" in page
    assert f"{u['page']}/edit" not in page
    en.logout()
    en.login(make.user(c, "staff"))
    page = html(en.get(u["page"]))
    for tail in ("/edit", "/ideas", "/paper", "/print", "/results"):
        assert f'href="{u["page"]}{tail}"' in page


def test_round_page_names_households_buildings_and_equal_shares(app, make, en):
    c = make.community()
    first = c.buildings[0]
    r = make.round(c, unit="household", buildings=[first], rule="equal-shares",
                   ballot_kind="approval", max_choices=2)
    page = html(en.get(urls(c, r)["page"]))
    assert "One ballot per household" in page and first.name in page
    assert "Method of Equal Shares" in page and "up to 2 ideas" in page


def test_vote_then_change_it(app, make, en):
    c = make.community()
    r = make.round(c)
    u = urls(c, r)
    en.login(make.user(c))
    page = html(en.get(u["ballot"]))
    assert page.count('name="entry"') == 3 and not any(ticked(page, e) for e in r.entries)
    assert 'aria-live="polite"' in page and "Chosen ¥0.00 of ¥60,000.00" in page
    first = vote(en, c, r, r.entries[0])
    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"{u['done']}?saved=1")
    done = html(en.get(first.headers["Location"]))
    assert "Your ballot is saved" in done and "version 1" in done and "项目1" in done
    assert "You may change it until" in done
    assert "Change my vote" in html(en.get(u["page"]))
    page = html(en.get(u["ballot"]))
    assert ticked(page, r.entries[0]) and not ticked(page, r.entries[1])
    second = vote(en, c, r, r.entries[1], r.entries[2])
    assert second.headers["Location"].endswith("?saved=2")
    done = html(en.get(second.headers["Location"]))
    assert "version 2" in done and "项目2" in done and "项目3" in done and "项目1" not in done
    assert "¥50,000.00" in done
    assert participations() == 1


def test_over_budget_is_refused_with_the_sum_and_keeps_the_ticks(app, make, en):
    c = make.community()
    r = make.round(c)  # 400k + 300k over a 600k budget
    en.login(make.user(c))
    refused = vote(en, c, r, r.entries[0], r.entries[1])
    assert refused.status_code == 422
    page = html(refused)
    assert "¥70,000.00" in page and "¥60,000.00" in page
    assert ticked(page, r.entries[0]) and ticked(page, r.entries[1])
    assert "over the budget" in page
    assert participations() == 0
    assert vote(en, c, r).status_code == 422  # nothing ticked
    assert vote(en, c, r, r.entries[0], voter="h999").status_code == 422
    assert participations() == 0


def test_running_total_marks_what_no_longer_fits_and_refuses_a_tick_over(app, make, en):
    c = make.community()
    r = make.round(c)
    a, b, small = r.entries
    total = urls(c, r)["total"]
    en.login(make.user(c))
    fragment = html(en.get(f"{total}?entry={a.id}&changed={a.id}", headers=HTMX))
    assert "<html" not in fragment and 'hx-swap-oob="innerHTML"' in fragment
    assert "Chosen ¥40,000.00 of ¥60,000.00 — ¥20,000.00 left" in fragment
    assert ticked(fragment, a) and disabled(fragment, b) and not disabled(fragment, small)
    assert "over by ¥10,000.00" in fragment  # b next to its box
    fragment = html(en.get(f"{total}?entry={a.id}&entry={b.id}&changed={b.id}",
                           headers=HTMX))
    assert ticked(fragment, a) and not ticked(fragment, b) and disabled(fragment, b)
    assert "“项目2” would take you over the budget by ¥10,000.00" in fragment
    assert "¥20,000.00 left" in fragment
    # Two ticks crossing: the one just ticked gives way, whatever its place on the list.
    fragment = html(en.get(f"{total}?entry={b.id}&entry={a.id}&changed={a.id}",
                           headers=HTMX))
    assert ticked(fragment, b) and not ticked(fragment, a) and "“项目1”" in fragment
    # Without htmx the same address shows the whole ballot with those ticks.
    page = html(en.get(f"{total}?entry={small.id}"))
    assert "<html" in page and ticked(page, small) and 'action="' in page


def test_approval_with_a_limit(app, make, en):
    c = make.community()
    r = make.round(c, ballot_kind="approval", max_choices=2)
    a, b, third = r.entries
    total = urls(c, r)["total"]
    en.login(make.user(c))
    fragment = html(en.get(f"{total}?entry={a.id}&entry={b.id}", headers=HTMX))
    assert "2 of 2 chosen" in fragment and disabled(fragment, third)
    fragment = html(en.get(f"{total}?entry={a.id}&entry={b.id}&entry={third.id}"
                           f"&changed={third.id}", headers=HTMX))
    assert not ticked(fragment, third) and "at most 2 ideas, so “项目3”" in fragment
    refused = vote(en, c, r, a, b, third)
    assert refused.status_code == 422 and "at most 2" in html(refused)
    assert vote(en, c, r, a, b).status_code == 303  # 900k: approval ignores the budget


def test_an_owner_of_two_flats_picks_the_household(app, make, en):
    c = make.community()
    first, second = c.buildings
    flats = [make.unit(first, "101"), make.unit(second, "202")]
    owner = make.user(c)
    for flat in flats:
        db.session.add(UnitOwnership(unit=flat, user=owner, verified_at=utcnow()))
    db.session.commit()
    r = make.round(c, unit="household")
    u = urls(c, r)
    en.login(owner)
    page = html(en.get(u["ballot"]))
    assert '<select name="voter"' in page
    assert f'value="h{flats[0].id}" selected' in page and f'value="h{flats[1].id}"' in page
    saved = vote(en, c, r, r.entries[2], voter=f"h{flats[1].id}")
    assert saved.status_code == 303 and f"voter=h{flats[1].id}" in saved.headers["Location"]
    p = db.session.scalar(select(Participation))
    assert p.voter_key == f"h{flats[1].id}" and p.unit_id == flats[1].id
    assert ticked(html(en.get(f"{u['ballot']}?voter=h{flats[1].id}")), r.entries[2])
    assert not ticked(html(en.get(u["ballot"])), r.entries[2])
    assert "202" in html(en.get(saved.headers["Location"]))
    page = html(en.get(u["page"]))
    assert "not voted yet" in page and "voted online" in page


def test_a_paper_ballot_replaces_the_form(app, make, en):
    c = make.community()
    r = make.round(c)
    elder = make.user(c, display_name="李阿婆")
    ballots.enter_paper(r, make.user(c, "staff"), paper_voter_for_user(r, elder),
                        [r.entries[0].id], "P-017")
    db.session.commit()
    en.login(elder)
    u = urls(c, r)
    page = html(en.get(u["ballot"]))
    assert 'name="entry"' not in page and "P-017" in page and "paper ballot" in page
    page = html(en.get(u["page"]))
    assert "paper ballot has been entered" in page and f'href="{u["ballot"]}"' not in page
    assert vote(en, c, r, r.entries[1]).status_code == 422


@pytest.mark.parametrize("state, says", [("closed", "has closed"), ("upcoming", "not opened")])
def test_no_form_outside_the_voting_period(app, make, en, state, says):
    c = make.community()
    r = make.round(c, state=state)
    en.login(make.user(c))
    u = urls(c, r)
    response = en.get(u["ballot"])
    assert response.status_code == 200
    assert 'name="entry"' not in html(response) and says in html(response)
    assert ("/results" in html(en.get(u["page"]))) == (state == "closed")
    assert vote(en, c, r, r.entries[2]).status_code == 422
    assert participations() == 0


def test_who_may_not_vote_is_told_why(app, make, en):
    c = make.community()
    first, second = c.buildings
    r = make.round(c, buildings=[first])
    outside = make.user(c)
    outside.memberships[0].building_id = second.id
    db.session.commit()
    en.login(outside)
    u = urls(c, r)
    for url in (u["ballot"], u["total"], u["done"]):
        response = en.get(url)
        assert response.status_code == 403 and "only for residents of some buildings" \
            in html(response)
    assert "only for residents of some buildings" in html(en.get(u["page"]))
    assert vote(en, c, r, r.entries[2]).status_code == 403
    en.logout()
    en.login(make.user(c, verified=False))
    assert en.get(u["ballot"]).status_code == 403
    assert participations() == 0


def test_another_communitys_round_is_not_found(app, make, en):
    home, other = make.community(), make.community()
    r = make.round(home)
    en.login(make.user(other, "staff"))
    for tail in ("", "/ballot", "/ballot/total", "/ballot/done"):
        assert en.get(f"/c/{other.slug}/rounds/{r.id}{tail}").status_code == 404
    assert en.post(f"/c/{other.slug}/rounds/{r.id}/ballot", {"entry": r.entries[0].id},
                   token_from=f"/c/{other.slug}/rounds/").status_code == 404


def test_the_idea_page_points_to_its_vote(app, make, en):
    c = make.community()
    r = make.round(c)
    page = html(en.get(f"/c/{c.slug}/ideas/{r.entries[0].idea_id}"))
    assert f"This idea is on the ballot of {r.title}" in page
    assert f'href="/c/{c.slug}/rounds/{r.id}"' in page
    plain = make.idea(c, stage="deliberating")
    assert "on the ballot" not in html(en.get(f"/c/{c.slug}/ideas/{plain.id}"))
