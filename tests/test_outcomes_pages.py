"""Outcome pages (金钥匙) over HTTP: staff write and publish one, residents read it, rate it
with the five faces and comment; drafts stay hidden; the money adds up by source; the
poster carries a QR code to the page's public address; the query count stays flat."""
from __future__ import annotations

import io
import re
from collections import Counter
from html import unescape

import pytest
import segno
from sqlalchemy import func, select

from app.extensions import db
from proposals.outcomes import services
from proposals.outcomes.models import Outcome, OutcomeComment, OutcomePhoto, SatisfactionVote

from . import outcomes_factories as of
from .images import jpeg_bytes
from .querycount import counted_queries
from .test_round_concurrency import Browser, run_all

HTMX = {"HX-Request": "true"}


@pytest.fixture
def place(make):
    return make.community(slug="cn")


@pytest.fixture
def staff(make, place):
    return make.user(place, "staff")


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


def url(outcome, tail: str = "") -> str:
    return f"/c/{outcome.community.slug}/outcomes/{outcome.id}{tail}"


def rate(client, outcome, score, **kw):
    return client.post(url(outcome, "/rate"), {"score": score}, token_from=url(outcome), **kw)


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


# --- staff write and publish ------------------------------------------------------------------

def test_staff_write_upload_and_publish_an_outcome_page(make, place, staff, en):
    project = of.project(make, place, title="西门加装雨棚")
    en.login(staff)
    listing = html(en.get("/c/cn/outcomes/"))
    assert "西门加装雨棚" in listing and f"/c/cn/outcomes/new/{project.id}" in listing
    new = f"/c/cn/outcomes/new/{project.id}"
    assert en.get(new).status_code == 200
    response = en.post(new, token_from=new)
    assert response.status_code == 303
    outcome = db.session.scalar(select(Outcome))
    edit = url(outcome, "/edit")
    assert response.headers["Location"].endswith(edit)

    # Publishing too early says what is missing, and moves nothing.
    response = en.post(url(outcome, "/publish"), token_from=edit)
    assert response.status_code == 422
    assert "after" in html(response) and "what was done" in html(response)
    assert project.idea.stage == "in_progress"

    assert en.post(edit, {"title": "西门雨棚装好了", "summary": "六月装好了雨棚。\n下雨天不用再淋雨。"},
                   token_from=edit).status_code == 303
    for kind in ("before", "after"):
        response = en.post(url(outcome, "/photos"), {
            "kind": kind, "caption": f"{kind}的西门",
            "photo": (io.BytesIO(jpeg_bytes()), "gate.jpg")},
            token_from=edit, content_type="multipart/form-data")
        assert response.status_code == 303, html(response)[-2000:]
    assert sorted(p.kind for p in outcome.photos) == ["after", "before"]

    response = en.post(url(outcome, "/publish"), token_from=edit)
    assert response.status_code == 303 and response.headers["Location"].endswith(url(outcome))
    assert outcome.published and project.idea.stage == "done"
    page = html(en.get(url(outcome)))
    assert "西门雨棚装好了" in page and "下雨天不用再淋雨。" in page and "before的西门" in page


def test_bad_uploads_and_a_seventh_photo_are_refused_next_to_the_field(make, place, staff, en):
    outcome = of.draft(of.project(make, place), staff, before=0, after=6)
    en.login(staff)
    edit = url(outcome, "/edit")

    def upload(data: bytes, kind: str = "after"):
        return en.post(url(outcome, "/photos"),
                       {"kind": kind, "caption": "", "photo": (io.BytesIO(data), "x.jpg")},
                       token_from=edit, content_type="multipart/form-data")

    response = upload(jpeg_bytes())
    assert response.status_code == 422 and "At most 6 photos" in html(response)
    response = upload(b"this is not a photo", kind="before")
    assert response.status_code == 422 and "not a photo we can read" in html(response)
    response = en.post(url(outcome, "/photos"), {"kind": "before", "caption": ""},
                       token_from=edit)
    assert response.status_code == 422 and "Choose a photo" in html(response)
    assert count(OutcomePhoto) == 6

    photo = outcome.photos[0]
    response = en.post(url(outcome, f"/photos/{photo.id}/remove"), token_from=edit)
    assert response.status_code == 303 and count(OutcomePhoto) == 5


