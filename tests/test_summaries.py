"""议事小结: versioned summaries by council, chair and staff, shown first on the idea page."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from deliberation import services, summaries
from deliberation.models import Thread, ThreadSummary
from deliberation.services import DeliberationError


@pytest.fixture
def w(make):
    c = make.community(slug="a")
    idea = make.idea(c, stage="deliberating", description="楼道飞线充电，想在车棚装充电桩。")
    return dict(c=c, idea=idea, council=make.user(c, "council", display_name="王议事员"),
                chair=make.user(c, "chair"), staff=make.user(c, "staff"),
                resident=make.user(c), other_council=make.user(make.community(), "council"),
                page=f"/c/a/ideas/{idea.id}", edit=f"/c/a/ideas/{idea.id}/summary")


def write(w, user, body, based_on=None):
    thread = services.thread_for_idea(w["idea"])
    summary = summaries.write(thread, user, body, based_on)
    db.session.commit()
    return summary


def test_each_save_is_a_new_version_by_its_author(app, w):
    first = write(w, w["council"], "多数支持，电费按表计量。")
    second = write(w, w["staff"], "多数支持；物业负责施工。")
    third = write(w, w["chair"], "议事会通过，进入方案阶段。", based_on=2)
    assert [first.version, second.version, third.version] == [1, 2, 3]
    thread = services.find_thread(w["idea"])
    assert summaries.latest(thread).body == "议事会通过，进入方案阶段。"
    assert [s.author_id for s in summaries.versions(thread)] == \
        [w["chair"].id, w["staff"].id, w["council"].id]
    audited = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "summary.write")
                                 .order_by(AuditEntry.id)).all()
    assert [e.detail["version"] for e in audited] == [1, 2, 3]
    assert [e.actor_id for e in audited] == [w["council"].id, w["staff"].id, w["chair"].id]


def test_residents_outsiders_and_empty_text_are_refused(app, w):
    for user, body in ((w["resident"], "我来总结"), (w["other_council"], "隔壁总结"),
                       (w["council"], "  \n "), (w["council"], "长" * 10001)):
        with pytest.raises(DeliberationError):
            write(w, user, body)
        db.session.rollback()
    assert db.session.scalar(select(func.count(ThreadSummary.id))) == 0


def test_a_save_based_on_an_old_version_is_refused(app, w):
    write(w, w["council"], "第一版")
    write(w, w["chair"], "第二版", based_on=1)
    with pytest.raises(summaries.SummaryConflict) as refused:
        write(w, w["council"], "我基于第一版改的", based_on=1)
    db.session.rollback()
    assert refused.value.newest == 2
    assert db.session.scalar(select(func.count(ThreadSummary.id))) == 2


def test_a_locked_thread_still_takes_a_summary(app, w):
    w["idea"].stage = "not_adopted"
    db.session.commit()
    assert services.is_locked(services.find_thread(w["idea"]))
    assert write(w, w["council"], "未采纳：业主表决未通过。").version == 1


# ---- over HTTP ----------------------------------------------------------------------

def save(client, w, body, **extra):
    return client.post(w["edit"], {"body": body, **extra}, token_from=w["edit"])


def test_council_writes_over_http_and_the_idea_page_shows_the_newest_first(app, w, client):
    client.login(w["council"])
    assert client.get(w["edit"]).status_code == 200
    first = save(client, w, "第一版小结", based_on="0")
    assert first.status_code == 303 and first.headers["Location"].endswith(w["page"] + "#summary")
    assert save(client, w, "多数居民支持。\n详见 https://example.cn/x", based_on="1").status_code == 303
    page = client.get(w["page"]).get_data(as_text=True)
    page = page[page.index("<main"):]  # the head's link preview quotes the idea too
    summary_at = page.index('id="summary"')
    assert summary_at < page.index("楼道飞线充电") < page.index('id="thread"')
    assert "多数居民支持。" in page and "第一版小结" not in page
    assert '<a href="https://example.cn/x"' in page and "王议事员" in page
    assert f"/c/a/ideas/{w['idea'].id}/summary/versions" in page
    versions = client.get(w["edit"] + "/versions").get_data(as_text=True)
    assert versions.index("多数居民支持") < versions.index("第一版小结")
    thread = db.session.scalar(select(Thread).where(Thread.idea_id == w["idea"].id))
    assert [s.version for s in summaries.versions(thread)] == [2, 1]


def test_the_edit_form_answers_422_and_keeps_nothing_for_bad_text(app, w, client):
    client.login(w["staff"])
    response = save(client, w, "   ")
    assert response.status_code == 422 and 'class="error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ThreadSummary.id))) == 0
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_a_stale_edit_page_shows_the_newer_version_instead_of_replacing_it(app, w, client):
    write(w, w["chair"], "主持人刚写的版本")
    client.login(w["council"])
    response = save(client, w, "我没看到新版本", based_on="0")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "主持人刚写的版本" in body
    assert 'name="based_on" value="1"' in body and "我没看到新版本" in body
    assert save(client, w, "看过了，合并两版", based_on="1").status_code == 303


def test_residents_cannot_write_and_see_no_edit_link(app, w, client, new_client):
    write(w, w["council"], "小结")
    client.login(w["resident"])
    assert client.get(w["edit"]).status_code == 403
    assert save(client, w, "我也要写").status_code == 403
    assert w["edit"] + '"' not in client.get(w["page"]).get_data(as_text=True)
    assert "小结" in new_client().get(w["page"]).get_data(as_text=True)
    other = new_client().login(w["other_council"])
    assert other.get(w["edit"]).status_code == 403


def test_summary_text_is_escaped(app, w, client):
    write(w, w["council"], '<script>alert("x")</script> <b>粗</b>')
    page = client.get(w["page"]).get_data(as_text=True)
    assert "<script>alert" not in page and "<b>粗" not in page
    assert "&lt;script&gt;alert" in page


def test_nothing_is_shown_to_readers_without_a_summary(app, w, client):
    assert 'id="summary"' not in client.get(w["page"]).get_data(as_text=True)
    client.login(w["chair"])
    page = client.get(w["page"]).get_data(as_text=True)
    assert 'id="summary"' in page and w["edit"] in page


def test_moderators_saving_at_once_get_consecutive_versions(app, w):
    """The thread row is locked while the next number is chosen (PostgreSQL); SQLite's
    write transactions take turns. Either way: 1..n, no clash, nothing lost."""
    from concurrent.futures import ThreadPoolExecutor

    from app.accounts.models import User
    from app.database import write_transaction
    from proposals.models import Idea

    services.thread_for_idea(w["idea"])
    idea_id, ids = w["idea"].id, [w["council"].id, w["chair"].id, w["staff"].id] * 2
    db.session.commit()  # the threads below must not find this session reading

    def save_one(n_user):
        n, user_id = n_user
        with app.app_context():
            with write_transaction():
                idea = db.session.get(Idea, idea_id)
                summaries.write(services.thread_for_idea(idea), db.session.get(User, user_id),
                                f"同时保存{n}")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(save_one, enumerate(ids)))
    thread = services.find_thread(w["idea"])
    assert sorted(s.version for s in summaries.versions(thread)) == [1, 2, 3, 4, 5, 6]
