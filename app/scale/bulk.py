"""Fast, deterministic writing: Core INSERTs of many rows at once, ids chosen by us.

Rows wait in memory per table and go to the database in batches, every table in the
order of its foreign keys, so a child never reaches the database before its parent. A
column whose model default is a function (a random token, `utcnow`) must be given:
otherwise two runs would differ.
"""
from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from datetime import datetime, timezone

from sqlalchemy import Integer, column, func, insert, inspect, select, text
from sqlalchemy import table as table_clause

from app.extensions import db

BATCH = 5_000


def tables():
    return db.metadata.sorted_tables


def table(name: str):
    return db.metadata.tables[name]


class Loader:
    """Collects rows per table and inserts them in batches, parents first."""

    def __init__(self, conn, batch: int = BATCH):
        self.conn = conn
        # The columns the target has: while the models run ahead of the migrations, a
        # new column is left to its server default rather than failing the whole load.
        found = inspect(conn)
        self.columns = {t.name: {c["name"] for c in found.get_columns(t.name)}
                        for t in tables() if found.has_table(t.name)}
        self.skipped: set[str] = set()
        self.batch = batch
        self.pending: dict[str, list[dict]] = defaultdict(list)
        self.counts: Counter = Counter()
        self.last_id: Counter = Counter()
        self._fill = {}

    def new_id(self, name: str) -> int:
        self.last_id[name] += 1
        return self.last_id[name]

    def add(self, name: str, row: dict) -> dict:
        """Queue a row (give "id" yourself or take `new_id`); returned for later edits
        until it is flushed."""
        self.pending[name].append(row)
        if len(self.pending[name]) >= self.batch:
            self.flush()
        return row

    def flush(self) -> None:
        for t in tables():
            rows = self.pending.pop(t.name, None)
            if rows:
                if t.name not in self.columns:
                    self.skipped.add(t.name)
                    continue
                self.conn.execute(insert(self._target(t)), [self._complete(t, r) for r in rows])
                self.counts[t.name] += len(rows)

    def _target(self, t):
        """The table as the target has it, without the models' Python-side defaults
        (every value is ours) but with their types (UTC times, money)."""
        present = self.columns[t.name]
        return table_clause(t.name, *[column(c.name, c.type) for c in t.columns
                                      if c.name in present])

    def _complete(self, t, row: dict) -> dict:
        """Every column present (executemany needs the same keys in every row)."""
        fill = self._fill.get(t.name)
        if fill is None:
            fill = self._fill[t.name] = _fillers(t, self.columns[t.name])
            self.skipped.update(f"{t.name}.{c.name}" for c in t.columns
                                if c.name not in self.columns[t.name])
        for key in row.keys() - fill.keys():
            del row[key]
        missing = fill.keys() - row.keys()
        for key in missing:
            value = fill[key]
            if value is _REQUIRED:
                raise ValueError(f"{t.name}.{key} must be given: its default is not fixed")
            row[key] = value
        return row


_REQUIRED = object()


def _fillers(t, present: set[str]) -> dict:
    """Column → the value to use when a row leaves it out (columns the target has)."""
    out = {}
    for c in t.columns:
        if c.name not in present:
            continue
        if c.default is not None:
            out[c.key] = c.default.arg if c.default.is_scalar else _REQUIRED
        elif c.primary_key and isinstance(c.type, Integer) and len(t.primary_key) == 1:
            out[c.key] = _REQUIRED  # ids are ours, so they are the same every run
        else:
            out[c.key] = None
    return out


def token(rng, nbytes: int = 32) -> str:
    """What `secrets.token_urlsafe(n)` gives, from our random generator."""
    return base64.urlsafe_b64encode(rng.randbytes(nbytes)).rstrip(b"=").decode()


def hex_token(rng, nbytes: int = 16) -> str:
    return rng.randbytes(nbytes).hex()


# ---- the target ----------------------------------------------------------------------

def row_counts(conn) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    return {t.name: conn.scalar(select(func.count()).select_from(t))
            for t in tables() if t.name in present}


def is_empty(conn) -> bool:
    return not any(row_counts(conn).values())


def empty(conn) -> None:
    """Delete every row of the site's tables (the schema and its revision stay)."""
    present = set(inspect(conn).get_table_names())
    names = [t.name for t in tables() if t.name in present]
    if conn.dialect.name == "postgresql":
        if names:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names)
                              + " RESTART IDENTITY CASCADE"))
        return
    for t in reversed(tables()):
        if t.name in present:
            conn.execute(t.delete())


def advance_sequences(conn) -> None:
    """PostgreSQL: the next id the site gives must follow the ones we chose."""
    if conn.dialect.name != "postgresql":
        return
    for t in tables():
        pk = list(t.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer) or not pk[0].autoincrement:
            continue
        seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                          {"t": f'"{t.name}"', "c": pk[0].name})
        if seq is None:
            continue
        top = conn.scalar(select(func.max(pk[0])).select_from(t))
        if top is not None:
            conn.execute(text("SELECT setval(:s, :v)"), {"s": seq, "v": top})


def _plain(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    return value


def digest(conn) -> dict[str, str]:
    """sha256 of every table's rows in primary-key order: equal digests, equal data."""
    out = {}
    for t in tables():
        h = hashlib.sha256()
        order = list(t.primary_key.columns) or list(t.columns)
        for row in conn.execute(select(t).order_by(*order)):
            h.update(repr(tuple(_plain(v) for v in row)).encode())
        out[t.name] = h.hexdigest()
    return out
