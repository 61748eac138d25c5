"""SQLite done right (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE for writes)."""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

# Set for requests and commands that will write: SQLite then takes the write lock at
# BEGIN, so a transaction that reads first cannot fail to upgrade its lock later.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


def set_write_intent(value: bool) -> contextvars.Token:
    return _write_intent.set(value)


@contextmanager
def write_transaction():
    """Run the body in a transaction that will write; commit on success."""
    token = _write_intent.set(True)
    try:
        db.session.rollback()  # start afresh so the next BEGIN is IMMEDIATE
        yield db.session
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        _write_intent.reset(token)
        # What follows only reads (the redirect, the page): a plain BEGIN, which under
        # WAL never waits for a writer. Restoring a POST's intent made the reads after
        # the commit queue for the write lock again: under load a saved ballot was
        # answered "busy, please try again" (and a comment sent again would be written
        # twice). tests/stress/test_answer_after_commit.py
        _write_intent.set(False)


@contextmanager
def read_first():
    """Read in a plain transaction even inside a POST, then end it: for work that is
    slow before it writes anything (checking a password takes tens of milliseconds,
    and SQLite's write lock must not be held meanwhile)."""
    token = _write_intent.set(False)
    try:
        db.session.rollback()
        yield db.session
    finally:
        db.session.rollback()
        _write_intent.reset(token)


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Leave transaction control to the "begin" hook below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def is_busy_error(exc: BaseException) -> bool:
    """True when the database stayed locked past the busy timeout."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text or "lock timeout" in text
