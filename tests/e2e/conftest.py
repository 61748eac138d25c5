"""Browser fixtures: a live Yishiting on a free port with a fresh SQLite database, and
Debian's Chromium driven by Playwright (never a downloaded browser).

Each test gets its own server and database (starting one takes a few milliseconds);
the browser is started once per session.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.settings import ROOT

from ..conftest import PASSWORD, make_settings
from ..factories import Factory

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

expect.set_options(timeout=10_000)


@dataclass
class Hall:
    """A running site with one community, its buildings and a staff member."""

    base_url: str
    app: Flask
    slug: str
    community_name: str
    buildings: tuple[str, ...]
    staff_username: str
    staff_name: str
    password: str = PASSWORD

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def community_url(self, path: str = "/") -> str:
        return f"{self.base_url}/c/{self.slug}{path}"

    @contextmanager
    def seeding(self) -> Iterator[Factory]:
        """Write test data straight into the database, e.g. `with hall.seeding() as make:`."""
        with self.app.app_context():
            try:
                yield Factory(self.password)
            finally:
                db.session.remove()


class _Slot:
    """A WSGI app set after the server is bound, so the app knows its real address."""

    app: Flask | None = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture
def live_app(tmp_path) -> Iterator[tuple[str, Flask]]:
    slot = _Slot()
    server = make_server("127.0.0.1", 0, slot, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    settings = dataclasses.replace(make_settings(tmp_path, "sqlite"), public_url=base_url)
    app = create_app(settings)
    with app.app_context():
        db.create_all()
    slot.app = app
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield base_url, app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def hall(live_app) -> Hall:
    base_url, app = live_app
    with app.app_context():
        make = Factory(PASSWORD)
        community = make.community(slug="gaorong", name="高荣居民区",
                                   buildings=("1号楼", "2号楼", "3号楼"))
        make.user(community, "staff", username="staff_li", display_name="李社工")
        result = Hall(base_url=base_url, app=app, slug=community.slug,
                      community_name=community.name,
                      buildings=tuple(b.name for b in community.buildings),
                      staff_username="staff_li", staff_name="李社工")
        db.session.remove()
    return result


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium not found: run `python tests/browser_deps.py` "
                    "(or set CHROMIUM to its path)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (its own cookies: one person each).

    Chinese is asked for through Accept-Language, as a phone set to Chinese would.
    """
    contexts = []

    def open_page(*, javascript: bool = True, viewport: dict | None = None,
                  **phone) -> Page:
        """`phone`: more context options, e.g. user_agent, is_mobile, has_touch."""
        context = browser.new_context(java_script_enabled=javascript, locale="zh-CN",
                                      timezone_id="Asia/Shanghai",
                                      viewport=viewport or DESKTOP, **phone)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
