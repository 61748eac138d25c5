"""Many voters, two browser tabs each, all submitting and revising at once over real HTTP:
afterwards exactly one counted ballot per voter, equal to their last acknowledged one."""
from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

from sqlalchemy import func, select

from app.extensions import db
from proposals.rounds.ballots import own_choices
from proposals.rounds.models import Ballot, Participation

from .conftest import PASSWORD

VOTERS = 100
TABS = 2  # threads per voter: 200 in all
SUBMISSIONS = 2  # each tab submits, then revises
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SAVED_RE = re.compile(r"[?&]saved=(\d+)")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One voter's cookie jar; both of their tabs share it, as in a real browser."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def request(self, path: str, data: list[tuple[str, str]] | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read().decode(errors="replace")

    def token(self, path: str) -> str:
        status, _headers, html = self.request(path)
        assert status == 200, (path, status)
        return CSRF_RE.search(html).group(1)

    def login(self, username: str) -> None:
        token = self.token("/login")
        status, _h, _b = self.request("/login", [("csrf_token", token), ("username", username),
                                                 ("password", PASSWORD)])
        assert status == 303


def run_all(targets) -> None:
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)


def test_two_tabs_per_voter_never_count_twice(app, make, server):
    community = make.community()
    round_ = make.round(community, costs=(10_00, 20_00, 30_00, 40_00), budget_fen=100_00)
    entry_ids = [e.id for e in round_.entries]
    users = [make.user(community) for _ in range(VOTERS)]
    ballot_path = f"/c/{community.slug}/rounds/{round_.id}/ballot"
    browsers = {u.id: Browser(server) for u in users}
    for u in users:  # logging in is not what this test is about: one after another
        browsers[u.id].login(u.username)
    tokens = {uid: b.token(ballot_path) for uid, b in browsers.items()}
    db.session.commit()  # hold no transaction in this thread while the voters write

    acknowledged: dict[int, list[tuple[int, frozenset[int]]]] = {u.id: [] for u in users}
    refused = Counter()
    lock = threading.Lock()

    def tab(uid: int, tab_no: int) -> None:
        for n in range(SUBMISSIONS):
            chosen = frozenset(entry_ids[(uid + tab_no + n) % len(entry_ids)::2][:2])
            data = [("csrf_token", tokens[uid])] + [("entry", str(e)) for e in chosen]
            status, headers, _body = browsers[uid].request(ballot_path, data)
            with lock:
                if status == 303:
                    revision = int(SAVED_RE.search(headers["Location"]).group(1))
                    acknowledged[uid].append((revision, chosen))
                else:
                    refused[status] += 1

    run_all([lambda u=u, t=t: tab(u.id, t) for u in users for t in range(TABS)])

    db.session.rollback()  # a fresh snapshot: see everything the server wrote
    # Only a locked database may turn a submission away (503), never an error.
    assert set(refused) <= {503}, refused
    assert db.session.scalar(select(func.count()).select_from(Participation)) == VOTERS
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == VOTERS
    for u in users:
        p = db.session.scalar(select(Participation).where(
            Participation.round_id == round_.id, Participation.user_id == u.id))
        revisions = sorted(r for r, _c in acknowledged[u.id])
        assert revisions == list(range(1, len(revisions) + 1)), (u.id, revisions)
        if not revisions:  # every one of this voter's submissions was turned away (503)
            assert p is None
            continue
        assert p.revision == revisions[-1]
        last = max(acknowledged[u.id])[1]
        assert {e.id for e in own_choices(p)} == set(last)
    assert sum(len(v) for v in acknowledged.values()) + sum(refused.values()) \
        == VOTERS * TABS * SUBMISSIONS
