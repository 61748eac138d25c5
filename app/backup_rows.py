"""The logical dump of a backup: each table as JSON lines that load on SQLite or PostgreSQL.

A table's file opens with a header line (table, column names, the kind of each column),
then one JSON array per row in primary-key order. Values JSON cannot hold exactly are
written as text by the column's kind and read back by the same kind, so a datetime keeps
its offset and microseconds, bytes stay bytes and a big integer stays exact, whichever
database wrote it and whichever reads it.
"""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import json
import uuid
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import BinaryIO

from sqlalchemy import Table, select
from sqlalchemy.types import TypeDecorator

BATCH = 1000  # rows per executemany


# ---- values --------------------------------------------------------------------------

def column_kind(column) -> str:
    """How the column's values are written: a JSON value as it is ("json"), or text."""
    type_ = column.type
    while True:
        try:
            python_type = type_.python_type
            break
        except NotImplementedError:
            # A decorator that does not say (UTCDateTime): what it stores says.
            if not isinstance(type_, TypeDecorator):
                return "json"
            type_ = type_.impl_instance
    for kind, types in KINDS:
        if issubclass(python_type, types):
            return kind
    return "json"


# datetime before date: a datetime is a date too.
KINDS = (
    ("datetime", dt.datetime), ("date", dt.date), ("time", dt.time),
    ("interval", dt.timedelta), ("bytes", (bytes, bytearray, memoryview)),
    ("decimal", decimal.Decimal), ("uuid", uuid.UUID), ("enum", enum.Enum),
    # JSON holds these exactly (Python's json keeps every digit of an int); bool before
    # int, since a bool is an int too. The kind still tells a column's type apart.
    ("bool", bool), ("int", int), ("float", float), ("str", str),
)

ENCODE = {
    "datetime": lambda v: v.isoformat(),
    "date": lambda v: v.isoformat(),
    "time": lambda v: v.isoformat(),
    "interval": lambda v: [v.days, v.seconds, v.microseconds],
    "bytes": lambda v: base64.b64encode(bytes(v)).decode("ascii"),
    "decimal": str,
    "uuid": str,
    "enum": lambda v: v.name,  # SQLAlchemy's Enum takes the name back
}

DECODE = {
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "interval": lambda v: dt.timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
    "bytes": base64.b64decode,
    "decimal": decimal.Decimal,
    "uuid": uuid.UUID,
}


def encode(kind: str, value):
    if value is None or kind not in ENCODE:
        return value
    return ENCODE[kind](value)


def decode(kind: str, value):
    if value is None or kind not in DECODE:
        return value
    return DECODE[kind](value)


def _line(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


# ---- dumping -------------------------------------------------------------------------

def header_of(table: Table) -> dict:
    return {"table": table.name, "columns": [c.name for c in table.columns],
            "kinds": [column_kind(c) for c in table.columns]}


def dump_table(conn, table: Table, out: BinaryIO) -> int:
    """Write the table's rows to `out`; returns how many."""
    header = header_of(table)
    out.write(_line(header))
    order = list(table.primary_key.columns) or list(table.columns)
    rows = 0
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result:
        out.write(_line([encode(k, v) for k, v in zip(header["kinds"], row)]))
        rows += 1
    return rows


# ---- loading -------------------------------------------------------------------------

def read_header(fh: BinaryIO) -> dict:
    header = json.loads(fh.readline())
    if not isinstance(header, dict) or not {"table", "columns", "kinds"} <= header.keys():
        raise ValueError("no header line")
    return header


def header_problem(table: Table, header: dict) -> str | None:
    """Why rows under this header cannot go into `table`, or None when they can."""
    ours = {c.name: column_kind(c) for c in table.columns}
    theirs = dict(zip(header["columns"], header["kinds"]))
    if ours.keys() != theirs.keys():
        missing = sorted(ours.keys() - theirs.keys())
        extra = sorted(theirs.keys() - ours.keys())
        return (f"table {table.name}: columns differ (missing from the archive: "
                f"{', '.join(missing) or 'none'}; unknown here: {', '.join(extra) or 'none'})")
    changed = sorted(name for name in ours if ours[name] != theirs[name])
    if changed:
        return f"table {table.name}: columns of another type: {', '.join(changed)}"
    return None


def read_rows(fh: BinaryIO, header: dict) -> Iterator[dict]:
    names, kinds = header["columns"], header["kinds"]
    for line in fh:
        values = json.loads(line)
        yield {n: decode(k, v) for n, k, v in zip(names, kinds, values)}


def self_links(table: Table) -> list[tuple[str, str]]:
    """(child column, parent column) of each foreign key from the table to itself."""
    return [(fk.parent.name, fk.column.name) for fk in table.foreign_keys
            if fk.column.table is table]


def parents_first(rows: list[dict], links: list[tuple[str, str]]) -> list[dict]:
    """Order rows so a row pointing at another row of its table comes after it (a reply
    after the comment it answers), whatever the ids. Rows left in a cycle or pointing at
    nothing come last, and the database says what is wrong with them."""
    placed: dict[str, set] = {parent: set() for _child, parent in links}
    ordered, waiting = [], rows
    while waiting:
        later = []
        for row in waiting:
            if all(row[child] is None or row[child] in placed[parent]
                   for child, parent in links):
                ordered.append(row)
                for _child, parent in links:
                    placed[parent].add(row[parent])
            else:
                later.append(row)
        if len(later) == len(waiting):
            ordered.extend(later)
            break
        waiting = later
    return ordered


def batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def load_table(session, table: Table, fh: BinaryIO) -> int:
    """Insert the rows of one table file in batches; returns how many."""
    header = read_header(fh)
    rows: Iterable[dict] = read_rows(fh, header)
    links = self_links(table)
    if links:
        rows = parents_first(list(rows), links)
    count = 0
    for chunk in batches(rows):
        session.execute(table.insert(), chunk)
        count += len(chunk)
    return count
