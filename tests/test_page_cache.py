"""Pages for people not signed in are drawn once and sent again until their community
changes: a new comment, a hidden one, a new stage show at the very next request."""
from __future__ import annotations

import dataclasses
import time

import pytest
from sqlalchemy import update

from app import create_app
from app.extensions import db
from proposals.models import Idea

HIT = "X-Page-Cache"


@pytest.fixture
def place(make):
    c = make.community(slug="home")
    idea = make.idea(c, stage="deliberating", title="楼道装感应灯")
    make.comment(idea, body="第一条意见")
    return c, idea


def page(client, url, **headers):
    answer = client.get(url, headers=headers)
    assert answer.status_code == 200
    return answer, answer.get_data(as_text=True)


def hit(client, url, **headers) -> bool:
    return page(client, url, **headers)[0].headers.get(HIT) == "hit"


def test_an_anonymous_page_is_drawn_once_and_a_new_comment_shows_at_once(
        place, make, client, new_client):
    c, idea = place
    url = f"/c/home/ideas/{idea.id}"
    reader = new_client()
    assert not hit(reader, url) and hit(reader, url)

    writer = client.login(make.user(c))
    answer = writer.post(f"{url}/comments", {"stance": "support", "body": "赞成，晚上太黑了"},
                         token_from=url)
    assert answer.status_code == 303
    answer, html = page(reader, url)
    assert answer.headers.get(HIT) is None and "赞成，晚上太黑了" in html
    assert hit(reader, url)


def test_hiding_a_comment_or_moving_the_idea_shows_at_once(place, make, client, new_client):
    c, idea = place
    url = f"/c/home/ideas/{idea.id}"
    reader = new_client()
    page(reader, url)
    assert hit(reader, url)

    comment = idea_comment(idea)
    from deliberation import moderation
    moderation.hide(comment, make.user(c, "staff"), "广告")
    db.session.commit()
    assert "第一条意见" not in page(reader, url)[1]

    db.session.execute(update(Idea).where(Idea.id == idea.id).values(title="楼道装声控灯"))
    db.session.commit()  # a statement past the unit of work counts too
    assert "楼道装声控灯" in page(reader, url)[1]


def idea_comment(idea):
    from sqlalchemy import select

    from deliberation.models import Comment, Thread
    return db.session.scalar(select(Comment).join(Thread).where(Thread.idea_id == idea.id))


def test_a_change_in_another_community_keeps_the_page(place, make, new_client):
    c, idea = place
    url = f"/c/home/ideas/{idea.id}"
    other = make.community(slug="other")
    neighbour = make.user(other)  # a new account bumps every community: names show anywhere
    reader = new_client()
    page(reader, url)
    make.comment(make.idea(other, author=neighbour, title="别处的事"), author=neighbour)
    db.session.commit()
    assert hit(reader, url)
    assert "别处的事" in page(reader, "/c/other/ideas")[1]


def test_signed_in_pages_and_pages_with_a_message_are_never_kept(place, make, client,
                                                                 new_client):
    c, idea = place
    url = f"/c/home/ideas/{idea.id}"
    client.login(make.user(c))
    page(client, url)
    assert not hit(client, url)

    reader = new_client()
    with reader.http.session_transaction() as session:
        session["_flashes"] = [("success", "已保存")]
    assert "已保存" in page(reader, url)[1]
    assert not hit(reader, url)  # drawn for the message, not kept


def test_each_language_and_mode_has_its_own_copy(place, new_client):
    c, idea = place
    url = f"/c/home/ideas/{idea.id}"
    reader = new_client()
    zh = page(reader, url, **{"Accept-Language": "zh-CN"})[1]
    en = page(reader, url, **{"Accept-Language": "en"})[1]
    assert zh != en and 'lang="en"' in en
    assert hit(reader, url, **{"Accept-Language": "en"})
    reader.http.set_cookie("elder", "1")
    answer, elder = page(reader, url, **{"Accept-Language": "en"})
    assert answer.headers.get(HIT) is None and elder != en


def test_a_copy_expires_after_page_cache_seconds(app, place, new_client):
    c, idea = place
    url = f"/c/home/ideas/{idea.id}"
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = dataclasses.replace(settings, page_cache_seconds=1)
    try:
        reader = new_client()
        page(reader, url)
        assert hit(reader, url)
        time.sleep(1.1)
        assert not hit(reader, url)
    finally:
        app.config["SETTINGS"] = settings


def test_a_write_through_another_worker_is_seen(app, place, make, new_client):
    """Two workers share the database (and Redis when set): the other one's comment
    changes the counter this one reads."""
    c, idea = place
    url = f"/c/home/ideas/{idea.id}"
    reader = new_client()
    page(reader, url)
    assert hit(reader, url)

    other_worker = create_app(app.config["SETTINGS"])
    with other_worker.app_context():
        from deliberation import services
        with db.session.begin():
            thread = services.thread_for_idea(db.session.get(Idea, idea.id))
            from app.accounts.models import User
            author = db.session.get(User, idea.author_id)
            services.post_comment(thread, author, "另一个进程写的", "suggest")
        db.session.remove()
    assert "另一个进程写的" in page(reader, url)[1]


def test_counters_out_of_reach_leave_the_page_to_its_view(tmp_path):
    """Redis down: the cache steps aside (no copy kept or sent), the page is drawn."""
    from .conftest import make_settings
    settings = make_settings(tmp_path, "sqlite", redis_url="redis://127.0.0.1:1/0")
    site = create_app(settings)
    with site.app_context():
        db.create_all()
    reader = site.test_client()
    for _ in range(2):
        answer = reader.get("/privacy")
        assert answer.status_code == 200 and HIT not in answer.headers
