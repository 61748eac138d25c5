"""Free topics (议题): open one, list them without N+1, write in them, and turn one into an
idea that keeps its thread."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.timeutil import utcnow
from deliberation import topics
from deliberation.models import Comment, Thread
from proposals.models import Idea
from .querycount import counted_queries

HTMX = {"HX-Request": "true"}


def topic(make, c, author=None, title="流浪猫怎么办", body="猫越来越多，大家说说怎么办。",
          when=None) -> Thread:
    author = author or make.user(c)
    thread = Thread(community_id=c.id, title=title, body=body, author_id=author.id,
                    created_at=when or utcnow())
    db.session.add(thread)
    db.session.commit()
    return thread


def say(thread, author, body="设一个固定喂食点。", stance="suggest", parent=None, when=None):
    comment = Comment(thread_id=thread.id, author_id=author.id, body=body,
                      stance=None if parent else stance, parent_id=getattr(parent, "id", None),
                      created_at=when or utcnow())
    db.session.add(comment)
    db.session.commit()
    return comment


def url(c, thread, tail=""):
    return f"/c/{c.slug}/topics/{thread.id}{tail}"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- opening a topic ------------------------------------------------------------------


def test_a_verified_resident_opens_a_topic(app, make, client):
    c = make.community()
    author = make.user(c, display_name="楼组长 钱师傅")
    client.login(author)
    assert client.get(f"/c/{c.slug}/topics/new").status_code == 200
    response = client.post(f"/c/{c.slug}/topics/new",
                           {"title": " 楼道堆物 ", "body": "旧沙发堵住了消防通道。\n看这里 https://example.org/a"},
                           token_from=f"/c/{c.slug}/topics/new")
    assert response.status_code == 303
    thread = db.session.scalar(select(Thread))
    assert response.headers["Location"].endswith(f"/c/{c.slug}/topics/{thread.id}")
    assert (thread.title, thread.author_id, thread.idea_id, thread.community_id) == \
        ("楼道堆物", author.id, None, c.id)
    page = client.get(url(c, thread)).get_data(as_text=True)
    assert "楼道堆物" in page and "楼组长 钱师傅" in page and 'id="thread"' in page
    # The body goes through the comment filter: escaped, line breaks kept, links made safe.
    assert "旧沙发堵住了消防通道。<br>" in page
    assert '<a href="https://example.org/a" rel="nofollow noopener noreferrer ugc">' in page


def test_bad_topics_answer_422_and_nothing_is_saved(app, make, client):
    c = make.community()
    client.login(make.user(c))
    new = f"/c/{c.slug}/topics/new"
    for title, body in (("", "内容"), ("   ", "内容"), ("题" * 81, "内容"), ("标题", ""),
                        ("标题", "  \n "), ("标题", "字" * 5001)):
        response = client.post(new, {"title": title, "body": body}, token_from=new)
        assert response.status_code == 422, (title[:5], body[:5])
        assert 'class="error"' in response.get_data(as_text=True)
    assert client.post(new, {"title": "题" * 80, "body": "字" * 5000},
                       token_from=new).status_code == 303
    assert count(Thread) == 1


def test_only_verified_residents_open_topics(app, make, client):
    c, other = make.community(), make.community()
    new = f"/c/{c.slug}/topics/new"
    assert client.get(new).status_code == 302  # to the login page
    client.login(make.user(c, verified=False))
    assert client.post(new, {"title": "我也想说", "body": "内容"}).status_code == 403
    client.login(make.user(other))
    assert client.post(new, {"title": "隔壁小区", "body": "内容"}).status_code == 403
    assert count(Thread) == 0


# --- the list -------------------------------------------------------------------------


def test_the_list_shows_open_topics_newest_activity_first(app, make, client):
    c, other = make.community(), make.community()
    now, people = utcnow(), [make.user(c) for _ in range(3)]
    old = topic(make, c, people[0], title="老话题", when=now - timedelta(days=9))
    middle = topic(make, c, people[1], title="中间的话题", when=now - timedelta(days=5))
    topic(make, c, people[2], title="新话题", when=now - timedelta(days=1))
    topic(make, other, title="别的小区的话题")
    say(old, people[1], when=now - timedelta(hours=2))
    say(old, people[2], when=now - timedelta(hours=3))
    say(middle, people[0], when=now - timedelta(days=4))
    page = client.get(f"/c/{c.slug}/topics").get_data(as_text=True)
    assert page.index("老话题") < page.index("新话题") < page.index("中间的话题")
    assert "别的小区的话题" not in page
    rows = topics.topic_page(c).rows
    assert [(r.thread.title, r.comments) for r in rows] == [
        ("老话题", 2), ("新话题", 0), ("中间的话题", 1)]
    assert rows[0].last_activity == now - timedelta(hours=2)
    assert rows[1].last_activity == now - timedelta(days=1)


def _topics_with_comments(make, c, n):
    for i in range(n):
        author = make.user(c)
        thread = topic(make, c, author, title=f"话题{i}")
        say(thread, author, body=f"意见{i}")


def test_the_list_needs_the_same_queries_for_2_and_20_topics(app, make, client):
    small, big = make.community(), make.community()
    _topics_with_comments(make, small, 2)
    _topics_with_comments(make, big, 20)
    counts = []
    for c in (small, big):
        client.get(f"/c/{c.slug}/topics")  # warm caches equally for both
        with counted_queries() as statements:
            response = client.get(f"/c/{c.slug}/topics")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert "话题19" in response.get_data(as_text=True)


# --- writing in a topic ---------------------------------------------------------------


def test_posting_into_a_topic_without_javascript(app, make, client):
    c = make.community()
    thread = topic(make, c)
    client.login(make.user(c))
    response = client.post(url(c, thread, "/comments"), {"body": "反对在楼道口喂猫。", "stance": "oppose"},
                           token_from=url(c, thread))
    comment = db.session.scalar(select(Comment))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/topics/{thread.id}#comment-{comment.id}")
    assert (comment.thread_id, comment.stance) == (thread.id, "oppose")
    page = client.get(url(c, thread)).get_data(as_text=True)
    oppose = page[page.index('id="stance-oppose"'):page.index('id="stance-suggest"')]
    assert "反对在楼道口喂猫。" in oppose


def test_posting_into_a_topic_with_htmx(app, make, client):
    c = make.community()
    thread = topic(make, c)
    client.login(make.user(c))
    response = client.post(url(c, thread, "/comments"), {"body": "支持绝育放归。", "stance": "support"},
                           token_from=url(c, thread), headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="thread"')
    assert "支持绝育放归。" in body and "<html" not in body


def test_bad_comments_in_a_topic_answer_422(app, make, client):
    c = make.community()
    thread = topic(make, c)
    client.login(make.user(c))
    for headers in ({}, HTMX):
        for data in ({"body": "", "stance": "support"}, {"body": "好", "stance": "maybe"}):
            response = client.post(url(c, thread, "/comments"), data, token_from=url(c, thread),
                                   headers=headers)
            assert response.status_code == 422
    assert count(Comment) == 0


def test_replies_and_agreeing_work_in_a_topic(app, make, client):
    c = make.community()
    thread = topic(make, c)
    top = say(thread, make.user(c))
    client.login(make.user(c))
    response = client.post(f"/c/{c.slug}/comments/{top.id}/replies", {"body": "同意，喂完要收碗。"},
                           token_from=url(c, thread))
    assert response.status_code == 303 and f"/topics/{thread.id}#comment-" in response.headers["Location"]
    assert client.post(f"/c/{c.slug}/comments/{top.id}/agree", token_from=url(c, thread)).status_code == 303
    page = client.get(url(c, thread)).get_data(as_text=True)
    assert "同意，喂完要收碗。" in page


# --- turning a topic into an idea -----------------------------------------------------


def test_staff_turn_a_topic_into_an_idea_that_keeps_the_thread(app, make, client):
    c = make.community()
    author, staff = make.user(c, display_name="猫妈妈"), make.user(c, "staff")
    thread = topic(make, c, author, title="小区里设固定喂猫点", body="在3号楼后面设一个喂食点。")
    people = [make.user(c) for _ in range(3)]
    first = say(thread, people[0], body="支持，有个固定点就干净了。", stance="support")
    say(thread, people[1], body="反对，会招来更多的猫。", stance="oppose")
    say(thread, people[2], body="回复：先做绝育就不会。", parent=first)
    client.login(staff)
    response = client.post(url(c, thread, "/to-idea"), {"category": "environment"},
                           token_from=url(c, thread))
    assert response.status_code == 303
    idea = db.session.scalar(select(Idea))
    assert response.headers["Location"].endswith(f"/c/{c.slug}/ideas/{idea.id}")
    assert (idea.title, idea.description, idea.author_id, idea.stage, idea.category) == (
        "小区里设固定喂猫点", "在3号楼后面设一个喂食点。", author.id, "submitted", "environment")
    assert idea.timeline[0].to_stage == "submitted"
    db.session.refresh(thread)
    assert thread.idea_id == idea.id and count(Thread) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "topic.to_idea"))
    assert entry.actor_id == staff.id and entry.target_id == idea.id
    assert entry.detail["thread_id"] == thread.id

    idea_page = client.get(f"/c/{c.slug}/ideas/{idea.id}").get_data(as_text=True)
    for words in ("支持，有个固定点就干净了。", "反对，会招来更多的猫。", "回复：先做绝育就不会。"):
        assert words in idea_page
    topic_page = client.get(url(c, thread)).get_data(as_text=True)
    assert f'href="/c/{c.slug}/ideas/{idea.id}"' in topic_page
    assert "小区里设固定喂猫点" not in client.get(f"/c/{c.slug}/topics").get_data(as_text=True)
    # Staff screen it as usual, and the thread keeps working through the idea's routes.
    assert idea.id in [i.id for i in db.session.scalars(select(Idea).where(Idea.stage == "submitted"))]
    client.login(people[1])
    assert client.post(f"/c/{c.slug}/ideas/{idea.id}/comments",
                       {"body": "补充：喂食点要远离儿童游乐区。", "stance": "suggest"},
                       token_from=f"/c/{c.slug}/ideas/{idea.id}").status_code == 303
    assert client.post(f"/c/{c.slug}/comments/{first.id}/replies", {"body": "同意先绝育。"},
                       token_from=f"/c/{c.slug}/ideas/{idea.id}").status_code == 303
    bodies = set(db.session.scalars(select(Comment.body).where(Comment.thread_id == thread.id)))
    assert {"补充：喂食点要远离儿童游乐区。", "同意先绝育。"} <= bodies and len(bodies) == 5
    # A second conversion is refused; nothing new is made.
    client.login(staff)
    again = client.post(url(c, thread, "/to-idea"), {"category": "other"}, token_from=url(c, thread))
    assert again.status_code == 422 and count(Idea) == 1


def test_a_bad_category_is_refused(app, make, client):
    c = make.community()
    thread = topic(make, c)
    client.login(make.user(c, "staff"))
    response = client.post(url(c, thread, "/to-idea"), {"category": "rockets"},
                           token_from=url(c, thread))
    assert response.status_code == 422
    assert count(Idea) == 0 and db.session.get(Thread, thread.id).idea_id is None


def test_staff_see_the_form_and_residents_cannot_convert(app, make, client):
    c = make.community()
    thread = topic(make, c)
    client.login(make.user(c, "staff"))
    assert f'action="/c/{c.slug}/topics/{thread.id}/to-idea"' in client.get(url(c, thread)).get_data(as_text=True)
    client.login(make.user(c))
    assert "/to-idea" not in client.get(url(c, thread)).get_data(as_text=True)
    response = client.post(url(c, thread, "/to-idea"), {"category": "environment"},
                           token_from=url(c, thread))
    assert response.status_code == 403
    assert count(Idea) == 0 and count(AuditEntry) == 0


# --- other communities, other threads -------------------------------------------------


def test_a_topic_of_another_community_is_404_by_id(app, make, client):
    c, other = make.community(), make.community()
    thread = topic(make, c)
    assert client.get(url(other, thread)).status_code == 404
    client.login(make.user(other, "staff"))
    assert client.post(url(other, thread, "/comments"), {"body": "越界", "stance": "support"},
                       token_from=f"/c/{other.slug}/topics").status_code == 404
    assert client.post(url(other, thread, "/to-idea"), {"category": "other"},
                       token_from=f"/c/{other.slug}/topics").status_code == 404
    assert count(Comment) == 0 and count(Idea) == 0


def test_a_thread_on_an_idea_is_not_a_topic(app, make, client):
    c = make.community()
    idea = make.idea(c)
    comment = make.comment(idea)
    assert client.get(f"/c/{c.slug}/topics/{comment.thread_id}").status_code == 404
    assert client.get(f"/c/{c.slug}/topics/999999").status_code == 404
