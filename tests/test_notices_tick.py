"""`flask tick` and finishing a notice from two places at once: only due notices are
finished, a refused one holds back only itself, and an idea is funded once."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.database import write_transaction
from app.extensions import db
from proposals.models import StageChange
from proposals.notices import services
from proposals.notices.models import Notice
from proposals.notices.services import NoticeRefused

from .notices_factories import close, noticed_plan, open_notice, stage


@pytest.fixture
def place(make):
    community = make.community(slug="gaorong", name="高荣居民区")
    return community, make.user(community, "staff", display_name="李社工")


def tick(app):
    return app.test_cli_runner().invoke(args=["tick"])


def test_tick_finishes_only_due_notices_and_a_second_run_does_nothing(app, make, place):
    community, staff = place
    due_idea, open_idea, waiting_idea = (noticed_plan(make, community, staff, title=t)
                                         for t in ("到期", "未到期", "待答复"))
    due, running, waiting = (
        open_notice(community, staff, services.candidate(community, f"plan-{i.id}"),
                    title=f"公示：{i.title}") for i in (due_idea, open_idea, waiting_idea))
    services.file_objection(waiting, make.user(community), waiting_idea, "有意见。")
    db.session.commit()
    close(due)
    close(waiting)
    assert [n.id for n in services.due_notices()] == [due.id]
    result = tick(app)
    assert result.exit_code == 0, result.output
    assert f"notice {due.id} “公示：到期” (gaorong): finished, 1 idea funded" in result.output
    assert "tick: 1 done, 0 refused." in result.output
    assert (stage(due_idea), stage(open_idea), stage(waiting_idea)) == (
        "funded", "noticed", "noticed")
    system_move = db.session.scalar(select(StageChange).where(
        StageChange.idea_id == due_idea.id, StageChange.to_stage == "funded"))
    assert system_move.actor_id is None and system_move.cause_id == due.id
    finished = db.session.get(Notice, due.id)
    assert finished.finished_at is not None and finished.finished_by_id is None

    again = tick(app)
    assert again.exit_code == 0 and again.output.strip() == "tick: 0 done, 0 refused."
    assert db.session.scalar(select(func.count()).select_from(StageChange)
                             .where(StageChange.to_stage == "funded")) == 1


def test_tick_reports_a_refused_notice_and_goes_on(app, make, place):
    community, staff = place
    lift = noticed_plan(make, community, staff, title="加装电梯", common_parts=True)
    fine = noticed_plan(make, community, staff, title="楼道灯")
    held = open_notice(community, staff, services.candidate(community, f"plan-{lift.id}"))
    goes = open_notice(community, staff, services.candidate(community, f"plan-{fine.id}"))
    close(held, ago=timedelta(hours=2))
    close(goes)
    result = tick(app)
    assert result.exit_code == 0
    assert f"notice {held.id}" in result.output and "refused" in result.output
    assert "tick: 1 done, 1 refused." in result.output
    assert (stage(lift), stage(fine)) == ("noticed", "funded")
    assert db.session.get(Notice, held.id).finished_at is None


def test_staff_and_cron_finishing_at_once_fund_once(app, make, place):
    community, staff = place
    plan = noticed_plan(make, community, staff)
    notice = open_notice(community, staff)
    close(notice)
    notice_id, staff_id, results = notice.id, staff.id, []
    start = threading.Barrier(4)

    def finisher(system: bool) -> None:
        with app.app_context():
            start.wait()
            try:
                with write_transaction():
                    actor = None if system else db.session.get(User, staff_id)
                    services.finish(db.session.get(Notice, notice_id), actor, system=system)
                results.append("funded")
            except NoticeRefused:
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=finisher, args=(n % 2 == 0,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["funded", "refused", "refused", "refused"]
    db.session.rollback()  # end the test's snapshot: read what the threads wrote
    assert stage(plan) == "funded"
    assert db.session.scalar(select(func.count()).select_from(StageChange)
                             .where(StageChange.to_stage == "funded")) == 1


