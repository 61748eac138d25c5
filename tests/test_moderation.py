"""Moderation: flag, the queue, hide with a reason, restore, dismiss; audited; per community."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from deliberation import moderation
from deliberation.models import Comment, Flag
from deliberation.services import DeliberationError

RUDE = "楼上的你懂什么，闭嘴吧"


@pytest.fixture
def w(make):
    """Community a with an idea and a comment; community b with its own council member."""
    a, b = make.community(slug="a"), make.community(slug="b")
    idea = make.idea(a, stage="deliberating")
    author = make.user(a)
    return dict(a=a, b=b, idea=idea, author=author,
                comment=make.comment(idea, author=author, body=RUDE, stance="oppose"),
                resident=make.user(a), council=make.user(a, "council"),
                staff=make.user(a, "staff"), council_b=make.user(b, "council"),
                page=f"/c/a/ideas/{idea.id}")


def actions(comment) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "Comment", AuditEntry.target_id == comment.id)
        .order_by(AuditEntry.id)))


def fresh(comment) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


# ---- the rules, without HTTP --------------------------------------------------------

def test_a_member_flags_once_and_the_case_is_queued(app, w):
    moderation.flag(w["comment"], w["resident"], "人身攻击")
    db.session.commit()
    with pytest.raises(DeliberationError, match="already|已经"):
        moderation.flag(w["comment"], w["resident"], "再说一次")
    db.session.rollback()
    cases = moderation.queue(w["a"]).open
    assert [c.comment.id for c in cases] == [w["comment"].id]
    assert [f.reason for f in cases[0].open_flags] == ["人身攻击"]
    assert moderation.open_count(w["a"]) == 1
    assert moderation.queue(w["b"]).open == [] and moderation.open_count(w["b"]) == 0
    assert actions(w["comment"]) == ["comment.flag"]


def test_authors_outsiders_and_empty_reasons_cannot_flag(app, make, w):
    for user, reason in ((w["author"], "我自己"), (w["council_b"], "隔壁"),
                         (w["resident"], "  "), (w["resident"], "长" * 501)):
        with pytest.raises(DeliberationError):
            moderation.flag(w["comment"], user, reason)
        db.session.rollback()
    assert db.session.scalar(select(func.count(Flag.id))) == 0


def test_hide_settles_flags_and_restore_brings_the_words_back(app, w):
    comment, council = w["comment"], w["council"]
    moderation.flag(comment, w["resident"], "人身攻击")
    moderation.hide(comment, council, "人身攻击，违反议事规则")
    db.session.commit()
    comment = fresh(comment)
    assert comment.is_tombstone and comment.hidden_by_id == council.id
    assert comment.hidden_reason == "人身攻击，违反议事规则" and comment.body == RUDE
    queue = moderation.queue(w["a"])
    assert queue.open == [] and [c.comment.id for c in queue.handled] == [comment.id]
    assert all(f.resolved_by_id == council.id for f in queue.handled[0].flags)
    moderation.restore(comment, w["staff"])
    db.session.commit()
    comment = fresh(comment)
    assert not comment.is_tombstone and comment.hidden_reason == "" and comment.hidden_by_id is None
    assert actions(comment) == ["comment.flag", "comment.hide", "comment.restore"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "comment.hide"))
    assert entry.actor_id == council.id and entry.community_id == w["a"].id
    assert entry.detail["reason"] == "人身攻击，违反议事规则"


def test_hiding_needs_a_moderator_of_the_community_and_a_reason(app, w):
    for user, reason in ((w["resident"], "不喜欢"), (w["council_b"], "越界"),
                         (w["council"], ""), (w["council"], " \n ")):
        with pytest.raises(DeliberationError):
            moderation.hide(w["comment"], user, reason)
        db.session.rollback()
    assert fresh(w["comment"]).hidden_at is None and actions(w["comment"]) == []


def test_dismissing_keeps_the_comment_and_closes_the_reports(app, w):
    moderation.flag(w["comment"], w["resident"], "不礼貌")
    assert moderation.dismiss(w["comment"], w["council"]) == 1
    db.session.commit()
    assert moderation.queue(w["a"]).open == [] and not fresh(w["comment"]).is_tombstone
    with pytest.raises(DeliberationError):
        moderation.dismiss(w["comment"], w["council"])
    db.session.rollback()
    assert actions(w["comment"]) == ["comment.flag", "comment.dismiss"]


def test_oldest_open_report_comes_first(app, make, w):
    later = make.comment(w["idea"], body="第二条", author=w["author"])
    moderation.flag(later, w["resident"], "广告")
    moderation.flag(w["comment"], w["council"], "骂人")
    db.session.commit()
    assert [c.comment.id for c in moderation.queue(w["a"]).open] == [later.id, w["comment"].id]


# ---- over HTTP ----------------------------------------------------------------------

def flag(client, w, reason="人身攻击", **kw):
    return client.post(f"/c/a/comments/{w['comment'].id}/flag", {"reason": reason},
                       token_from=w["page"], **kw)


def hide(client, w, reason="人身攻击，违反议事规则", slug="a", **kw):
    return client.post(f"/c/{slug}/comments/{w['comment'].id}/hide", {"reason": reason},
                       token_from=f"/c/{slug}/", **kw)


def test_flag_over_http_reaches_the_queue_of_this_community_only(app, w, client, new_client):
    client.login(w["resident"])
    page = client.get(w["page"]).get_data(as_text=True)
    assert f"/c/a/comments/{w['comment'].id}/flag" in page
    assert f"/comments/{w['comment'].id}/hide" not in page
    assert flag(client, w).status_code == 303
    again = flag(client, w, "再报一次", headers={"HX-Request": "true"})
    assert again.status_code == 422 and 'role="alert"' in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Flag.id))) == 1
    assert client.get("/c/a/moderation").status_code == 403

    council = new_client().login(w["council"])
    queue = council.get("/c/a/moderation")
    body = queue.get_data(as_text=True)
    assert queue.status_code == 200 and "人身攻击" in body and RUDE in body
    assert f"#comment-{w['comment'].id}" in body

    outsider = new_client().login(w["council_b"])
    assert outsider.get("/c/a/moderation").status_code == 403
    assert RUDE not in outsider.get("/c/b/moderation").get_data(as_text=True)


def test_the_author_sees_no_report_form_and_cannot_flag(app, w, client):
    client.login(w["author"])
    assert f"/comments/{w['comment'].id}/flag" not in client.get(w["page"]).get_data(as_text=True)
    assert flag(client, w).status_code == 422
    assert db.session.scalar(select(func.count(Flag.id))) == 0


def test_hide_and_restore_over_http(app, w, client, new_client):
    client.login(w["council"])
    assert f"/comments/{w['comment'].id}/hide" in client.get(w["page"]).get_data(as_text=True)
    response = hide(client, w)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{w['page']}#comment-{w['comment'].id}")
    reader = new_client()
    page = reader.get(w["page"]).get_data(as_text=True)
    assert RUDE not in page and "人身攻击，违反议事规则" in page
    restored = client.post(f"/c/a/comments/{w['comment'].id}/restore", {"back": "queue"},
                           token_from="/c/a/moderation")
    assert restored.status_code == 303 and restored.headers["Location"].endswith("/c/a/moderation")
    assert RUDE in reader.get(w["page"]).get_data(as_text=True)
    assert actions(w["comment"]) == ["comment.hide", "comment.restore"]


def test_hide_in_place_with_htmx(app, w, client):
    client.login(w["staff"])
    response = hide(client, w, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="thread"')
    assert RUDE not in body and "人身攻击，违反议事规则" in body


def test_hiding_without_a_reason_is_422_and_changes_nothing(app, w, client):
    client.login(w["council"])
    for kw in ({}, {"headers": {"HX-Request": "true"}}):
        response = hide(client, w, reason="   ", **kw)
        assert response.status_code == 422
    queue = client.post(f"/c/a/comments/{w['comment'].id}/hide", {"reason": "", "back": "queue"},
                        token_from="/c/a/moderation")
    assert queue.status_code == 422 and 'role="alert"' in queue.get_data(as_text=True)
    assert fresh(w["comment"]).hidden_at is None and actions(w["comment"]) == []


def test_residents_cannot_hide_restore_or_dismiss(app, w, client):
    client.login(w["resident"])
    for action in ("hide", "restore", "dismiss"):
        response = client.post(f"/c/a/comments/{w['comment'].id}/{action}", {"reason": "x"},
                               token_from=w["page"])
        assert response.status_code == 403
    assert fresh(w["comment"]).hidden_at is None


def test_a_moderator_of_another_community_cannot_hide_by_id(app, w, client):
    client.login(w["council_b"])
    assert hide(client, w, slug="b").status_code == 404
    assert hide(client, w, slug="a").status_code == 403
    assert fresh(w["comment"]).hidden_at is None and actions(w["comment"]) == []


def test_queue_actions_work_from_the_queue(app, w, client):
    moderation.flag(w["comment"], w["resident"], "广告")
    db.session.commit()
    client.login(w["council"])
    url = f"/c/a/comments/{w['comment'].id}/dismiss"
    response = client.post(url, {"back": "queue"}, token_from="/c/a/moderation",
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="queue"' in response.get_data(as_text=True)
    assert moderation.queue(w["a"]).open == []
    assert actions(w["comment"]) == ["comment.flag", "comment.dismiss"]


def test_reasons_are_shown_as_text(app, w, client):
    moderation.flag(w["comment"], w["resident"], "<script>alert(1)</script>")
    moderation.hide(w["comment"], w["council"], "<img src=x onerror=alert(2)>")
    db.session.commit()
    page = client.get(w["page"]).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    client.login(w["council"])
    queue = client.get("/c/a/moderation").get_data(as_text=True)
    assert "<script>alert(1)" not in queue and "<img src=x" not in queue
    assert "&lt;script&gt;alert(1)" in queue