def test_a_project_not_in_progress_or_of_another_community(make, place, staff, en):
    project = of.project(make, place)
    project.idea.stage = "funded"
    db.session.commit()
    en.login(staff)
    new = f"/c/cn/outcomes/new/{project.id}"
    assert "project in progress" in html(en.get(new))
    assert en.post(new, token_from=new).status_code == 422
    assert count(Outcome) == 0
    make.community(slug="other")
    other_staff = make.user(db.session.get(type(place), 2), "staff")
    en.logout()
    en.login(other_staff)
    assert en.get(f"/c/other/outcomes/new/{project.id}").status_code == 404


# --- who sees what ---------------------------------------------------------------------------

def test_a_draft_is_404_to_everyone_but_staff(make, place, staff, client, new_client):
    outcome = of.draft(of.project(make, place, title="草稿里的项目"), staff)
    assert client.get(url(outcome)).status_code == 404
    assert client.get(url(outcome, "/poster")).status_code == 404
    assert "草稿里的项目" not in html(client.get("/c/cn/outcomes/"))
    client.login(make.user(place))
    assert client.get(url(outcome)).status_code == 404
    assert rate(client, outcome, 5).status_code == 404
    assert count(SatisfactionVote) == 0
    staff_client = new_client().login(staff)
    assert staff_client.get(url(outcome)).status_code == 200
    assert "草稿里的项目" in html(staff_client.get("/c/cn/outcomes/"))


def test_outcomes_of_another_community_are_not_reachable_by_id(make, place, staff, client):
    outcome = of.published(make, place, staff)
    make.community(slug="far")
    assert client.get(f"/c/far/outcomes/{outcome.id}").status_code == 404
    assert client.get(f"/c/far/outcomes/{outcome.id}/poster").status_code == 404


def test_the_list_shows_published_outcomes_newest_first_with_the_after_photo(make, place, staff,
                                                                              client):
    older = of.published(make, place, staff, title="较早完成的项目")
    newer = of.published(make, place, staff, title="最近完成的项目")
    page = html(client.get("/c/cn/outcomes/"))
    assert page.index("最近完成的项目") < page.index("较早完成的项目")
    after = next(p for p in newer.photos if p.kind == "after")
    before = next(p for p in older.photos if p.kind == "before")
    assert after.filename in page and before.filename not in page


# --- the page: money, help, timeline, languages -----------------------------------------------

def test_cost_against_plan_shows_exact_sums_by_source(make, place, staff, en):
    outcome = of.published(
        make, place, staff,
        funding=[("round_budget", 60_000_00), ("subsidy", 25_714_29), ("partner", 5_000_01)],
        spending=[("round_budget", 41_000_10, "申城防水", ""),
                  ("round_budget", 22_450_40, "申城防水", "卷材涨价，业委会同意追加。"),
                  ("subsidy", 25_714_29, "电梯公司", ""),
                  ("residents", 1_234_56, "五金店", "居民自愿补齐扶手。")],
        partners=[("大唐集团", "借出8个临时车位")])
    page = html(en.get(url(outcome)))
    cell = r'\s*<td class="num"><span class="cell-label">[^<]+</span>¥([\d,.]+)</td>'
    rows = re.findall(r'<tr[^>]*>\s*<th scope="row">([^<]+)</th>' + cell + cell +
                      r'\s*<td>\s*(.*?)\s*</td>', page, re.S)
    lines = [(label, planned, spent, re.sub(r"<[^>]+>|\s+", " ", diff).strip())
             for label, planned, spent, diff in rows]
    assert lines == [
        ("Budget round", "60,000.00", "63,450.50", "¥3,450.50 over plan"),
        ("Subsidy", "25,714.29", "25,714.29", "as planned"),
        ("Partner contribution", "5,000.01", "0.00", "¥5,000.01 under plan"),
        ("Residents' contributions", "0.00", "1,234.56", "¥1,234.56 over plan"),
        ("Total", "90,714.30", "90,399.35", "¥314.95 under plan"),
    ]
    assert "卷材涨价，业委会同意追加。" in page and "居民自愿补齐扶手。" in page
    assert "长宁物业" in page and "大唐集团: 借出8个临时车位" in page


