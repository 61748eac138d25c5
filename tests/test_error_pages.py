"""Error pages in Chinese and English, whole or as htmx fragments; rate limits answer 429."""
from __future__ import annotations

from dataclasses import replace

import pytest
from flask import abort

from app import create_app
from app.access import access
from app.extensions import db

from .conftest import Client, _FreshContextClient, make_settings

TITLES = {400: ("请求", "Bad request"), 403: ("权限", "Not allowed"), 404: ("找不到", "Not found"),
          413: ("太大", "Too large"), 422: ("检查", "check your input"),
          429: ("频繁", "Too many requests"), 500: ("问题", "went wrong"),
          503: ("稍后", "try again")}


@pytest.fixture(scope="module")
def failing_app(tmp_path_factory):
    app = create_app(make_settings(tmp_path_factory.mktemp("errors"), "sqlite"))
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/_fail/<int:code>")
    @access("public")
    def fail(code):
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    with app.app_context():
        db.create_all()
    return app


@pytest.mark.parametrize("code", sorted(TITLES))
def test_error_page_in_both_languages_and_as_fragment(failing_app, code):
    client = failing_app.test_client()
    zh_word, en_word = TITLES[code]
    zh = client.get(f"/_fail/{code}")
    assert zh.status_code == code and zh_word in zh.get_data(as_text=True)
    en = client.get(f"/_fail/{code}", headers={"Accept-Language": "en"})
    assert en_word.lower() in en.get_data(as_text=True).lower()
    fragment = client.get(f"/_fail/{code}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and zh_word in fragment


def test_login_attempts_are_rate_limited(tmp_path):
    app = create_app(replace(make_settings(tmp_path, "sqlite"), rate_limits=True))
    with app.app_context():
        db.create_all()
        client = Client(_FreshContextClient(app, use_cookies=True))
        token = client.csrf_token("/login")
        codes = [client.post("/login", {"csrf_token": token, "username": "nobody",
                                        "password": "wrong-password"}).status_code
                 for _ in range(6)]
    # Five failures a minute per account (RATE_LIMIT_ACCOUNT_FAILURES; tests/test_rate_limits.py).
    assert codes[:5] == [422] * 5 and codes[5] == 429


def test_security_headers(app, client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_id_too_big_for_the_database_is_not_found(app, client, make):
    make.community(slug="home")
    for path in ("/c/home/ideas/99999999999", "/c/home/rounds/99999999999/results"):
        assert client.get(path).status_code == 404
