"""The same comment form sent twice writes one comment: a phone whose answer was lost
presses again, or the browser retries, and the thread does not show the words twice."""
from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from app.database import write_transaction
from app.extensions import db
from deliberation import services
from deliberation.models import Comment, Notification
from proposals.models import Idea
from proposals.outcomes.models import OutcomeComment

from . import outcomes_factories as of

KEY = re.compile(r'name="once"[^>]*value="([A-Za-z0-9_-]+)"|value="([A-Za-z0-9_-]+)"[^>]*name="once"')


def keys_on(page: str) -> list[str]:
    return [a or b for a, b in KEY.findall(page)]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_comment_sent_twice_with_its_form_key_is_written_once(make, client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    author, follower = make.user(c), make.user(c)
    make.comment(idea, author=follower)  # the follower gets told of new comments once
    client.login(author)
    page = f"/c/{c.slug}/ideas/{idea.id}"
    key = keys_on(client.get(page).get_data(as_text=True))[0]
    form = {"stance": "support", "body": "单元门口的灯坏了一个月了。", "once": key}
    first = client.post(f"{page}/comments", dict(form), token_from=page)
    again = client.post(f"{page}/comments", dict(form), token_from=page)
    assert first.status_code == again.status_code == 303
    assert first.location == again.location  # both answers point at the one comment
    assert count(Comment) == 2
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == follower.id))
    assert told == 1

    fresh = keys_on(client.get(page).get_data(as_text=True))[0]
    assert fresh != key  # the next form is a new attempt
    client.post(f"{page}/comments", {**form, "once": fresh}, token_from=page)
    assert count(Comment) == 3


def test_a_form_drawn_again_with_errors_keeps_its_key(make, client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    client.login(make.user(c))
    page = f"/c/{c.slug}/ideas/{idea.id}"
    refused = client.post(f"{page}/comments", {"stance": "support", "body": "",
                                               "once": "kept-key-0001"}, token_from=page)
    assert refused.status_code == 422
    assert "kept-key-0001" in keys_on(refused.get_data(as_text=True))
    assert count(Comment) == 0


def test_a_missing_or_strange_key_still_writes_each_time(make, client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    client.login(make.user(c))
    page = f"/c/{c.slug}/ideas/{idea.id}"
    for once in (None, "<script>", "x" * 200):
        form = {"stance": "oppose", "body": "太吵了。"} | ({"once": once} if once else {})
        assert client.post(f"{page}/comments", form, token_from=page).status_code == 303
    assert count(Comment) == 3


def test_a_reply_sent_twice_is_written_once(make, client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    parent = make.comment(idea)
    client.login(make.user(c))
    page = f"/c/{c.slug}/ideas/{idea.id}"
    key = keys_on(client.get(page).get_data(as_text=True))[-1]  # the reply form's
    for _ in range(2):
        answer = client.post(f"/c/{c.slug}/comments/{parent.id}/replies",
                             {"body": "同意楼上。", "once": key}, token_from=page)
        assert answer.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.parent_id == parent.id)) == 1


def test_two_people_may_send_forms_with_the_same_key(make, client, new_client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    page = f"/c/{c.slug}/ideas/{idea.id}"
    for person in (client, new_client()):
        person.login(make.user(c))
        person.post(f"{page}/comments", {"stance": "suggest", "body": "加个扶手。",
                                         "once": "same-key-0001"}, token_from=page)
    assert count(Comment) == 2


def test_an_outcome_comment_sent_twice_is_written_once(make, client):
    c = make.community(slug="cn")
    outcome = of.published(make, c, make.user(c, "staff"))
    client.login(make.user(c))
    page = f"/c/{c.slug}/outcomes/{outcome.id}"
    key = keys_on(client.get(page).get_data(as_text=True))[0]
    for _ in range(2):
        answer = client.post(f"{page}/comments", {"body": "雨棚很结实。", "once": key},
                             token_from=page)
        assert answer.status_code == 303
    assert count(OutcomeComment) == 1


def test_the_same_form_arriving_twice_at_once_is_written_once(app, make):
    """Two workers take the two copies at the same moment: on PostgreSQL both may look
    before either writes, and the unique key decides."""
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    author_id, idea_id = make.user(c).id, idea.id
    db.session.commit()
    barrier, lock, written = threading.Barrier(2), threading.Lock(), []

    def send() -> None:
        with app.app_context():
            from app.accounts.models import User
            author, idea_ = db.session.get(User, author_id), db.session.get(Idea, idea_id)
            barrier.wait(timeout=30)
            with write_transaction():
                thread = services.thread_for_idea(idea_)
                comment = services.post_comment(thread, author, "路灯太暗。", "support",
                                                "race-key-0001")
            with lock:
                written.append(comment.id)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    db.session.rollback()
    assert len(written) == 2 and written[0] == written[1]
    assert count(Comment) == 1


def _version_seen_by_others(channel: str) -> int:
    """The version another worker would read now (Redis, or a connection of its own)."""
    from deliberation import live
    from deliberation.models import ChangeMarker
    if live._redis() is not None:
        return live.version(channel)
    from app.database import _write_intent
    token = _write_intent.set(False)  # a reader's plain BEGIN, beside the open write
    try:
        with db.engine.connect() as conn:
            return conn.scalar(select(ChangeMarker.version).where(
                ChangeMarker.channel == channel)) or 0
    finally:
        _write_intent.reset(token)


def test_readers_learn_of_a_keyed_comment_only_once_it_is_committed(app, make):
    """The key's savepoint is released before the commit: a reader told of the new
    version then would fetch the thread without the comment and wait for a change that
    already happened."""
    from deliberation import live
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    author = make.user(c)
    make.comment(idea)
    channel = f"idea:{idea.id}"
    before = _version_seen_by_others(channel)
    with write_transaction():
        thread = services.thread_for_idea(idea)
        services.post_comment(thread, author, "晚上太黑", "support", "commit-key-01")
        assert _version_seen_by_others(channel) == before
    assert _version_seen_by_others(channel) > before
    assert live.version(channel) > before