def test_a_reversed_mistake_nets_to_zero_and_its_explanation_is_gone(make, place, staff, en):
    from datetime import date
    from proposals.projects.models import SpendingEntry
    outcome = of.published(make, place, staff, funding=[("round_budget", 10_000_00)],
                           spending=[("round_budget", 9_000_00, "申城防水", ""),
                                     ("round_budget", 5_000_00, "申城防水", "记错的一笔超支")])
    mistake = outcome.project.spending[1]
    outcome.project.spending.append(SpendingEntry(
        spent_on=date(2026, 6, 1), amount_fen=-5_000_00, payee="申城防水", purpose="重复录入",
        source_kind="round_budget", reverses_id=mistake.id))
    db.session.commit()
    page = html(en.get(url(outcome)))
    assert "记错的一笔超支" not in page and "Why more was spent" not in page
    assert "¥1,000.00 under plan" in page


def test_the_page_tells_the_whole_way_and_links_the_idea(make, place, staff, client):
    outcome = of.published(make, place, staff)
    idea = outcome.project.idea
    page = html(client.get(url(outcome)))
    assert f'href="/c/cn/ideas/{idea.id}#thread"' in page  # the closed debate
    assert f'<a href="{url(outcome)}">{outcome.title}</a>' in page  # the move to done
    idea_page = html(client.get(f"/c/cn/ideas/{idea.id}"))
    link = re.search(r'<p class="notice outcome-link">\s*<a href="([^"]+)">', idea_page)
    assert link and link.group(1) == url(outcome)


@pytest.mark.parametrize("lang, words", [("zh_Hans", ("lang=\"zh-Hans\"", "进展记录")),
                                         ("en", ('lang="en"', "What was done", "Who helped"))])
