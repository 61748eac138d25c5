"""Live threads over HTTP: the version check answers 204 cheaply until someone writes,
then the fresh thread with a higher version; the version moves only after commit; every
worker agrees on it (database change marker without Redis, Redis with REDIS_URL)."""
from __future__ import annotations

import dataclasses
import os
import re
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import create_app
from app.database import write_transaction
from app.extensions import db
from deliberation import live, services, topics
from deliberation.models import ChangeMarker

from .conftest import PASSWORD, Client, _FreshContextClient, make_settings
from .factories import Factory

COMMENTS_VERSION = re.compile(r'<div id="thread-comments"[^>]*\sdata-live-version="(\d+)"')
POLLER = re.compile(r'<div id="thread-live"[^>]*\shx-get="([^"]+)"')
HTMX = {"HX-Request": "true"}


def page_of(c, idea) -> str:
    return f"/c/{c.slug}/ideas/{idea.id}"


def live_url(c, idea, version) -> str:
    return f"{page_of(c, idea)}/thread/live?v={version}"


def shown_version(html: str) -> int:
    """The version a page or fragment shows, checked to be the same in both places."""
    comments = int(COMMENTS_VERSION.search(html).group(1))
    poller = POLLER.search(html).group(1)
    assert poller.endswith(f"/live?v={comments}"), (comments, poller)
    return comments


def column(html: str, stance: str) -> str:
    start = html.index(f'id="stance-{stance}"')
    end = html.find('class="column', start + 1)
    return html[start:end if end > 0 else len(html)]


def post(client, c, idea, body, stance="oppose", **kw):
    return client.post(f"{page_of(c, idea)}/comments", {"body": body, "stance": stance},
                       token_from=page_of(c, idea), **kw)


def uses_redis(app) -> bool:
    return bool(app.config["SETTINGS"].redis_url)


def seen_by_another_worker(app, channel: str) -> int:
    """The channel's version as a separate worker reads it: through Redis, or through
    its own database connection (which never sees an uncommitted change)."""
    if uses_redis(app):
        return live.version(channel)
    engine = db.engine

    def read() -> int:  # in a thread of its own, as a worker would: its own connection
        with Session(engine) as other:
            return other.scalar(select(ChangeMarker.version)
                                .where(ChangeMarker.channel == channel)) or 0

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(read).result(timeout=30)


class StatementLog:
    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _record(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                      "RELEASE")):
            self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)


# --- the version check -------------------------------------------------------------------

