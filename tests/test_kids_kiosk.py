"""The kiosk over HTTP: staff start it on the tablet (and are logged out there), children
vote one after another, the cookie opens this kiosk only, and inactivity ends it."""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from app import create_app
from app.audit import AuditEntry
from app.extensions import db
from app.timeutil import utcnow
from proposals.kids import codes
from proposals.kids.kiosk import COOKIE
from proposals.kids.models import ChildBallot, ChildCode, KioskSession

from .conftest import Client, _FreshContextClient, make_settings
from .factories import Factory
from .kids_factories import kids_round
from .test_kids_ballot_pages import Page, picture_of

CODE_RE = re.compile(r'name="code" value="([^"]+)"')


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def kiosk_url(c, path: str = "") -> str:
    return f"/c/{c.slug}/kids/kiosk{path}"


def start(client, c, r, staff):
    client.login(staff)
    return client.post(f"/c/{c.slug}/kids/rounds/{r.id}/kiosk/start",
                       token_from=f"/c/{c.slug}/rounds/{r.id}")


def started(make, en, **round_options):
    c = make.community()
    r = kids_round(make, c, **round_options)
    staff = make.user(c, "staff")
    response = start(en, c, r, staff)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return c, r, staff, response


def next_child(en, c) -> tuple[str, object]:
    response = en.post(kiosk_url(c, "/next"), token_from=kiosk_url(c))
    assert response.status_code == 200, response.status_code
    return CODE_RE.search(response.get_data(as_text=True)).group(1), response


def vote(en, c, code, entry_id):
    # The token from the login page: the tablet is signed out, and an ended kiosk's
    # screen has no form.
    return en.post(kiosk_url(c, "/vote"), {"code": code, "entry": entry_id})


def test_staff_start_a_kiosk_and_are_logged_out_on_the_tablet(app, make, en):
    c, r, staff, response = started(make, en)
    assert response.headers["Location"] == kiosk_url(c)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE))
    token = cookie.split(";")[0].split("=", 1)[1]
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert f"path={kiosk_url(c)}".lower() in attributes
    assert "httponly" in attributes and "samesite=lax" in attributes
    assert "secure" not in attributes  # http on a test site
    k = db.session.scalar(select(KioskSession))
    assert k.digest == hashlib.sha256(token.encode()).hexdigest() and token not in k.digest
    assert k.round_id == r.id and k.started_by_id == staff.id and k.ended_at is None
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "kids.kiosk_started")) is not None
    # The tablet is no longer signed in as staff: staff pages ask for a login.
    assert en.get(f"/c/{c.slug}/kids/rounds/{r.id}/setup").status_code == 302
    assert en.get("/account").status_code == 302
    waiting = en.get(kiosk_url(c))
    assert waiting.status_code == 200
    html = waiting.get_data(as_text=True)
    assert r.title in html and "Next child" in html and "End the kiosk" in html
    assert "/static/kids/messages/wait.svg" in html and "community-nav" not in html


def test_on_an_https_site_the_kiosk_cookie_is_secure(tmp_path):
    settings = replace(make_settings(tmp_path, "sqlite"), session_cookie_secure=True,
                       public_url="https://yishiting.example.org")
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        make = Factory("neighbour-pass-1")
        client = Client(_FreshContextClient(app, use_cookies=True))
        c = make.community()
        r = kids_round(make, c)
        staff = make.user(c, "staff")
        # Over https, Flask-WTF wants a Referer from the same site.
        client.http.environ_base.update({"wsgi.url_scheme": "https",
                                         "HTTP_REFERER": "https://localhost/"})
        response = start(client, c, r, staff)
        cookie = next(h for h in response.headers.getlist("Set-Cookie")
                      if h.startswith(COOKIE))
        assert "secure" in {a.strip().lower() for a in cookie.split(";")}
        db.session.remove()


