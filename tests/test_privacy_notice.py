"""The privacy notice is public, in both languages, states the periods the code keeps;
and what it promises of children holds: no child's nickname in the audit log or in the
logs, even during a whole children's flow over HTTP or a database error."""
from __future__ import annotations

import http.cookiejar
import logging
import re
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts import privacy
from app.accounts.privacy_views import NOTICE_VERSION
from app.audit import ADDRESS_DAYS, KEEP_DAYS, AuditEntry
from app.extensions import db
from app.timeutil import utcnow
from proposals.kids.models import ChildBallot, ChildProfile

from .conftest import CSRF_RE, PASSWORD
from .kids_factories import kids_round

NICKNAME = "星星独一份"


def test_the_notice_is_public_and_states_the_periods_the_code_keeps(en, make):
    first, second = make.community(slug="first"), make.community(slug="second")
    html = en.get("/privacy").get_data(as_text=True)
    assert "Privacy: what we keep, and why" in html
    assert f"{ADDRESS_DAYS} days, then it is blanked" in html
    assert f"Audit entries: {KEEP_DAYS // 365} years, then they are removed" in html
    assert "flask --app wsgi tick" in html
    assert f"Version of this notice: {NOTICE_VERSION}" in html
    assert privacy.DELETED_NAME in html
    for c in (first, second):  # each community's notice for guardians
        assert f'href="/c/{c.slug}/kids/notice"' in html
    assert 'href="/account/delete"' not in html  # only for someone signed in


def test_the_notice_opens_in_both_languages_and_from_every_page(client, en, make):
    make.community(slug="home")
    chinese = client.get("/privacy")  # no language cookie: the site's Chinese
    assert chinese.status_code == 200 and 'lang="zh-Hans"' in chinese.get_data(as_text=True)
    english = en.get("/privacy")
    assert english.status_code == 200 and 'lang="en"' in english.get_data(as_text=True)
    for page in ("/", "/c/home/", "/login"):
        assert 'href="/privacy"' in en.get(page).get_data(as_text=True), page


def test_a_signed_in_adult_finds_how_to_delete_the_account(en, make):
    en.login(make.user(make.community()))
    assert 'href="/account/delete"' in en.get("/account").get_data(as_text=True)
    assert 'href="/account/delete"' in en.get("/privacy").get_data(as_text=True)
    page = en.get("/account/delete").get_data(as_text=True)
    assert 'name="password"' in page and 'name="confirm"' in page


class _Browser:
    """A few requests to the served app over real HTTP, with cookies and CSRF tokens,
    so that the web server writes its access log as it does in production."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, token_from: str) -> str:
        token = CSRF_RE.search(self.get(token_from)).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.read().decode()


@pytest.fixture
def log_everything(caplog):
    """Every record of the site's own loggers and the web server's, at every level."""
    for name in ("werkzeug", "app", "proposals", "deliberation", "flask_limiter",
                 "flask_login", "flask_wtf"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_a_childs_nickname_never_reaches_the_logs_or_the_audit_log(make, server,
                                                                  log_everything):
    c = make.community(slug="kidsflow")
    r = kids_round(make, c)
    guardian = make.user(c)
    entry, round_id = r.entries[0].id, r.id
    db.session.commit()  # hold no snapshot or lock while the server works
    browser = _Browser(server)
    browser.post("/login", {"username": guardian.username, "password": PASSWORD},
                 token_from="/login")
    kids = f"/c/{c.slug}/kids"
    made = browser.post(f"{kids}/children/new", {"nickname": NICKNAME, "age_band": "6-8",
                                                 "avatar": "cat", "consent": "y"},
                        token_from=f"{kids}/children/new")
    assert NICKNAME in made  # the guardian's own page names the child
    db.session.commit()  # see what the server wrote
    kid = db.session.scalars(select(ChildProfile.id).where(
        ChildProfile.nickname == NICKNAME)).one()
    ballot = f"{kids}/rounds/{round_id}/ballot?child={kid}"
    browser.post(ballot, {"entry": str(entry)}, token_from=ballot)
    db.session.commit()
    assert db.session.scalars(select(ChildBallot.child_id)).all() == [kid]
    browser.post(f"{kids}/children/{kid}/delete", {"confirm": "y"},
                 token_from=f"{kids}/children/{kid}")
    db.session.commit()
    assert db.session.get(ChildProfile, kid) is None

    lines = [record.getMessage() + (record.exc_text or "")
             for record in log_everything.records]
    assert any(re.search(rf"POST /c/{c.slug}/kids/children/new", line) for line in lines)
    assert not [line for line in lines if NICKNAME in line]
    entries = db.session.scalars(select(AuditEntry)).all()
    assert {e.action for e in entries} >= {"kids.profile_created", "kids.profile_deleted"}
    assert not [e for e in entries if NICKNAME in e.detail_json]


def test_a_database_error_does_not_carry_the_values_typed(app):
    """The error handlers log a database error's message: it must show the SQL without
    the values (a child's nickname here, as if the community had just been removed)."""
    now = utcnow()
    db.session.add(ChildProfile(community_id=2**31 - 1, nickname=NICKNAME, age_band="6-8",
                                avatar="cat", created_by_id=2**31 - 1,
                                consent_version="x", consent_at=now, created_at=now))
    with pytest.raises(IntegrityError) as error:
        db.session.flush()
    db.session.rollback()
    assert "child_profile" in str(error.value) and NICKNAME not in str(error.value)
