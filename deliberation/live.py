"""A small publish/subscribe for live pages: a version number per channel.

Writers call `publish(channel)` in the transaction that changes something; readers
compare `version(channel)` with what their page shows and fetch the new part when it
moved. Without Redis the counter is a row in the database (every worker sees it; process
memory would not be shared); with REDIS_URL it is a Redis key. Meetings reuse this.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.extensions import db

from .models import ChangeMarker

_KEY = "yishiting:live:"
_PENDING = "live_channels"


def _redis():
    url = current_app.config["SETTINGS"].redis_url
    if not url:
        return None
    client = current_app.extensions.get("yishiting_redis")
    if client is None:
        import redis
        client = redis.Redis.from_url(url, socket_timeout=2)
        current_app.extensions["yishiting_redis"] = client
    return client


def publish(channel: str) -> None:
    """Mark `channel` changed once the caller's transaction commits."""
    if _redis() is not None:
        # Bumped after commit: a reader must never see the new version before the data.
        db.session.info.setdefault(_PENDING, set()).add(channel)
        return
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ChangeMarker).values(channel=channel, version=1)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["channel"], set_={"version": ChangeMarker.version + 1}))


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint released (app/once.py): the data is not committed yet
    channels = session.info.pop(_PENDING, None)
    if not channels:
        return
    try:
        r = _redis()
        for channel in channels:
            r.incr(_KEY + channel)
    except Exception:  # the data is saved; readers catch up at the next change
        current_app.logger.warning("live update not published: Redis unreachable",
                                   exc_info=True)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    if session.in_nested_transaction():
        return  # only a savepoint: what the transaction published before it still stands
    session.info.pop(_PENDING, None)


def version(channel: str) -> int:
    r = _redis()
    if r is not None:
        value = r.get(_KEY + channel)
        return int(value) if value else 0
    return db.session.scalar(select(ChangeMarker.version)
                             .where(ChangeMarker.channel == channel)) or 0


def thread_channel(thread) -> str:
    # Named by the idea, so readers can follow a thread that has no row yet.
    return f"idea:{thread.idea_id}" if thread.idea_id else f"thread:{thread.id}"
