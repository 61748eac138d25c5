"""Rate limits: failed logins strictly per account and generously per address, counting
failures only; sign-ups per address; posting and voting per person; the client address
from X-Forwarded-For only through TRUSTED_PROXIES; counts shared through Redis; a 429
that says when to try again. Each test runs its own app with the limiter on (the shared
test app has it off); the limits are the production defaults unless a test lowers one."""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import replace

import pytest
from argon2 import PasswordHasher
from flask import current_app
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.settings import Settings, SettingsError
from deliberation.models import Comment
from proposals.models import Idea

from .conftest import PASSWORD, Client, _FreshContextClient, make_settings
from .factories import Factory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def limited(tmp_path):
    """Builds an app with rate limits on (and any settings given), inside its context."""
    made = []

    def build(redis_url: str | None = None, **overrides):
        home = tmp_path / f"app{len(made)}"
        home.mkdir()
        settings = replace(make_settings(home, "sqlite"),
                           rate_limits=True, redis_url=redis_url, **overrides)
        app = create_app(settings)
        ctx = app.app_context()
        ctx.push()
        db.create_all()
        made.append((app, ctx))
        return app

    yield build
    for app, ctx in reversed(made):
        db.session.remove()
        ctx.pop()
        with app.app_context():
            db.engine.dispose()


