"""The projector keeps up across gunicorn workers: the real app under gunicorn with 2
workers (the worker class of app/gunicorn_conf.py), real HTTP, the chair's console on one
side and the screen's own poller on the other, each poll on a new connection so the
requests spread over both workers. Five console actions; from each action's response to
the first screen fragment showing the change: median within 2 s, none over 5 s.

SQLite without Redis (the version is the database's change marker), and again on
PostgreSQL with Redis when TEST_DATABASE_URL is set (a schema of its own, named in
DATABASE_URL through libpq's `options`)."""
from __future__ import annotations

import os
import random
import statistics
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .meeting_server import (HTMX, Browser, Seeded, Server, fetch, find_poller, listening_socket,
                             postgres_database, probe_of, seed, server_env, sqlite_database,
                             tagged)

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# Nothing in this test may hang: past this the server group is killed and every wait fails.
WHOLE_TEST_SECONDS = 240
SEE_WITHIN = 10.0  # a trial not seen by then counts as this long (and fails max ≤ 5 s)


@pytest.fixture(params=BACKENDS)
def site(request, tmp_path: Path):
    if request.param == "sqlite":
        database = sqlite_database(tmp_path)
    else:
        database = postgres_database(PG_URL, os.environ.get("REDIS_URL", ""))
    sock = listening_socket()
    base = "http://127.0.0.1:%d" % sock.getsockname()[1]
    server = None
    try:
        env = server_env(database, tmp_path, base)
        seeded = seed(env)
        server = Server(env, sock, tmp_path, workers=2).start()
        watchdog = threading.Timer(WHOLE_TEST_SECONDS, server.stop)
        watchdog.daemon = True
        watchdog.start()
        yield server, seeded
        watchdog.cancel()
    finally:
        pids = ({server.proc.pid} | server.worker_pids()) if server and server.proc else set()
        if server is not None:
            server.stop()
        else:
            sock.close()
        database.cleanup()
    assert not _alive(pids), "gunicorn left processes behind"


def _alive(pids, wait: float = 5.0) -> set[int]:
    deadline = time.monotonic() + wait
    while True:
        left = {p for p in pids if Path(f"/proc/{p}").exists()
                and " Z " not in Path(f"/proc/{p}/stat").read_text()}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


# --- the screen, as the projector's browser polls it ---------------------------------

@dataclass
class Sight:
    sent: float
    got: float
    status: int
    body: str
    tag: str


class ScreenWatch(threading.Thread):
    """Polls the screen's live URL at the screen's own interval, as htmx does: a 200
    replaces the fragment, whose new poller carries the next URL and version."""

    def __init__(self, base: str, page: str):
        super().__init__(daemon=True)
        self.base, self.poller = base, find_poller(page, "screen-live", base)
        self.sights: list[Sight] = []
        self.lock, self.halt, self.errors = threading.Lock(), threading.Event(), []

    def run(self):
        n, due = 0, time.monotonic()
        while not self.halt.is_set():
            n += 1
            tag = f"p{n}"
            sent = time.monotonic()
            try:
                status, body = fetch(tagged(self.poller.url, tag), HTMX, timeout=5)
            except OSError as error:  # a failed poll is retried at the next tick, as htmx does
                self.errors.append(repr(error))
                status, body = 0, ""
            got = time.monotonic()
            with self.lock:
                self.sights.append(Sight(sent, got, status, body, tag))
            if status == 200:
                self.poller = find_poller(body, "screen-live", self.base)
            due = max(due + self.poller.every, time.monotonic())
            self.halt.wait(due - time.monotonic())

    def first(self, after: float, shows) -> Sight | None:
        with self.lock:
            return next((s for s in self.sights
                         if s.sent >= after and s.status == 200 and shows(s.body)), None)


class _Countdown(HTMLParser):
    def __init__(self):
        super().__init__()
        self.running = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "countdown" in (a.get("class") or "").split() and self.running is None:
            self.running = a.get("data-running")