def test_the_page_renders_in_chinese_and_english(make, place, staff, client, lang, words):
    outcome = of.published(make, place, staff)
    services.add_comment(outcome, make.user(place), "顶楼终于不漏水了")
    db.session.commit()
    client.http.set_cookie("lang", lang)
    for path in (url(outcome), url(outcome, "/poster"), "/c/cn/outcomes/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert all(w in html(response) for w in words[:1]), path
    page = html(client.get(url(outcome)))
    assert all(w in page for w in words) and "顶楼终于不漏水了" in page


# --- satisfaction ------------------------------------------------------------------------------

def test_a_resident_rates_once_and_changes_their_mind(make, place, staff, en):
    outcome = of.published(make, place, staff)
    en.login(make.user(place))
    response = rate(en, outcome, 2)
    assert response.status_code == 303 and response.headers["Location"].endswith("#satisfaction")
    response = rate(en, outcome, 5, headers=HTMX)
    assert response.status_code == 200
    fragment = html(response)
    assert fragment.lstrip().startswith("<section id=\"satisfaction\"")
    pressed = re.findall(r'name="score" value="(\d)" class="face-button( chosen)?" '
                         r'aria-pressed="(true|false)"', fragment)
    assert [(v, p) for v, _c, p in pressed] == [("1", "false"), ("2", "false"), ("3", "false"),
                                                ("4", "false"), ("5", "true")]
    assert "1 resident has rated it" in fragment and "average 5.0 of 5" in fragment
    assert count(SatisfactionVote, outcome_id=outcome.id) == 1
    assert db.session.scalar(select(SatisfactionVote.score)) == 5


@pytest.mark.parametrize("score", ["0", "6", "", "five", "2.5", "-3"])
def test_scores_outside_one_to_five_are_422_and_nothing_is_stored(make, place, staff, en, score):
    outcome = of.published(make, place, staff)
    en.login(make.user(place))
    response = rate(en, outcome, score)
    assert response.status_code == 422 and "Choose one of the five faces" in html(response)
    assert rate(en, outcome, score, headers=HTMX).status_code == 422
    assert count(SatisfactionVote) == 0


def test_unverified_members_and_other_communities_residents_cannot_rate(make, place, staff,
                                                                         client, new_client):
    outcome = of.published(make, place, staff)
    client.login(make.user(place, verified=False))
    assert rate(client, outcome, 5).status_code == 403
    assert "face-button" not in html(client.get(url(outcome)))
    stranger = new_client().login(make.user(make.community(slug="far")))
    assert rate(stranger, outcome, 5).status_code == 403
    assert count(SatisfactionVote) == 0


# --- comments -----------------------------------------------------------------------------------

def test_comments_length_rules_and_hiding(make, place, staff, en, new_client):
    outcome = of.published(make, place, staff)
    en.login(make.user(place))
    post = lambda body, **kw: en.post(url(outcome, "/comments"), {"body": body},  # noqa: E731
                                      token_from=url(outcome), **kw)
    response = post("好" * 301)
    assert response.status_code == 422 and "at most 300 characters" in html(response)
    assert post("   ").status_code == 422
    assert post("好" * 301, headers=HTMX).status_code == 422
    assert count(OutcomeComment) == 0
    assert post("雨棚很结实，谢谢物业！").status_code == 303
    response = post("好" * 300, headers=HTMX)
    assert response.status_code == 200 and "好" * 300 in html(response)

    comment = db.session.scalar(select(OutcomeComment).order_by(OutcomeComment.id))
    hide = url(outcome, f"/comments/{comment.id}/hide")
    assert en.post(hide, {"hidden": "1"}, token_from=url(outcome)).status_code == 403
    moderator = new_client().login(make.user(place, "council"))
    moderator.http.set_cookie("lang", "en")
    assert moderator.post(hide, {"hidden": "1"}, token_from=url(outcome)).status_code == 303
    assert "雨棚很结实" not in html(en.get(url(outcome)))
    assert "Hidden by a moderator" in html(moderator.get(url(outcome)))


# --- the poster ----------------------------------------------------------------------------------

def test_the_poster_has_the_qr_code_of_the_public_address(make, place, staff, client):
    outcome = of.published(make, place, staff)
    page = client.get(url(outcome, "/poster")).get_data(as_text=True)
    address = f"http://127.0.0.1:5000/c/cn/outcomes/{outcome.id}"  # PUBLIC_URL of the tests
    assert address in page
    svg = re.search(r'<svg role="img" aria-label="[^"]+" shape-rendering="crispEdges" '
                    r'[^>]*class="poster-qr".*?</svg>', page, re.S)
    assert svg, "no QR code on the poster"
    expected = segno.make(address, error="m", micro=False).svg_inline(
        omitsize=True, border=2, dark="#000", light="#fff")
    assert re.findall(r' d="([^"]+)"', svg.group(0)) == re.findall(r' d="([^"]+)"', expected)
    assert "@page outcome-poster" in client.get("/static/css/outcomes.css").get_data(as_text=True)


# --- queries ---------------------------------------------------------------------------------------

def test_the_page_costs_the_same_queries_for_few_or_many_votes_and_comments(make, place, staff,
                                                                            client):
    resident = make.user(place)
    client.login(resident)
    counts = []
    for n in (1, 12):
        outcome = of.published(make, place, staff, title=f"项目{n}")
        for i in range(n):
            neighbour = make.user(place)
            services.rate(outcome, neighbour, 1 + i % 5)
            services.add_comment(outcome, neighbour, f"评论{i}")
        services.rate(outcome, resident, 4)
        db.session.commit()
        with counted_queries() as statements:
            assert client.get(url(outcome)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- double clicks ---------------------------------------------------------------------------------

def test_simultaneous_votes_of_one_resident_count_once(app, make, place, staff, server):
    """Three tabs per resident press a face at the same moment (on PostgreSQL two inserts
    can race past the check; the unique key decides and the loser updates)."""
    outcome = of.published(make, place, staff)
    residents = [make.user(place) for _ in range(15)]
    path = url(outcome)
    browsers = {}
    for r in residents:
        browsers[r.id] = Browser(server)
        browsers[r.id].login(r.username)
    tokens = {uid: b.token(path) for uid, b in browsers.items()}
    db.session.commit()
    statuses = Counter()

    def tab(uid: int, score: int) -> None:
        status, _h, _b = browsers[uid].request(path + "/rate", [("csrf_token", tokens[uid]),
                                                                 ("score", str(score))])
        statuses[status] += 1

    run_all([lambda u=r.id, s=s: tab(u, s) for r in residents for s in (1, 3, 5)])
    db.session.rollback()
    assert set(statuses) <= {303, 503}, statuses
    rows = db.session.execute(select(SatisfactionVote.user_id, SatisfactionVote.score)).all()
    assert sorted(uid for uid, _s in rows) == sorted(r.id for r in residents)
    assert {score for _u, score in rows} <= {1, 3, 5}
    assert services.distribution(outcome).total == len(residents)