def test_three_children_vote_in_a_row(app, make, en):
    c, r, _staff, _response = started(make, en)
    for n, entry in enumerate((r.entries[0], r.entries[2], r.entries[0]), start=1):
        code, ballot = next_child(en, c)
        page = Page(ballot.get_data(as_text=True))
        assert [card["name"] for card in page.cards] == ["秋千", "长椅", "路灯"]
        assert page.hidden["code"] == code and not page.problems
        assert f'action="{kiosk_url(c, "/vote")}"' in ballot.get_data(as_text=True)
        # A small way back, for staff when a child walks away from the ballot.
        assert f'href="{kiosk_url(c)}"' in ballot.get_data(as_text=True)
        done = vote(en, c, code, entry.id)
        assert done.status_code == 200
        html = done.get_data(as_text=True)
        assert "/static/kids/messages/thanks.svg" in html
        # Back to the waiting screen: by itself after a few seconds, or the big arrow.
        assert f'data-next-url="{kiosk_url(c)}"' in html and 'data-next-after="4000"' in html
        assert f'class="kids-next" href="{kiosk_url(c)}"' in html
        k = db.session.scalar(select(KioskSession))
        assert k.children == n
    ballots = db.session.scalars(select(ChildBallot)).all()
    assert len(ballots) == 3 and {b.channel for b in ballots} == {"kiosk"}
    assert sorted(b.choices[0].entry_id for b in ballots) == sorted(
        [r.entries[0].id, r.entries[0].id, r.entries[2].id])
    assert "3 children have voted" in en.get(kiosk_url(c)).get_data(as_text=True)


def test_a_used_or_foreign_code_is_refused_with_a_picture(app, make, en):
    c, r, staff, _response = started(make, en)
    code, _ballot = next_child(en, c)
    assert vote(en, c, code, r.entries[0].id).status_code == 200
    used = vote(en, c, code, r.entries[1].id)
    assert used.status_code == 409
    assert picture_of(used)["src"].endswith("/used.svg") and picture_of(used)["alt"]
    assert 'data-next-url="%s"' % kiosk_url(c) in used.get_data(as_text=True)
    # A printed card's code is not voted with on the kiosk, nor is a made-up one.
    card = codes.mint_cards(r, 1)[0]
    db.session.commit()
    for other in (card, "ABCDE-FGHJK", ""):
        response = vote(en, c, other, r.entries[1].id)
        assert response.status_code == 404 and picture_of(response)["src"].endswith("/used.svg")
    assert count(ChildBallot) == 1 and codes.find(r, card).used_at is None


def test_a_kiosk_vote_without_a_pick_keeps_the_code(app, make, en):
    c, r, _staff, _response = started(make, en)
    code, _ballot = next_child(en, c)
    response = en.post(kiosk_url(c, "/vote"), {"code": code}, token_from=kiosk_url(c))
    assert response.status_code == 422
    assert Page(response.get_data(as_text=True)).hidden["code"] == code
    assert vote(en, c, code, r.entries[1].id).status_code == 200


def test_next_voids_the_code_of_a_child_who_walked_away(app, make, en):
    c, r, _staff, _response = started(make, en)
    walked_away, _ballot = next_child(en, c)
    code, _ballot = next_child(en, c)
    assert vote(en, c, walked_away, r.entries[0].id).status_code == 404
    assert vote(en, c, code, r.entries[0].id).status_code == 200
    assert count(ChildBallot) == 1 and count(ChildCode) == 1


def test_the_kiosk_cookie_opens_this_communitys_kiosk_only(app, make, en):
    c, r, _staff, response = started(make, en)
    other = make.community()
    token = next(h for h in response.headers.getlist("Set-Cookie")
                 if h.startswith(COOKIE)).split(";")[0].split("=", 1)[1]
    # The browser does not send the cookie elsewhere: there is no kiosk there.
    assert en.get(kiosk_url(other)).status_code == 404
    assert en.get(f"/c/{c.slug}/").status_code == 200
    # Sent there anyway, it opens nothing and mints nothing.
    en.http.set_cookie(COOKIE, token, path=kiosk_url(other))
    refused = en.get(kiosk_url(other))
    assert refused.status_code == 403 and picture_of(refused)["src"].endswith("/ended.svg")
    assert COOKIE + "=;" in refused.headers["Set-Cookie"]
    en.http.set_cookie(COOKIE, token, path=kiosk_url(other))
    assert en.post(kiosk_url(other, "/next"), token_from=kiosk_url(c)).status_code == 403
    assert count(ChildCode) == 0
    # At home the kiosk still works.
    assert en.get(kiosk_url(c)).status_code == 200