def timer(html: str) -> str | None:
    """data-running of the screen's countdown: "1" running, "0" paused, None: nobody speaks."""
    parser = _Countdown()
    parser.feed(html)
    return parser.running


# What the chair does, and what the screen must then show.
TRIALS = [
    ("add a speaker by name", "/console/speaker", {"name": "王阿姨", "stance": "support"},
     lambda html: "王阿姨" in html),
    ("add another", "/console/speaker", {"name": "李师傅", "stance": "oppose"},
     lambda html: "李师傅" in html),
    ("next speaker", "/console/next", {}, lambda html: timer(html) == "1" and "王阿姨" in html),
    ("pause the timer", "/console/pause", {}, lambda html: timer(html) == "0"),
    ("resume the timer", "/console/resume", {}, lambda html: timer(html) == "1"),
]


def run_trials(server: Server, seeded: Seeded, watch: ScreenWatch, chair: Browser):
    delays, tags = [], []
    for i, (what, path, data, shows) in enumerate(TRIALS):
        time.sleep(random.uniform(0.3, 1.3))  # any moment of the screen's poll cycle
        assert not shows(_showing(watch)), f"the screen showed it before: {what}"
        sent = time.monotonic()
        status, body = chair.post(tagged(seeded.path(path), f"a{i}"), data, HTMX)
        answered = time.monotonic()
        assert status in (200, 303), f"{what}: console answered {status}: {body[:300]}"
        sight = None
        while sight is None and time.monotonic() - answered < SEE_WITHIN:
            time.sleep(0.02)
            sight = watch.first(sent, shows)
        delays.append(max(0.0, sight.got - answered) if sight else SEE_WITHIN)
        tags.append((f"a{i}", sight.tag if sight else None, what))
    return delays, tags


def _showing(watch: ScreenWatch) -> str:
    """The screen's fragment now (a version no page has, so never a 204)."""
    return fetch(watch.poller.url.split("?")[0] + "?v=none", HTMX)[1]


def test_console_actions_reach_the_screen_across_two_workers(site):
    server, seeded = site
    chair = Browser(server.base).login(seeded.chair)
    chair.csrf(seeded.path("/console"))
    status, page = fetch(server.base + seeded.screen_path)
    assert status == 200, page[:300]
    watch = ScreenWatch(server.base, page)
    assert watch.poller.every <= 1.0, "the screen must poll at least every second"
    watch.start()
    try:
        delays, tags = run_trials(server, seeded, watch, chair)
        _both_workers_serve_the_screen(server, watch)
    finally:
        watch.halt.set()
        watch.join(timeout=10)
    workers = _workers_of(server)
    report = [f"{what}: {d:.2f}s (console worker {workers.get(a)}, screen worker "
              f"{workers.get(p)})" for d, (a, p, what) in zip(delays, tags)]
    print("\n".join(report))
    assert statistics.median(delays) <= 2.0, report
    assert max(delays) <= 5.0, report
    assert not [s for s in watch.sights if s.status not in (200, 204)], \
        f"screen polls failed: {watch.errors[:3]}"


def _workers_of(server: Server) -> dict[str, int]:
    return {probe_of(path): pid for pid, _s, _m, path, _ms in server.requests()
            if probe_of(path)}


def _both_workers_serve_the_screen(server: Server, watch: ScreenWatch, top_up: int = 60):
    """Both workers answered the screen's polls. The kernel hands each new connection to
    whichever worker accepts first; should the trials' polls all have met one worker,
    a few more polls (same poller, same URL) settle it."""
    workers = server.worker_pids()
    assert len(workers) == 2
    for _ in range(top_up):
        polled = {pid for pid, _s, _m, path, _ms in server.requests()
                  if (probe_of(path) or "").startswith("p")}
        if polled >= workers:
            return
        time.sleep(watch.poller.every)
    assert polled >= workers, f"only workers {polled} of {workers} answered the screen"
