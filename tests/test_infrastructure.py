"""Settings, health checks, error pages, languages, the busy database, the CLI."""
from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from app import create_app
from app.settings import Settings, SettingsError

from .conftest import make_settings


def test_public_url_required_off_loopback(tmp_path):
    env = {"INSTANCE_PATH": str(tmp_path), "HOST": "0.0.0.0", "PORT": "8000"}
    with pytest.raises(SettingsError, match="PUBLIC_URL"):
        Settings.from_env(env)
    s = Settings.from_env(dict(env, PUBLIC_URL="http://192.168.1.20:8000/"))
    assert s.public_url == "http://192.168.1.20:8000"
    assert Settings.from_env({"INSTANCE_PATH": str(tmp_path), "PORT": "8001"}).public_url \
        == "http://127.0.0.1:8001"


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = Settings.from_env({"INSTANCE_PATH": str(tmp_path)}).secret_key
    again = Settings.from_env({"INSTANCE_PATH": str(tmp_path)}).secret_key
    other = Settings.from_env({"INSTANCE_PATH": str(tmp_path / "elsewhere")}).secret_key
    assert len(first) >= 40 and first == again and first != other
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_selects_postgresql_driver(tmp_path):
    s = Settings.from_env({"INSTANCE_PATH": str(tmp_path),
                           "DATABASE_URL": "postgresql://u@db:5432/ysting"})
    assert s.database_url == "postgresql+psycopg://u@db:5432/ysting"
    assert Settings.from_env({"INSTANCE_PATH": str(tmp_path)}).database_url.endswith(
        "yishiting.db")


def test_healthz_ok_without_session_cookie(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True).strip() == "ok"
    assert response.mimetype == "text/plain" and "Set-Cookie" not in response.headers


def test_healthz_503_when_database_unreachable(tmp_path):
    settings = make_settings(tmp_path, "sqlite",
                             database_url=f"sqlite:///{tmp_path}/no/such/dir/x.db")
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503 and "database" in response.get_data(as_text=True)


def test_healthz_503_when_redis_unreachable(tmp_path):
    settings = make_settings(tmp_path, "sqlite", redis_url="redis://127.0.0.1:1/0")
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503 and "redis" in response.get_data(as_text=True)


def test_sqlite_pragmas(tmp_path):
    from app.extensions import db
    with create_app(make_settings(tmp_path, "sqlite")).app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_busy_database_answers_503_and_changes_nothing(tmp_path):
    from app.accounts.models import Membership
    from app.extensions import db
    from tests.conftest import Client, _FreshContextClient
    from tests.factories import Factory
    app = create_app(replace(make_settings(tmp_path, "sqlite"), sqlite_busy_timeout_ms=200))
    with app.app_context():
        db.create_all()
        make = Factory("neighbour-pass-1")
        make.community(slug="busy")
        user = make.user(None)
        client = Client(_FreshContextClient(app, use_cookies=True)).login(user)
        token = client.csrf_token("/c/busy/")
        blocker = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another worker holds the write lock
        try:
            response = client.post("/c/busy/join", {"csrf_token": token})
        finally:
            blocker.rollback()
            blocker.close()
        assert response.status_code == 503
        assert "稍后" in response.get_data(as_text=True) or "try again" in response.get_data(as_text=True)
        assert db.session.query(Membership).count() == 0


def test_errors_render_in_both_languages_and_as_fragments(app, client):
    zh = client.get("/c/nowhere/")
    assert zh.status_code == 404 and "找不到" in zh.get_data(as_text=True)
    en = client.get("/c/nowhere/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Not found" in en.get_data(as_text=True)
    fragment = client.get("/c/nowhere/", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 404 and "<html" not in body and 'id="error"' in body


def test_language_follows_choice_then_browser_then_chinese(app, client):
    assert 'lang="zh-Hans"' in client.get("/").get_data(as_text=True)
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    switched = client.get("/lang/en?next=/c/x/")
    assert switched.status_code == 303 and switched.headers["Location"] == "/c/x/"
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Yishiting · Neighbourhood Deliberation Hall" in page
    client.get("/lang/zh_Hans")
    assert "议事厅" in client.get("/").get_data(as_text=True)


def test_create_admin_reads_password_from_stdin(app):
    from app.accounts.models import User
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "root_admin", "--password-stdin"],
                           input="a-strong-password\n")
    assert result.exit_code == 0, result.output
    assert User.by_username("root_admin").is_site_admin
    short = runner.invoke(args=["create-admin", "other", "--password-stdin"], input="short\n")
    assert short.exit_code != 0
    bad_name = runner.invoke(args=["create-admin", "bad name!", "--password-stdin"],
                             input="a-strong-password\n")
    assert bad_name.exit_code != 0 and User.by_username("bad name!") is None