def test_a_tablet_without_a_kiosk_gets_no_ballot(app, make, en):
    c = make.community()
    kids_round(make, c)
    for response in (en.get(kiosk_url(c)), en.post(kiosk_url(c, "/next")),
                     en.post(kiosk_url(c, "/vote"), {"code": "ABCDE-FGHJK"}),
                     en.post(kiosk_url(c, "/end"))):
        assert response.status_code == 404
        assert picture_of(response)["src"].endswith("/ended.svg")
    en.http.set_cookie(COOKIE, "made-up", path=kiosk_url(c))
    response = en.get(kiosk_url(c))
    assert response.status_code == 403 and picture_of(response)["src"].endswith("/ended.svg")
    assert COOKIE + "=;" in response.headers["Set-Cookie"]  # cleared
    assert count(ChildCode) == 0


def test_inactivity_ends_the_kiosk(app, make, en):
    c, r, _staff, _response = started(make, en)
    k = db.session.scalar(select(KioskSession))
    # The waiting screen being open does not keep the kiosk alive.
    seen = k.last_seen_at
    en.get(kiosk_url(c))
    db.session.refresh(k)
    assert k.last_seen_at == seen
    # Nine minutes without a child: still open; "next" counts as activity.
    k.last_seen_at = utcnow() - timedelta(minutes=9)
    db.session.commit()
    code, _ballot = next_child(en, c)
    db.session.refresh(k)
    assert utcnow() - k.last_seen_at < timedelta(minutes=1)
    # Eleven minutes after that code was minted: ended, the cookie goes, nothing votes.
    k.last_seen_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    response = vote(en, c, code, r.entries[0].id)
    assert response.status_code == 403 and picture_of(response)["src"].endswith("/ended.svg")
    assert COOKIE + "=;" in response.headers["Set-Cookie"]
    assert count(ChildBallot) == 0
    assert en.get(kiosk_url(c)).status_code == 404  # the tablet has no kiosk cookie now


def test_a_closed_round_ends_its_kiosk(app, make, en):
    c, r, _staff, _response = started(make, en)
    make.time_round(r, "closed")
    response = en.get(kiosk_url(c))
    assert response.status_code == 403 and picture_of(response)["src"].endswith("/closed.svg")


def test_staff_end_the_kiosk(app, make, en):
    c, r, _staff, _response = started(make, en)
    next_child(en, c)
    response = en.post(kiosk_url(c, "/end"), token_from=kiosk_url(c))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/c/{c.slug}/rounds/{r.id}"
    assert COOKIE + "=;" in response.headers["Set-Cookie"]
    k = db.session.scalar(select(KioskSession))
    assert k.ended_at is not None and count(ChildCode) == 0
    assert en.get(kiosk_url(c)).status_code == 404


def test_a_kiosk_cannot_start_for_a_round_that_cannot_take_childrens_votes(app, make, en):
    c = make.community()
    staff = make.user(c, "staff")
    plain = make.round(c)
    closed = kids_round(make, c, state="closed")
    en.login(staff)
    for r, status in ((plain, 422), (closed, 409)):
        response = en.post(f"/c/{c.slug}/kids/rounds/{r.id}/kiosk/start",
                           token_from=f"/c/{c.slug}/rounds/{r.id}")
        assert response.status_code == status
        assert COOKIE not in response.headers.get("Set-Cookie", "")
    assert count(KioskSession) == 0
    assert en.get("/account").status_code == 200  # still signed in: nothing happened


def test_only_this_communitys_staff_start_its_kiosk(app, make, en):
    c, other = make.community(), make.community()
    r = kids_round(make, c)
    en.login(make.user(other, "staff"))
    token = en.csrf_token(f"/c/{other.slug}/")
    assert en.post(f"/c/{c.slug}/kids/rounds/{r.id}/kiosk/start",
                   {"csrf_token": token}).status_code == 403
    assert en.post(f"/c/{other.slug}/kids/rounds/{r.id}/kiosk/start",
                   {"csrf_token": token}).status_code == 404
    en.logout()
    en.login(make.user(c))  # a resident
    token = en.csrf_token(f"/c/{c.slug}/")
    assert en.post(f"/c/{c.slug}/kids/rounds/{r.id}/kiosk/start",
                   {"csrf_token": token}).status_code == 403
    assert count(KioskSession) == 0
