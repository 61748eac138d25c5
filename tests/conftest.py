"""Fixtures: an app per database backend (SQLite always, PostgreSQL when TEST_DATABASE_URL
is set), emptied after every test; factories; a client that logs in and sends CSRF tokens."""
from __future__ import annotations

import os
import re
import secrets
import threading
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.settings import Settings, normalise_database_url

from .factories import Factory

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "neighbour-pass-1"


def make_settings(tmp: Path, backend: str, **overrides) -> Settings:
    extra = {}
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'test.db'}"
        redis_url = None  # the no-Redis path is tested on SQLite
    else:
        url = normalise_database_url(PG_URL)
        extra["pg_schema"] = overrides.pop("pg_schema")
        redis_url = os.environ.get("REDIS_URL")
    values = dict(database_url=url, secret_key=secrets.token_hex(16),
                  public_url="http://127.0.0.1:5000", instance_path=tmp / "instance",
                  upload_dir=tmp / "uploads", redis_url=redis_url, testing=True,
                  rate_limits=False, extra=extra)
    values.update(overrides)
    return Settings(**values)


def create_schema(name: str) -> None:
    engine = create_engine(normalise_database_url(PG_URL))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()


def drop_schema(name: str) -> None:
    engine = create_engine(normalise_database_url(PG_URL))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def _session_app(backend, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"app-{backend}")
    overrides = {}
    if backend == "postgresql":
        overrides["pg_schema"] = f"test_{os.getpid()}_{secrets.token_hex(3)}"
        create_schema(overrides["pg_schema"])
    app = create_app(make_settings(tmp, backend, **overrides))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        drop_schema(overrides["pg_schema"])


def empty_database() -> None:
    db.session.rollback()
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()
    # Emptying is a write too: the page cache's counter it left goes the same way.
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM change_marker"))


@pytest.fixture
def app(_session_app):
    with _session_app.app_context():
        yield _session_app
        db.session.remove()
        empty_database()
        # The next test's rows reuse the ids, and its counters start again from nothing.
        _session_app.extensions["page_cache"].clear()


@pytest.fixture
def make(app) -> Factory:
    return Factory(PASSWORD)


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class _FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production: a fresh `g` and its own
    database session, so nothing leaks between requests or into the test's session."""

    def open(self, *args, **kwargs):
        db.session.commit()  # end the test's transaction: no stale snapshot, no held lock
        with self.application.app_context():
            response = super().open(*args, **kwargs)
            response.get_data()
        db.session.commit()  # expire what the test holds, so it sees what the request wrote
        return response


class Client:
    """Wraps Flask's test client: log in as someone, post forms with a real CSRF token."""

    def __init__(self, flask_client):
        self.http = flask_client

    def get(self, *args, **kwargs):
        return self.http.get(*args, **kwargs)

    def csrf_token(self, page: str = "/login") -> str:
        html = self.http.get(page).get_data(as_text=True)
        match = CSRF_RE.search(html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def post(self, url: str, data: dict | None = None, *, token_from: str = "/login", **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(token_from))
        return self.http.post(url, data=data, **kwargs)

    def login(self, user, password: str = PASSWORD):
        response = self.post("/login", {"username": user.username, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return self

    def logout(self):
        return self.post("/logout", token_from="/account")


@pytest.fixture
def client(app) -> Client:
    return Client(_FreshContextClient(app, use_cookies=True))


@pytest.fixture
def new_client(app):
    return lambda: Client(_FreshContextClient(app, use_cookies=True))


@pytest.fixture
def en(client):
    """English pages, so the assertions read the msgids whatever the catalogue says."""
    client.http.set_cookie("lang", "en")
    return client


@pytest.fixture
def server(app):
    """The app served on a free port, for tests that need real concurrent requests."""
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=10)
