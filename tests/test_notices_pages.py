"""Notices (公示) through HTTP: staff open one from a drafted text, residents object,
staff answer and fund; bad input is a 422 that changes nothing; other communities' notices
are 404; the pages speak Chinese and English; the poster carries the QR code."""
from __future__ import annotations

import html
import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from app.extensions import db
from proposals.models import Idea
from proposals.notices import services
from proposals.notices.models import Notice, Objection
from proposals.services import photo_folder

from .images import jpeg_bytes
from .notices_factories import adopted_round, close, noticed_plan, open_notice, \
    passed_decision


@pytest.fixture
def place(make):
    community = make.community(slug="gaorong", name="高荣居民区")
    return community, make.user(community, "staff", display_name="李社工")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def notices_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notice))


# --- opening ---------------------------------------------------------------------------------

def test_staff_open_a_round_notice_from_the_drafted_text(make, client, place):
    community, staff = place
    round_ = adopted_round(make, community, staff)
    client.login(staff).get("/lang/en")
    listing = text(client.get("/c/gaorong/notices/new"))
    assert round_.title in listing and f"candidate=round-{round_.id}" in listing
    page = client.get(f"/c/gaorong/notices/new?candidate=round-{round_.id}")
    form = text(page)
    assert page.status_code == 200
    assert f"Public notice: result of {round_.title}" in form
    # Drafted from the round: its budget, rule, winners with costs and votes; the period.
    for words in ("Budget: ¥60,000.00", "Most votes first (greedy)", "项目1: ¥40,000.00 (0 votes)",
                  "项目3: ¥20,000.00", "runs for 7 days", "neighbourhood committee (居委会)"):
        assert words in form, words
    assert "项目2" not in form.split("<textarea")[1].split("</textarea>")[0]
    response = client.post("/c/gaorong/notices/new", {
        "candidate": f"round-{round_.id}", "title": "公示：2026年预算投票结果",
        "text": "第一段\n<script>alert(1)</script>", "days": "5"},
        token_from="/c/gaorong/notices/new")
    assert response.status_code == 303
    notice = db.session.scalar(select(Notice))
    assert response.headers["Location"].endswith(f"/c/gaorong/notices/{notice.id}")
    assert (notice.kind, notice.round_id, len(notice.items)) == ("round", round_.id, 2)
    page = client.get(f"/c/gaorong/notices/{notice.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Open until" in page and "5 days left" in page


def test_staff_set_how_long_this_communitys_notices_run(make, new_client, place):
    community, staff = place
    noticed_plan(make, community, staff)
    resident = new_client().login(make.user(community))
    assert resident.post("/c/gaorong/notices/period", {"days": "10"},
                         token_from="/c/gaorong/notices/").status_code == 403
    client = new_client().login(staff)
    client.get("/lang/en")
    for bad, words in (("0", "1 to 60 days"), ("seven", "whole number"), ("", "number of days")):
        response = client.post("/c/gaorong/notices/period", {"days": bad},
                               token_from="/c/gaorong/notices/")
        assert response.status_code == 422 and words in text(response), bad
    db.session.expire_all()
    assert db.session.get(type(community), community.id).notice_days == 7
    assert client.post("/c/gaorong/notices/period", {"days": "10"},
                       token_from="/c/gaorong/notices/").status_code == 303
    assert db.session.get(type(community), community.id).notice_days == 10
    listing = text(client.get("/c/gaorong/notices/new"))
    key = listing.split("candidate=")[1].split('"')[0]
    form = text(client.get(f"/c/gaorong/notices/new?candidate={key}"))
    assert 'name="days"' in form and 'value="10"' in form and "runs for 10 days" in form



@pytest.mark.parametrize("change, message", [
    ({"days": "0"}, "1 to 60 days"),
    ({"days": "61"}, "1 to 60 days"),
    ({"days": "seven"}, "whole number"),
    ({"days": ""}, "number of days"),
    ({"title": ""}, "Give the notice a title"),
    ({"text": "  "}, "Write the text"),
    ({"text": "字" * 5001}, "5000"),
    ({"candidate": "round-999"}, "cannot be put on a notice"),
    ({"candidate": "<b>"}, "cannot be put on a notice"),
])
def test_bad_input_is_a_422_with_a_message_and_opens_nothing(make, client, place, change,
                                                              message):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    client.login(staff).get("/lang/en")
    data = {"candidate": f"plan-{plan.id}", "title": "公示", "text": "内容", "days": "7"}
    data.update(change)
    response = client.post("/c/gaorong/notices/new", data, token_from="/c/gaorong/notices/new")
    assert response.status_code == 422
    assert message in text(response)
    assert notices_count() == 0


def test_the_links_from_an_adopted_round_and_an_applied_decision(make, client, place):
    community, staff = place
    round_ = adopted_round(make, community, staff)
    _lift, decision = passed_decision(make, community, staff)
    resident = make.user(community)
    link = "/c/gaorong/notices/new?candidate="
    client.login(staff)
    assert f"{link}round-{round_.id}" in client.get(f"/c/gaorong/rounds/{round_.id}/results") \
        .get_data(as_text=True)
    assert f"{link}decision-{decision.id}" in client.get(
        f"/c/gaorong/owners/{decision.id}").get_data(as_text=True)
    page = client.get(f"/c/gaorong/notices/new?candidate=decision-{decision.id}")
    assert "使用维修资金更换电梯" in text(page)  # drafted from the decision's result sentence
    client.logout()
    client.login(resident)
    assert link not in client.get(f"/c/gaorong/rounds/{round_.id}/results").get_data(as_text=True)


# --- objections, answers, funding -----------------------------------------------------------

def test_who_may_object_is_told_why_not_otherwise(make, new_client, place):
    community, staff = place
    noticed_plan(make, community, staff)
    notice = open_notice(community, staff)
    url = f"/c/gaorong/notices/{notice.id}"
    visitor = new_client()
    visitor.get("/lang/en")
    assert "Log in to object" in text(visitor.get(url))
    unverified = new_client().login(make.user(community, verified=False))
    unverified.get("/lang/en")
    assert "Ask the neighbourhood committee (居委会) to verify your account" in text(
        unverified.get(url))
    assert unverified.post(f"{url}/objections", {"reason": "x"}, token_from=url) \
        .status_code == 403
    resident = new_client().login(make.user(community))
    assert 'action="/c/gaorong/notices/%d/objections"' % notice.id in resident.get(url) \
        .get_data(as_text=True)
    close(notice)
    resident.get("/lang/en")
    page = text(resident.get(url))
    assert "objections are no longer taken" in page and "/objections\"" not in page


def test_a_resident_objects_and_staff_answer_then_fund(make, new_client, place):
    community, staff = place
    plan = noticed_plan(make, community, staff, title="楼道声控灯")
    notice = open_notice(community, staff)
    url = f"/c/gaorong/notices/{notice.id}"
    resident = new_client().login(make.user(community, display_name="王阿姨"))
    resident.get("/lang/en")
    empty = resident.post(f"{url}/objections", {"idea_id": plan.id, "reason": " "},
                          token_from=url)
    assert empty.status_code == 422 and "Say why you object" in text(empty)
    filed = resident.post(f"{url}/objections", {"idea_id": plan.id,
                                                "reason": "灯太亮，<b>晚上</b>刺眼。"},
                          token_from=url)
    assert filed.status_code == 303
    objection = db.session.scalar(select(Objection))
    assert filed.headers["Location"].endswith(f"{url}#objection-{objection.id}")
    page = resident.get(url).get_data(as_text=True)
    assert "王阿姨" in page and "灯太亮，&lt;b&gt;晚上&lt;/b&gt;刺眼。" in page

    desk = new_client().login(staff)
    desk.get("/lang/en")
    answer_url = f"{url}/objections/{objection.id}/answer"
    page = text(desk.get(url))
    assert answer_url in page and "Fund the ideas</button>" not in page
    assert "days left" in page and "1 objection is not answered yet." in page
    bad = desk.post(answer_url, {"answer": "", "upheld": "no"}, token_from=url)
    assert bad.status_code == 422 and "Write the answer" in text(bad)
    bad = desk.post(answer_url, {"answer": "会调暗。"}, token_from=url)
    assert bad.status_code == 422 and "Say whether the objection is upheld" in text(bad)
    assert db.session.get(Objection, objection.id).answered_at is None
    early = desk.post(f"{url}/finish", token_from=url)
    assert early.status_code == 422 and "The period is not over" in text(early)
    assert desk.post(answer_url, {"answer": "会换成暖光、调暗。", "upheld": "no"},
                     token_from=url).status_code == 303
    again = desk.post(answer_url, {"answer": "再答一次。", "upheld": "yes"}, token_from=url)
    assert again.status_code == 422 and "already been answered" in text(again)
    close(notice)
    page = text(desk.get(url))
    assert "Fund the ideas</button>" in page and "会换成暖光、调暗。" in page
    assert "Not upheld." in page
    funded = desk.post(f"{url}/finish", token_from=url)
    assert funded.status_code == 303
    assert db.session.get(Idea, plan.id).stage == "funded"
    assert desk.post(f"{url}/finish", token_from=url).status_code == 422


def test_an_upheld_answer_shows_on_the_ideas_timeline(make, new_client, place):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    notice = open_notice(community, staff, title="公示：楼道灯")
    objection = services.file_objection(notice, make.user(community), plan, "不合适。")
    db.session.commit()
    idea_url = f"/c/gaorong/ideas/{plan.id}"
    reader = new_client()
    reader.get("/lang/en")
    page = text(reader.get(idea_url))
    assert "In public notice until" in page and "1 objection so far" in page
    assert f"/c/gaorong/notices/{notice.id}" in page
    assert "Public notice opened: 公示：楼道灯" in page
    desk = new_client().login(staff)
    url = f"/c/gaorong/notices/{notice.id}"
    desk.post(f"{url}/objections/{objection.id}/answer",
              {"answer": "异议成立，重新设计。", "upheld": "yes"}, token_from=url)
    page = reader.get(idea_url).get_data(as_text=True)
    assert "异议成立，重新设计。" in page
    assert f'href="/c/gaorong/notices/{notice.id}#objection-{objection.id}"' in page
    assert "In public notice until" not in text(reader.get(idea_url))


def test_staff_attach_and_replace_the_photo_of_the_posted_notice(make, client, place):
    community, staff = place
    noticed_plan(make, community, staff)
    notice = open_notice(community, staff)
    url = f"/c/gaorong/notices/{notice.id}"
    client.login(staff)
    bad = client.post(f"{url}/photo", {"photo": (BytesIO(b"%PDF-1.4"), "notice.pdf")},
                      token_from=url)
    assert bad.status_code == 422 and "JPEG" in text(bad)
    folder = photo_folder()
    before = set(folder.iterdir()) if folder.exists() else set()  # other tests' photos
    for _ in range(2):
        response = client.post(f"{url}/photo", {"photo": (BytesIO(jpeg_bytes((400, 300))),
                                                          "posted.jpg")}, token_from=url)
        assert response.status_code == 303
    name = db.session.get(Notice, notice.id).photo_filename
    assert [p.name for p in set(folder.iterdir()) - before] == [name]  # the first is gone
    assert f"/media/ideas/{name}" in client.get(url).get_data(as_text=True)


def test_another_communitys_notice_is_not_found(make, client, place):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    notice = open_notice(community, staff)
    objection = services.file_objection(notice, make.user(community), plan, "不同意。")
    db.session.commit()
    other = make.community(slug="other")
    client.login(make.user(other, "staff"))
    base = f"/c/other/notices/{notice.id}"
    for url in (base, f"{base}/poster"):
        assert client.get(url).status_code == 404
    token = "/c/other/notices/new"
    for url, data in ((f"{base}/finish", {}), (f"{base}/photo", {}),
                      (f"{base}/objections/{objection.id}/answer",
                       {"answer": "越界", "upheld": "yes"})):
        assert client.post(url, data, token_from=token).status_code == 404
    assert db.session.get(Objection, objection.id).answered_at is None
    # An objection of another notice of the same community is not this notice's.
    noticed_plan(make, community, staff)
    second = open_notice(community, staff)
    client.logout()
    client.login(staff)
    url = f"/c/gaorong/notices/{second.id}"
    assert client.post(f"{url}/objections/{objection.id}/answer",
                       {"answer": "答错了地方", "upheld": "no"}, token_from=url).status_code == 404


# --- languages and the poster -----------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_the_pages_render_in_both_languages(make, new_client, place, lang):
    community, staff = place
    noticed_plan(make, community, staff, title="楼道声控灯")
    notice = open_notice(community, staff, title="公示：楼道声控灯")
    desk = new_client().login(staff)
    desk.get(f"/lang/{lang}")
    pages = [desk.get(f"/c/gaorong/notices/{p}") for p in
             ("", f"{notice.id}", f"{notice.id}/poster", "new")]
    assert all(p.status_code == 200 for p in pages)
    every = [text(p) for p in pages]
    assert all(f'lang="{"zh-Hans" if lang == "zh_Hans" else "en"}"' in t for t in every)
    if lang == "en":
        assert "Public notices" in every[0] and "Open for objections" in every[0]
        assert "Objections" in every[1] and "Notice period:" in every[2]
    else:
        assert "金点子" in every[0] and "公示中" in every[1]  # the nav and the idea's stage
        assert "Golden ideas" not in every[0] and "Log out" not in every[1]
    assert "公示：楼道声控灯" in every[0] and "公示：楼道声控灯" in every[2]


def test_the_poster_has_the_qr_code_of_the_absolute_address(make, client, place):
    community, staff = place
    noticed_plan(make, community, staff)
    notice = open_notice(community, staff, text="第一段。\n" + "很长的公示内容。" * 400)
    page = client.get(f"/c/gaorong/notices/{notice.id}/poster").get_data(as_text=True)
    address = f"http://127.0.0.1:5000/c/gaorong/notices/{notice.id}"
    assert address in page
    svg = re.search(r"<svg [^>]*class=\"poster-qr\".*?</svg>", page, re.S)
    assert svg and 'role="img"' in svg.group(0) and "<path" in svg.group(0)
    assert "style=" not in page and "<style" not in page and "<script" not in page
    # Too long for one page even in the smallest type: cut, and said so.
    assert "poster-text-xs" in page and "poster-cut" in page
    assert page.count("很长的公示内容。") < 400
    noticed_plan(make, community, staff)
    short = open_notice(community, staff, text="公示七天，欢迎监督。")
    page = client.get(f"/c/gaorong/notices/{short.id}/poster").get_data(as_text=True)
    assert "poster-text-xl" in page and "poster-cut" not in page