def client_of(app) -> Client:
    """A new browser (its own cookies) on `app`, or on the app of the current context."""
    return Client(_FreshContextClient(getattr(app, "_get_current_object", lambda: app)(),
                                      use_cookies=True))


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1", **kw):
    return client.post("/login", {"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **kw)


def test_the_sixth_failure_on_one_account_is_refused_even_from_another_address(limited):
    limited()
    make = Factory(PASSWORD)
    c = make.community()
    target, neighbour = make.user(c), make.user(c)
    guesser = client_of(current_app)
    codes = [log_in(guesser, target.username, f"guess-{i}", address="10.0.0.1").status_code
             for i in range(5)]
    assert codes == [422] * 5
    # A sixth try from elsewhere, and (for the rest of the minute) even the right password.
    assert log_in(client_of(current_app), target.username, "guess-6",
                  address="10.9.9.9").status_code == 429
    assert log_in(client_of(current_app), target.username.upper(), PASSWORD,
                  address="10.9.9.9").status_code == 429
    # Others on the same addresses are not held back.
    assert log_in(client_of(current_app), neighbour.username, PASSWORD,
                  address="10.0.0.1").status_code == 303


def test_a_meeting_room_behind_one_address_is_not_blocked(limited):
    """Fifty phones on the community centre's Wi-Fi, each mistyping once (default limits)."""
    limited()
    make = Factory(PASSWORD)
    c = make.community()
    people = [make.user(c) for _ in range(50)]
    # Real accounts and real password checks, with hashes cheap to check: argon2 at its
    # full cost would spend most of this test's time, and the limits are what is tested.
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    for person in people:
        person.password_hash = cheap
    db.session.commit()
    room = "192.168.1.1"
    codes = {log_in(client_of(current_app), p.username, "typo-pass", address=room).status_code
             for p in people}
    assert codes == {422}
    assert [log_in(client_of(current_app), p.username, PASSWORD, address=room).status_code
            for p in people[:3]] == [303] * 3


def test_successful_logins_never_count(limited):
    limited(limit_address_failures="3 per minute")
    make = Factory(PASSWORD)
    c = make.community()
    staff = make.user(c, "staff")
    # Eight good logins of one account from one address: more than either limit.
    assert [log_in(client_of(current_app), staff.username, PASSWORD).status_code
            for _ in range(8)] == [303] * 8
    # Failures do count: three from this address, then the address waits.
    codes = [log_in(client_of(current_app), f"nobody{i}", "wrong-pass").status_code
             for i in range(4)]
    assert codes == [422, 422, 422, 429]


def test_a_429_says_when_to_try_again_in_the_persons_language(limited):
    limited(limit_account_failures="1 per minute")
    en = client_of(current_app)
    en.http.set_cookie("lang", "en")
    assert log_in(en, "wang_ayi", "wrong-pass").status_code == 422
    page = log_in(en, "wang_ayi", "wrong-pass")
    assert page.status_code == 429
    text = page.get_data(as_text=True)
    assert "Too many requests" in text
    assert re.search(r"Please try again in (\d+ seconds?|1 minute) \(at \d\d:\d\d:\d\d\)", text)
    assert 1 <= int(page.headers["Retry-After"]) <= 60
    # As an htmx fragment, in Chinese (the default), into the page's alert area.
    zh = log_in(client_of(current_app), "wang_ayi", "wrong-pass", headers=HTMX)
    fragment = zh.get_data(as_text=True)
    assert zh.status_code == 429 and "<html" not in fragment and "操作太频繁" in fragment
    assert zh.headers["HX-Retarget"] == "#htmx-errors"


@pytest.mark.parametrize("proxies", [0, 1])
def test_forwarded_for_is_believed_only_through_trusted_proxies(limited, proxies):
    limited(limit_address_failures="3 per minute", trusted_proxies=proxies)
    nginx = "127.0.0.1"

    def fail(name: str, claimed: str) -> int:
        return log_in(client_of(current_app), name, "wrong-pass", address=nginx,
                      headers={"X-Forwarded-For": claimed}).status_code

    # Four phones, each named by the proxy: one address to the app unless it trusts nginx.
    codes = [fail(f"phone{i}", f"203.0.113.{i}") for i in range(4)]
    if proxies == 0:
        assert codes == [422, 422, 422, 429]  # a made-up header buys nobody more tries
    else:
        assert codes == [422] * 4
        # And one client stays one client, whatever names it tries.
        assert [fail(f"name{i}", "198.51.100.7") for i in range(4)] == [422, 422, 422, 429]


def test_sign_ups_are_limited_per_address_counting_accounts_made(limited):
    app = limited(limit_signups="2 per hour")
    community = Factory(PASSWORD).community()

    def sign_up(name: str, address: str) -> int:
        client = client_of(app)
        return client.post("/signup", {"username": name, "display_name": "邻居",
                                       "community": community.slug, "password": PASSWORD,
                                       "confirm": PASSWORD},
                           token_from="/signup", environ_base={"REMOTE_ADDR": address}).status_code

    assert [sign_up("first_one", "10.1.1.1"), sign_up("first_one", "10.1.1.1"),
            sign_up("second_one", "10.1.1.1")] == [303, 422, 303]  # a taken name is not counted
    assert sign_up("third_one", "10.1.1.1") == 429
    assert sign_up("third_one", "10.1.1.2") == 303


def test_posting_comments_and_ideas_shares_one_limit_per_person(limited):
    app = limited(limit_posting="2 per minute")
    make = Factory(PASSWORD)
    c = make.community()
    idea = make.idea(c)
    author = client_of(app).login(make.user(c))
    page = f"/c/{c.slug}/ideas/{idea.id}"

    def comment():
        return author.post(f"{page}/comments", {"body": "同意，车棚太挤了。", "stance": "support"},
                           token_from=page).status_code

    def hand_in():
        return author.post(f"/c/{c.slug}/ideas/new", {
            "title": "楼道装感应灯", "description": "晚上楼道太黑，老人容易摔倒。",
            "category": "facilities"}, token_from=f"/c/{c.slug}/ideas/new").status_code

    assert [comment(), hand_in(), comment(), hand_in()] == [303, 303, 429, 429]
    assert db.session.scalar(select(func.count(Comment.id))) == 1
    assert db.session.scalar(select(func.count(Idea.id))) == 2  # the seeded one and one more
    other = client_of(app).login(make.user(c))
    assert other.post(f"{page}/comments", {"body": "我也同意。", "stance": "support"},
                      token_from=page).status_code == 303


def test_voting_is_limited_per_person(limited):
    app = limited(limit_voting="2 per minute")
    make = Factory(PASSWORD)
    c = make.community()
    round_ = make.round(c)
    url = f"/c/{c.slug}/rounds/{round_.id}/ballot"
    voter = client_of(app).login(make.user(c))
    codes = [voter.post(url, {}, token_from=url).status_code for _ in range(3)]
    assert codes[2] == 429 and 429 not in codes[:2]
    assert client_of(app).login(make.user(c)).post(url, {}, token_from=url).status_code != 429


def test_counts_live_in_redis_so_every_worker_shares_them(limited):
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set; CI always sets it, and this is the one test of "
                    "rate limits shared through Redis")
    name = f"shared_{secrets.token_hex(4)}"  # other test runs may share this Redis
    limited(redis_url=url)
    assert [log_in(client_of(current_app), name, "wrong-pass").status_code
            for _ in range(3)] == [422] * 3
    # Another worker: a new app whose limiter starts with nothing in memory.
    limited(redis_url=url)
    assert [log_in(client_of(current_app), name, "wrong-pass").status_code
            for _ in range(3)] == [422, 422, 429]


def test_the_limits_are_settings_checked_at_start(tmp_path):
    base = {"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)}
    s = Settings.from_env(base)
    assert (s.limit_account_failures, s.limit_address_failures, s.trusted_proxies,
            s.staff_idle_minutes) == ("5 per minute", "100 per minute", 0, 30)
    s = Settings.from_env({**base, "RATE_LIMIT_VOTING": "100/minute; 1000/day",
                           "TRUSTED_PROXIES": "1", "STAFF_IDLE_MINUTES": "15"})
    assert (s.limit_voting, s.trusted_proxies, s.staff_idle_minutes) == \
        ("100/minute; 1000/day", 1, 15)
    for name, bad in [("RATE_LIMIT_SIGNUPS", "lots"), ("TRUSTED_PROXIES", "-1"),
                      ("TRUSTED_PROXIES", "nginx"), ("STAFF_IDLE_MINUTES", "0")]:
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({**base, name: bad})
