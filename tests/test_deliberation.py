"""Threads: stances, replies, the edit window, tombstones, 有道理, locks, query counts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from deliberation import services
from deliberation.models import Comment, Reaction
from deliberation.queries import thread_view
from .querycount import counted_queries


def page_of(c, idea):
    return f"/c/{c.slug}/ideas/{idea.id}"


def post(client, c, idea, body, stance="support", **kw):
    return client.post(f"{page_of(c, idea)}/comments", {"body": body, "stance": stance},
                       token_from=page_of(c, idea), **kw)


def test_resident_posts_with_a_stance_and_sees_it_in_its_column(app, make, client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    client.login(make.user(c))
    assert post(client, c, idea, "反对：电费谁来出？", "oppose").status_code == 303
    page = client.get(page_of(c, idea)).get_data(as_text=True)
    oppose = page[page.index('id="stance-oppose"'):page.index('id="stance-suggest"')]
    assert "电费谁来出" in oppose
    support = page[page.index('id="stance-support"'):page.index('id="stance-oppose"')]
    assert "电费谁来出" not in support


def test_bad_comments_are_refused_and_nothing_is_stored(app, make, client):
    c = make.community()
    idea = make.idea(c)
    client.login(make.user(c))
    for body, stance in (("", "support"), ("好", "maybe"), ("好", ""), ("长" * 5001, "suggest")):
        assert post(client, c, idea, body, stance).status_code == 422
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_htmx_post_returns_the_thread_fragment(app, make, client):
    c = make.community()
    idea = make.idea(c)
    client.login(make.user(c))
    response = post(client, c, idea, "补充：先清理僵尸车", "suggest", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="thread"')
    assert "先清理僵尸车" in body and "<html" not in body


def test_unverified_and_outsiders_cannot_post(app, make, client):
    c, other = make.community(), make.community()
    idea = make.idea(c)
    client.login(make.user(c, verified=False))
    assert post(client, c, idea, "我也想说").status_code == 403
    client.login(make.user(other))
    assert post(client, c, idea, "隔壁小区的意见").status_code == 403
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_replies_stay_two_levels_deep(app, make):
    c = make.community()
    idea = make.idea(c)
    top = make.comment(idea)
    first = services.reply(top, make.user(c), "回复一楼")
    second = services.reply(first, make.user(c), "回复回复")
    db.session.commit()
    assert first.parent_id == top.id and second.parent_id == top.id
    view = thread_view(top.thread, None)
    assert [r.comment.body for r in view.by_stance["support"][0].replies] == ["回复一楼", "回复回复"]


def test_edit_within_fifteen_minutes_marks_edited(app, make, client):
    c = make.community()
    author = make.user(c)
    idea = make.idea(c)
    fresh, old = make.comment(idea, author=author), make.comment(idea, author=author)
    old.created_at = old.created_at - timedelta(minutes=16)
    db.session.commit()
    client.login(author)
    url = f"/c/{c.slug}/comments/{fresh.id}/edit"
    assert client.post(url, {"body": "改一下措辞"}, token_from=url).status_code == 303
    assert fresh.body == "改一下措辞" and fresh.edited_at is not None
    page = client.get(page_of(c, idea)).get_data(as_text=True)
    assert page.count('<span class="edited">已编辑</span>') == 1  # the edited one only
    assert client.get(f"/c/{c.slug}/comments/{old.id}/edit").status_code == 403
    other = make.user(c)
    client.login(other)
    assert client.get(url).status_code == 403


def test_delete_leaves_a_tombstone_and_keeps_replies(app, make, client):
    c = make.community()
    author = make.user(c)
    idea = make.idea(c)
    top = make.comment(idea, author=author, body="这句话我收回")
    make.comment(idea, parent=top, body="可是我同意你")
    client.login(author)
    url = f"/c/{c.slug}/comments/{top.id}/delete"
    assert client.post(url, token_from=page_of(c, idea)).status_code == 303
    page = client.get(page_of(c, idea)).get_data(as_text=True)
    assert "这句话我收回" not in page and "可是我同意你" in page
    assert top.deleted_at is not None and top.body == ""


def test_only_the_author_deletes(app, make, client):
    c = make.community()
    idea = make.idea(c)
    comment = make.comment(idea)
    client.login(make.user(c))
    url = f"/c/{c.slug}/comments/{comment.id}/delete"
    assert client.post(url, token_from=page_of(c, idea)).status_code == 403
    assert comment.deleted_at is None


def test_one_reaction_per_person(app, make, client):
    c = make.community()
    idea = make.idea(c)
    comment = make.comment(idea)
    client.login(make.user(c))
    url = f"/c/{c.slug}/comments/{comment.id}/agree"
    for expected in (1, 0, 1):
        client.post(url, token_from=page_of(c, idea))
        assert db.session.scalar(select(func.count(Reaction.id))) == expected


@pytest.mark.parametrize("stage", ["done", "not_adopted", "merged", "withdrawn"])
def test_threads_lock_when_the_idea_leaves_deliberation(app, make, client, stage):
    c = make.community()
    idea = make.idea(c, stage=stage)
    comment = make.comment(idea)
    client.login(make.user(c))
    response = post(client, c, idea, "还能说吗？")
    assert response.status_code == 303  # back to the page, with the message flashed
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "还能说吗" not in page
    assert db.session.scalar(select(func.count(Comment.id))) == 1
    with pytest.raises(services.DeliberationError):
        services.reply(comment, make.user(c), "回复")


def test_comment_text_is_never_markup(app, make, client):
    c = make.community()
    idea = make.idea(c)
    make.comment(idea, body='<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n'
                            'javascript:alert(3) 看 https://example.org/a?b=1')
    page = client.get(page_of(c, idea)).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="https://example.org/a?b=1" rel="nofollow noopener noreferrer ugc">' in page
    assert 'href="javascript' not in page


def _fill(make, idea, n):
    people = [make.user(idea.community) for _ in range(5)]
    tops = []
    for i in range(n):
        if i % 5 == 4 and tops:
            make.comment(idea, author=people[i % 5], parent=tops[-1], body=f"回复{i}")
        else:
            tops.append(make.comment(idea, author=people[i % 5],
                                     stance=("support", "oppose", "suggest")[i % 3], body=f"意见{i}"))
    for comment in tops[:10]:
        db.session.add(Reaction(comment_id=comment.id, user_id=people[0].id))
    db.session.commit()


def test_a_long_thread_renders_with_a_fixed_number_of_queries(app, make, client):
    c = make.community()
    small, big = make.idea(c), make.idea(c)
    _fill(make, small, 50)
    _fill(make, big, 500)
    client.login(make.user(c))
    counts = []
    for idea in (small, big):
        client.get(page_of(c, idea))  # warm caches equally for both
        with counted_queries() as statements:
            assert client.get(page_of(c, idea)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
