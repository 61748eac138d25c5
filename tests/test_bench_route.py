"""The benchmark's ceiling route exists only on a server started for bench/pages.py."""
from __future__ import annotations

from app import create_app
from app.extensions import db

from .conftest import make_settings


def test_no_bare_route_unless_the_benchmark_asks(app, client):
    assert client.get("/_bare").status_code == 404
    assert "bench.bare" not in app.view_functions


def test_bare_route_answers_a_fixed_string_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_BARE", "1")
    bench_app = create_app(make_settings(tmp_path, "sqlite"))
    with bench_app.app_context():
        db.create_all()  # the middleware around every route reads the change markers
    response = bench_app.test_client().get("/_bare")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
