"""A saved ballot, comment or owner's vote is answered "saved" even when another writer
takes the database the moment after the commit.

Found by the stress test: on SQLite the reads that build the answer (the redirect needs
the community's slug, the round's id, reloaded after the commit) began with BEGIN
IMMEDIATE like the POST's writes, so they queued for the write lock; past the busy
timeout a ballot already saved was answered 503 "busy, please try again", and a comment
sent again was written twice. Here another connection holds the write lock (SQLite) or
an exclusive lock on the table (PostgreSQL) from the instant of the commit until the
answer has come.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from app.extensions import db
from deliberation.models import Comment
from proposals.owners.models import Owner, OwnerVote
from proposals.rounds.models import Participation

pytestmark = pytest.mark.stress
PROMPT = 2.0  # seconds: the busy timeout is 5, so an answer that waited for the lock is late


class _Lock:
    """Another connection taking the write lock and keeping it until `release`."""

    def __init__(self, table: str):
        if db.engine.dialect.name == "sqlite":
            self.conn = sqlite3.connect(db.engine.url.database, isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
            self.end = lambda: self.conn.execute("ROLLBACK")
        else:
            self.conn = db.engine.connect()
            self.conn.begin()
            self.conn.execute(text(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE'))
            self.end = self.conn.rollback

    def release(self):
        self.end()
        self.conn.close()


@contextmanager
def writer_after_commit(table: str):
    """From the first commit that wrote something, another writer holds the lock."""
    held: list[_Lock] = []

    def flushed(session, _context):
        session.info["wrote"] = True

    def committed(session):
        if session.in_nested_transaction():
            return  # a savepoint released (app/once.py): the real commit is still to come
        if session.info.pop("wrote", False) and not held:
            held.append(_Lock(table))

    event.listen(Session, "after_flush", flushed)
    event.listen(Session, "after_commit", committed)
    try:
        yield held
    finally:
        event.remove(Session, "after_flush", flushed)
        event.remove(Session, "after_commit", committed)
        for lock in held:
            lock.release()


def _send(client, url: str, data: dict, token_from: str, table: str):
    token = client.csrf_token(token_from)
    with writer_after_commit(table) as held:
        started = time.monotonic()
        response = client.http.post(url, data={"csrf_token": token, **data})
        seconds = time.monotonic() - started
    assert held, "nothing was committed"
    return response, seconds


def test_a_saved_ballot_is_answered_saved(make, client):
    c = make.community()
    r = make.round(c)
    voter = make.user(c)
    client.login(voter)
    page = f"/c/{c.slug}/rounds/{r.id}/ballot"
    response, seconds = _send(client, page, {"entry": str(r.entries[0].id)}, page,
                              "participation")
    assert response.status_code == 303 and "/ballot/done?saved=1" in response.location
    assert seconds < PROMPT
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1


def test_a_saved_comment_is_answered_saved(make, client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    make.comment(idea)
    client.login(make.user(c))
    response, seconds = _send(client, f"/c/{c.slug}/ideas/{idea.id}/comments",
                              {"stance": "support", "body": "楼道里需要更多灯。"},
                              f"/c/{c.slug}/ideas/{idea.id}", "comment")
    assert response.status_code == 303 and "#comment-" in response.location
    assert seconds < PROMPT
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 2


def test_a_saved_owners_vote_is_answered_saved(make, client):
    c = make.community()
    decision = make.owners_decision(c)
    voter = make.user(c)
    db.session.scalar(select(Owner).where(Owner.register_id == "A")).user_id = voter.id
    db.session.commit()
    client.login(voter)
    page = f"/c/{c.slug}/owners/{decision.id}"
    response, seconds = _send(client, f"{page}/vote", {"choice": "agree"}, page,
                              "owner_vote")
    assert response.status_code == 303 and response.location.endswith(page)
    assert seconds < PROMPT
    assert db.session.scalar(select(OwnerVote.choice)) == "agree"
