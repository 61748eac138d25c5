"""The demo's notices, projects and outcome pages (issue 8's part of seed-demo). Seeding
takes a while, so each test reads much of the story."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.timeutil import utcnow
from proposals.demo import DEMO_PASSWORD
from proposals.models import Idea
from proposals.notices.models import Notice
from proposals.outcomes.models import Outcome, SatisfactionVote
from proposals.outcomes.services import distribution
from proposals.projects.models import Project

from .test_seed_demo import seeded

NO_RECORDS = "2号楼顶楼屋顶渗水，天花板掉下来了"  # its decision predates the site: words only


@pytest.fixture
def demo(app):
    seeded(app)
    return {i.title: i for i in db.session.scalars(select(Idea))}


def project_of(idea) -> Project:
    return db.session.scalar(select(Project).where(Project.idea_id == idea.id))


def test_projects_and_outcome_pages_of_the_story(demo, client):
    roof = demo["长宁路225弄屋面漏水，盼望早日修缮"]
    assert roof.stage == "done"
    outcome = db.session.scalar(select(Outcome).where(Outcome.project_id == project_of(roof).id))
    assert outcome.published and outcome.project.spent_fen <= outcome.project.planned_fen
    assert {p.kind for p in outcome.photos} == {"before", "after"}
    assert distribution(outcome).total >= 10
    html = client.get(f"/c/wanhang/outcomes/{outcome.id}").get_data(as_text=True)
    assert outcome.title in html and "大唐（上海）能源开发有限公司" in html and "不再漏水" in html

    lift = demo["4号楼电梯老是关人，申请更换新电梯"]
    assert lift.stage == "in_progress"
    project = project_of(lift)
    subsidy = sum(f.amount_fen for f in project.funding if f.kind == "subsidy")
    assert subsidy * 10 == project.planned_fen * 3  # the 30% lift subsidy
    assert {m.status for m in project.milestones} == {"done", "in_progress", "planned"}
    assert 0 < project.spent_fen < project.planned_fen
    html = client.get(f"/c/yeqing/projects/{project.id}").get_data(as_text=True)
    assert "拆除旧电梯" in html and "沪联电梯工程有限公司" in html

    alarms = project_of(demo["为独居老人家里装上烟雾报警器"])
    assert alarms.overspent
    assert len([e for e in alarms.spending if e.overspend_reason]) == 1
    assert "新增两户独居老人" in client.get(f"/c/gaorong/projects/{alarms.id}").get_data(as_text=True)

    parking = project_of(demo["屋面施工期间，车停到哪里去？"])
    assert "8个免费车位" in {p.name: p.contribution for p in parking.partners}["大唐（上海）能源开发有限公司"]

    for idea in demo.values():
        if idea.stage in ("funded", "in_progress", "done") and idea.title != NO_RECORDS:
            assert project_of(idea) is not None, idea.title

    # The demo accounts leave their rating for a visitor to give.
    resident = User.by_username("resident")
    assert db.session.scalar(select(SatisfactionVote).where(
        SatisfactionVote.user_id == resident.id)) is None
    charging = db.session.scalar(select(Outcome).where(Outcome.title == "759弄的40个充电桩"))
    before = distribution(charging).total
    client.login(resident, DEMO_PASSWORD)
    page = f"/c/gaorong/outcomes/{charging.id}"
    assert client.post(f"{page}/rate", {"score": "5"}, token_from=page).status_code == 303
    assert distribution(charging).total == before + 1


def test_notices_of_the_story(demo, client):
    notices = db.session.scalars(select(Notice).order_by(Notice.id)).all()
    for notice in notices:
        if notice.finished_at is not None:
            assert notice.finished_at >= notice.closes_at > notice.opens_at, notice.title

    autumn = next(n for n in notices if n.kind == "round")
    assert autumn.round.title.startswith("2026年秋季")
    assert [o.answered and not o.upheld for o in autumn.objections] == [True]
    assert {item.result for item in autumn.items} == {"funded"}
    assert autumn.photo_filename  # the poster as it hung on the 公告栏
    assert "2026-09-29" in autumn.text  # drafted with the story's dates, not the seeding's
    html = client.get(f"/c/gaorong/notices/{autumn.id}").get_data(as_text=True)
    assert "西移1.5米" in html and "离我家厨房窗户" in html

    # One notice is open now, with an objection waiting for staff's answer.
    (open_now,) = [n for n in notices if n.finished_at is None]
    assert open_now.opens_at < utcnow() < open_now.closes_at
    assert [o.answered for o in open_now.objections] == [False]
    assert demo["睦邻小广场边加几张带靠背的长椅"].stage == "noticed"
    assert open_now.title in client.get("/c/gaorong/").get_data(as_text=True)
