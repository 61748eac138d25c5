"""Backups keep every value exactly: a table with a column of each kind (aware datetimes,
dates, times, intervals, bytes, booleans, big integers, floats, text, UUIDs, JSON, None,
a row pointing at a later row of its own table) dumped on one database and loaded on the
other, both ways."""
from __future__ import annotations

import io
import json
import uuid
from datetime import date, datetime, time as time_of, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, Float, ForeignKey, Integer,
                        Interval, LargeBinary, MetaData, Numeric, Table, Text, Time, Uuid,
                        select)

from app.backup_rows import column_kind, decode, dump_table, encode, load_table
from app.database import write_transaction
from app.extensions import db
from app.timeutil import UTCDateTime

from .backup_world import Sites
from .conftest import BACKENDS

TYPED = MetaData()


def _typed(name: str) -> Table:
    return Table(
        name, TYPED,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("parent_id", ForeignKey(f"{name}.id")),
        Column("at", UTCDateTime), Column("day", Date), Column("clock", Time),
        Column("span", Interval), Column("blob", LargeBinary), Column("flag", Boolean),
        Column("big", BigInteger), Column("ratio", Float(53)), Column("words", Text),
        Column("uid", Uuid), Column("data", JSON))


TYPED_TABLES = (_typed("typed"), _typed("typed_copy"))
SHANGHAI = timezone(timedelta(hours=8))
TYPED_ROWS = [
    # A reply before its parent in id order: parents go first whatever the ids.
    dict(id=1, parent_id=3, at=datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI),
         day=date(2024, 2, 29), clock=time_of(23, 59, 59, 999999),
         span=timedelta(days=3, seconds=7, microseconds=5), blob=bytes(range(256)),
         flag=True, big=2**62 + 1, ratio=0.1 + 0.2, words="楼道\n\"扶手\"\t😀 \\u0000",
         uid=uuid.UUID("12345678-1234-5678-1234-567812345678"), data={"a": [1, None, "二"]}),
    dict(id=2, parent_id=None, at=None, day=None, clock=None, span=None, blob=None,
         flag=None, big=None, ratio=None, words=None, uid=None, data=None),
    dict(id=3, parent_id=None, at=datetime(1999, 12, 31, 23, 59, tzinfo=timezone.utc),
         day=date(1, 1, 1), clock=time_of(0, 0), span=timedelta(0), blob=b"",
         flag=False, big=-(2**63), ratio=-1e-300, words="", uid=uuid.UUID(int=0), data=[]),
]


@pytest.fixture(scope="module")
def typed(tmp_path_factory):
    """A database per backend holding the typed table, filled, and its empty twin."""
    sites, made = Sites(tmp_path_factory), {}
    for backend in BACKENDS:
        site = sites.new(backend, migrated=False)
        with site.app.app_context():
            TYPED.create_all(db.engine)
            with db.engine.begin() as conn:
                conn.execute(TYPED_TABLES[0].insert(), TYPED_ROWS[::-1])
        made[backend] = site
    yield made
    sites.close()


@pytest.mark.parametrize("source", BACKENDS)
@pytest.mark.parametrize("target", BACKENDS)
def test_values_of_every_kind_load_back_exactly(typed, source, target):
    original, copy = TYPED_TABLES
    out = io.BytesIO()
    with typed[source].app.app_context(), db.engine.connect() as conn:
        dump_table(conn, original, out)
        wanted = [dict(r._mapping) for r in conn.execute(select(original).order_by(original.c.id))]
    assert wanted[0]["at"] == TYPED_ROWS[0]["at"] and wanted[0]["blob"] == bytes(range(256))
    with typed[target].app.app_context():
        with write_transaction() as session:
            session.execute(copy.delete())
            assert load_table(session, copy, io.BytesIO(out.getvalue())) == 3
        with db.engine.connect() as conn:
            got = [dict(r._mapping) for r in conn.execute(select(copy).order_by(copy.c.id))]
    assert got == wanted
    assert got[0]["at"].utcoffset() == timedelta(0) and got[0]["big"] == 2**62 + 1
    assert type(got[0]["flag"]) is bool and got[1] == dict.fromkeys(got[1], None) | {"id": 2}


def test_the_codec_keeps_offsets_decimals_and_names():
    """Kinds the app's tables do not use yet (a DateTime with its own offset, Numeric,
    Enum) are written so they read back the same."""
    at = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)
    assert decode("datetime", json.loads(json.dumps(encode("datetime", at)))) == at
    assert decode("datetime", encode("datetime", at)).utcoffset() == timedelta(hours=8)
    money = Decimal("12345678901234567890.123456")
    assert decode("decimal", json.loads(json.dumps(encode("decimal", money)))) == money
    assert column_kind(Column("x", Numeric(30, 6))) == "decimal"
    assert column_kind(Column("x", UTCDateTime)) == "datetime"
    assert column_kind(Column("x", Boolean)) == "bool"