def test_unchanged_thread_answers_204_with_one_small_read(app, make, client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    make.comment(idea, stance="support")
    client.login(make.user(c))
    version = shown_version(client.get(page_of(c, idea)).get_data(as_text=True))

    url = live_url(c, idea, version)
    with StatementLog(db.engine) as log:
        response = client.get(url, headers=HTMX)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "no-store" in response.headers["Cache-Control"]
    # The community of the URL (every /c/<slug>/ page loads it) and the change marker
    # (or, with Redis, one GET and no query for it); no idea, thread or user is loaded.
    markers = [s for s in log.statements if "change_marker" in s]
    assert len(markers) == (0 if uses_redis(app) else 1), log.statements
    assert len(log.statements) == len(markers) + 1, log.statements
    assert "community" in log.statements[0]


def test_comment_by_someone_else_arrives_with_a_higher_version(app, make, client, new_client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    reader, writer = client.login(make.user(c)), new_client().login(make.user(c))
    before = shown_version(reader.get(page_of(c, idea)).get_data(as_text=True))
    assert reader.get(live_url(c, idea, before), headers=HTMX).status_code == 204

    assert post(writer, c, idea, "反对：充电桩离儿童游乐区太近。").status_code == 303

    response = reader.get(live_url(c, idea, before), headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert html.lstrip().startswith('<section id="thread"') and "<html" not in html
    assert "离儿童游乐区太近" in column(html, "oppose")
    assert "离儿童游乐区太近" not in column(html, "support")
    after = shown_version(html)
    assert after > before
    # Now the reader is up to date: cheap again.
    assert reader.get(live_url(c, idea, after), headers=HTMX).status_code == 204


def test_replies_edits_deletions_and_agreements_move_the_version(app, make, client, new_client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    author = make.user(c)
    top = make.comment(idea, author=author, stance="oppose", body="反对")
    reader, writer = client, new_client().login(author)
    seen = shown_version(reader.get(page_of(c, idea)).get_data(as_text=True))

    def moved() -> bool:
        nonlocal seen
        response = reader.get(live_url(c, idea, seen), headers=HTMX)
        if response.status_code == 204:
            return False
        seen = shown_version(response.get_data(as_text=True))
        return True

    page = page_of(c, idea)
    assert writer.post(f"/c/{c.slug}/comments/{top.id}/replies", {"body": "补充一句"},
                       token_from=page).status_code == 303
    assert moved()
    assert writer.post(f"/c/{c.slug}/comments/{top.id}/edit", {"body": "反对（改）"},
                       token_from=page).status_code == 303
    assert moved()
    agreer = new_client().login(make.user(c))
    assert agreer.post(f"/c/{c.slug}/comments/{top.id}/agree", {},
                       token_from=page).status_code == 303
    assert moved()
    assert writer.post(f"/c/{c.slug}/comments/{top.id}/delete", {},
                       token_from=page).status_code == 303
    assert moved()
    assert not moved()


def test_a_missing_or_odd_version_gets_the_thread(app, make, client):
    c = make.community()
    idea = make.idea(c)
    for query in ("", "?v=", "?v=abc", "?v=-5"):
        response = client.get(f"{page_of(c, idea)}/thread/live{query}", headers=HTMX)
        assert response.status_code == 200, query
        assert shown_version(response.get_data(as_text=True)) == live.version(f"idea:{idea.id}")


def test_an_idea_of_another_community_or_none_is_not_found(app, make, client):
    c, other = make.community(), make.community()
    idea = make.idea(c)
    make.comment(idea)  # the thread exists, so v=0 is stale and the idea is looked up
    assert client.get(f"/c/{other.slug}/ideas/{idea.id}/thread/live?v=-1").status_code == 404
    assert client.get(f"/c/{c.slug}/ideas/999999/thread/live?v=-1").status_code == 404
    assert client.get(f"/c/nowhere/ideas/{idea.id}/thread/live?v=0").status_code == 404


def test_failed_posts_do_not_move_the_version(app, make, client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    client.login(make.user(c))
    version = shown_version(client.get(page_of(c, idea)).get_data(as_text=True))
    assert post(client, c, idea, "", "oppose").status_code == 422
    idea.stage = "done"  # locked: the service refuses
    db.session.commit()
    assert post(client, c, idea, "太晚了", "oppose", headers=HTMX).status_code == 422
    assert client.get(live_url(c, idea, version), headers=HTMX).status_code == 204


def test_the_page_polls_only_the_comments_and_never_sends_what_is_typed(app, make, client):
    """The markup the browser test relies on: the poller swaps #thread-comments only;
    the comment form stays outside it; nothing typed is included in the poll."""
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    make.comment(idea, stance="oppose")
    client.login(make.user(c))
    html = client.get(page_of(c, idea)).get_data(as_text=True)
    thread = html[html.index('<section id="thread"'):]
    comments_start = thread.index('<div id="thread-comments"')
    form_start = thread.index('class="stacked comment-form"')
    assert comments_start < thread.index('id="stance-oppose"') < form_start
    poller = re.search(r'<div id="thread-live"[^>]*>', thread).group(0)
    for attribute in ('hx-trigger="every 2s"', 'hx-target="#thread-comments"',
                      'hx-select="#thread-comments"', 'hx-swap="outerHTML"',
                      'hx-params="none"', 'hx-validate="true"'):
        assert attribute in poller
    assert "hx-on" not in thread and "javascript:" not in thread


def test_topics_poll_too(app, make, client, new_client):
    c = make.community()
    author = make.user(c)
    with write_transaction():
        topic = topics.start_topic(c, author, "流浪猫越来越多", "要不要一起想办法？")
    url = f"/c/{c.slug}/topics/{topic.id}"
    html = client.get(url).get_data(as_text=True)
    before = shown_version(html)
    assert f"/topics/{topic.id}/live?v={before}" in POLLER.search(html).group(1)
    assert client.get(f"{url}/live?v={before}", headers=HTMX).status_code == 204
    with write_transaction():
        services.post_comment(db.session.merge(topic), author, "我可以每天喂一次。", "suggest")
    response = client.get(f"{url}/live?v={before}", headers=HTMX)
    assert response.status_code == 200
    assert "每天喂一次" in response.get_data(as_text=True)
    assert shown_version(response.get_data(as_text=True)) > before


# --- publishing happens after commit -----------------------------------------------------

def test_the_version_moves_only_when_the_writing_transaction_commits(app, make):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    author = make.user(c)
    channel = f"idea:{idea.id}"
    before = seen_by_another_worker(app, channel)

    with write_transaction():
        services.post_comment(services.thread_for_idea(idea), author, "先写后发", "oppose")
        # Written and flushed, not committed: no other worker may see a new version yet
        # (it would fetch a thread without the comment and then think it up to date).
        assert seen_by_another_worker(app, channel) == before
    assert seen_by_another_worker(app, channel) == before + 1

    with pytest.raises(RuntimeError):
        with write_transaction():
            services.post_comment(services.thread_for_idea(idea), author, "作废", "oppose")
            raise RuntimeError("rolled back")
    assert seen_by_another_worker(app, channel) == before + 1
    db.session.commit()  # a later, unrelated commit does not publish the rolled-back one
    assert seen_by_another_worker(app, channel) == before + 1


# --- several workers ---------------------------------------------------------------------

def _worker_pair(tmp_path, **overrides):
    """Two app instances (as two gunicorn workers) on one SQLite file, one secret key."""
    first = create_app(make_settings(tmp_path, "sqlite", **overrides))
    second = create_app(dataclasses.replace(first.config["SETTINGS"]))
    with first.app_context():
        db.create_all()
    return first, second


def _dispose(*apps):
    for one in apps:
        with one.app_context():
            db.session.remove()
            db.engine.dispose()


def test_two_workers_share_the_database_change_marker(tmp_path):
    first, second = _worker_pair(tmp_path)
    try:
        with first.app_context():
            assert live._redis() is None
            live.publish("meeting:7")
            live.publish("meeting:7")
            db.session.commit()
        with second.app_context():
            assert live.version("meeting:7") == 2
            assert live.version("meeting:8") == 0
            live.publish("meeting:7")
            db.session.commit()
        with first.app_context():
            assert live.version("meeting:7") == 3
    finally:
        _dispose(first, second)


def test_a_comment_posted_through_one_worker_reaches_a_reader_of_the_other(tmp_path):
    first, second = _worker_pair(tmp_path)
    try:
        with first.app_context():
            make = Factory(PASSWORD)
            c = make.community()
            idea = make.idea(c, stage="deliberating")
            writer_user, reader_user = (SimpleNamespace(username=make.user(c).username)
                                        for _ in range(2))
            slug, idea_id = c.slug, idea.id
        with second.app_context():
            reader = Client(_FreshContextClient(second, use_cookies=True)).login(reader_user)
            page = reader.get(f"/c/{slug}/ideas/{idea_id}").get_data(as_text=True)
            before = shown_version(page)
            url = f"/c/{slug}/ideas/{idea_id}/thread/live?v={before}"
            assert reader.get(url, headers=HTMX).status_code == 204
        with first.app_context():
            writer = Client(_FreshContextClient(first, use_cookies=True)).login(writer_user)
            response = writer.post(f"/c/{slug}/ideas/{idea_id}/comments",
                                   {"body": "跨进程也能看到", "stance": "oppose"},
                                   token_from=f"/c/{slug}/ideas/{idea_id}")
            assert response.status_code == 303
        with second.app_context():
            response = reader.get(url, headers=HTMX)
            assert response.status_code == 200
            html = response.get_data(as_text=True)
            assert "跨进程也能看到" in column(html, "oppose") and shown_version(html) > before
    finally:
        _dispose(first, second)


def test_sqlite_with_redis_shares_versions_through_redis(tmp_path):
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set; CI always sets it, and this is the one test of "
                    "the Redis backend on SQLite (the PostgreSQL runs use Redis throughout)")
    first, second = _worker_pair(tmp_path, redis_url=url)
    channel = "idea:1"
    try:
        with first.app_context():
            make = Factory(PASSWORD)
            c = make.community()
            idea = make.idea(c, stage="deliberating")
            author = make.user(c)
            channel = f"idea:{idea.id}"
            live._redis().delete(live._KEY + channel)  # ids restart with every test database
            with write_transaction():
                services.post_comment(services.thread_for_idea(idea), author, "红", "oppose")
                assert live.version(channel) == 0  # not before commit
            assert live.version(channel) == 1
            assert db.session.scalar(select(ChangeMarker)) is None
            slug, idea_id = c.slug, idea.id
        with second.app_context():
            reader = Client(_FreshContextClient(second, use_cookies=True))
            assert reader.get(f"/c/{slug}/ideas/{idea_id}/thread/live?v=1",
                              headers=HTMX).status_code == 204
            response = reader.get(f"/c/{slug}/ideas/{idea_id}/thread/live?v=0", headers=HTMX)
            assert response.status_code == 200 and shown_version(
                response.get_data(as_text=True)) == 1
    finally:
        with first.app_context():
            live._redis().delete(live._KEY + channel)
        _dispose(first, second)
