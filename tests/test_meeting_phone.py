"""The public meeting pages and the residents' phones: the list, the live part, raising a
hand, voting on a motion, signing in by the screen's code, and the minutes."""
from __future__ import annotations

import re
from html import unescape as html_unescape
from urllib.parse import parse_qs, urlparse

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import utcnow
from deliberation.meetings import rules, services
from deliberation.meetings.models import Attendance, MotionVote, Speaker

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client):
    # The words asserted below are the English msgids; Chinese is the default language.
    client.get("/lang/en")


@pytest.fixture
def room(make):
    """A meeting in session on its first item, an idea under deliberation."""
    c = make.community(slug="nt")
    idea = make.idea(c, stage="deliberating", title="修缮儿童广场地面")
    meeting = make.meeting(c, ideas=[idea], council=3, title="第三次居民议事会",
                           chair_name="主持人老周")
    services.start(meeting, meeting.chair)
    db.session.commit()
    return meeting


def url(meeting, tail: str = "") -> str:
    return f"/c/{meeting.community.slug}/meetings/{meeting.id}{tail}"


def in_room(make, meeting, *roles, **fields):
    user = make.user(meeting.community, *roles, **fields)
    services.sign_in(meeting, user)
    db.session.commit()
    return user


def version_of(html: str) -> str:
    return re.search(r'id="meeting-live"[^>]*data-version="([^"]+)"', html).group(1)


def section(html: str, css_class: str) -> str:
    match = re.search(rf'<section class="{css_class}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def count(html: str, choice: str) -> int:
    return int(re.search(rf'data-choice="{choice}">(\d+)<', html).group(1))


def attendance(meeting) -> int:
    return db.session.scalar(select(func.count()).select_from(Attendance)
                             .where(Attendance.meeting_id == meeting.id))


# --- the list and the page ---------------------------------------------------------------

def test_the_list_groups_meetings_in_session_upcoming_and_past(client, make):
    c = make.community()
    make.meeting(c, title="正在开的会", status="live")
    make.meeting(c, title="下周的会")
    past = make.meeting(c, title="上个月的会", status="closed")
    past.minutes, past.minutes_published_at = "纪要", utcnow()
    db.session.commit()
    make.meeting(make.community(), title="别的小区的会")
    html = client.get(f"/c/{c.slug}/meetings/").get_data(as_text=True)

    def group(status):
        return re.search(rf'id="meetings-{status}".*?</section>', html, re.S).group(0)

    assert "正在开的会" in group("live") and "下周的会" not in group("live")
    assert "下周的会" in group("scheduled") and "居委会二楼会议室" in group("scheduled")
    assert "上个月的会" in group("closed")
    assert f'/meetings/{past.id}/minutes"' in group("closed")
    assert "别的小区的会" not in html
    assert "0 items" in group("scheduled")  # no agenda yet


def test_the_chair_and_staff_find_their_links_and_residents_do_not(new_client, make, room):
    chair, staff = new_client(), new_client()
    chair.login(room.chair)
    staff.login(make.user(room.community, "staff"))
    resident = new_client()
    resident.login(make.user(room.community))
    listing = f"/c/{room.community.slug}/meetings/"
    console, agenda = url(room, "/console"), url(room, "/agenda")
    for who in (chair, staff, resident):
        who.get("/lang/en")
    assert f'href="{console}"' in chair.get(url(room)).get_data(as_text=True)
    assert f'href="{console}"' in chair.get(listing).get_data(as_text=True)
    staff_list = staff.get(listing).get_data(as_text=True)
    assert "New meeting" in staff_list and f'href="{agenda}"' in staff_list
    assert f'href="{console}"' not in staff_list  # only the meeting's chair drives it
    for page in (resident.get(listing), resident.get(url(room))):
        html = page.get_data(as_text=True)
        assert "New meeting" not in html and console not in html and agenda not in html


def test_the_page_shows_the_meeting_to_anyone_with_its_live_part(client, room):
    html = client.get(url(room)).get_data(as_text=True)
    assert "第三次居民议事会" in html and "主持人老周" in html and "居委会二楼会议室" in html
    now = section(html, "meeting-now")
    assert "修缮儿童广场地面" in now and f"/ideas/{room.items[0].idea_id}" in now
    assert 'aria-current="step"' in section(html, "meeting-agenda")
    assert f'hx-get="{url(room, "/live")}?v={version_of(html)}"' in html
    assert 'hx-trigger="every 1s"' in html and "js/meeting.js" in html
    assert "Log in" in section(html, "meeting-me")


def test_the_live_part_answers_204_until_something_changes(client, make, room):
    version = version_of(client.get(url(room)).get_data(as_text=True))
    unchanged = client.get(url(room, f"/live?v={version}"))
    assert unchanged.status_code == 204 and unchanged.headers["Cache-Control"] == "no-store"
    services.add_speaker(room, room.chair, "王阿姨", "oppose")
    services.call_next(room, room.chair)
    db.session.commit()
    changed = client.get(url(room, f"/live?v={version}"))
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200 and changed.headers["Cache-Control"] == "no-store"
    assert html.lstrip().startswith("<div id=\"meeting-live\"") and version_of(html) != version
    floor = section(html, "meeting-now")
    assert "王阿姨" in floor and 'class="countdown"' in floor and ">02:00<" in floor
    assert 'data-running="1"' in floor
    assert client.get(url(room, "/live?v=nonsense")).status_code == 200


# --- signing in by the screen's code -----------------------------------------------------

def code(meeting, windows_ago: int = 0) -> str:
    window = rules.join_window(utcnow()) - windows_ago
    return rules.join_code(meeting.join_secret, meeting.id, window)


def test_a_fresh_code_offers_one_button_and_signs_in_once(client, make, room):
    user = make.user(room.community)
    client.login(user)
    page = client.get(url(room, f"/join/{code(room)}")).get_data(as_text=True)
    assert 'name="ticket"' in page and "Sign in" in page
    ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)
    first = client.post(url(room, f"/join/{code(room)}"), {"ticket": ticket})
    assert first.status_code == 303 and first.headers["Location"].endswith(url(room))
    assert "You are signed in" in client.get(url(room)).get_data(as_text=True)
    client.post(url(room, f"/join/{code(room)}"), {"ticket": ticket})
    assert attendance(room) == 1
    assert "already signed in" in client.get(url(room, f"/join/{code(room)}")).get_data(as_text=True)


def test_an_old_code_has_no_button_and_signs_nobody_in(client, make, room):
    client.login(make.user(room.community))
    old = code(room, windows_ago=2)
    page = client.get(url(room, f"/join/{old}"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The code has changed" in html and 'name="ticket"' not in html
    refused = client.post(url(room, f"/join/{old}"), {"ticket": ""})
    assert refused.status_code == 400 and "Scan the code" in refused.get_data(as_text=True)
    assert client.get(url(room, "/join/不是代码")).status_code == 200
    assert attendance(room) == 0


def test_a_pass_for_someone_else_or_too_old_signs_nobody_in(client, make, room, app):
    me, other = make.user(room.community), make.user(room.community)
    client.login(me)
    old = code(room, windows_ago=2)
    passes = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="meeting-join")
    theirs = passes.dumps({"m": room.id, "u": other.id})

    class LongAgo(TimestampSigner):
        def get_timestamp(self):
            return super().get_timestamp() - 700

    stale = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="meeting-join",
                                   signer=LongAgo).dumps({"m": room.id, "u": me.id})
    for ticket in (theirs, stale, "forged"):
        assert client.post(url(room, f"/join/{old}"), {"ticket": ticket}).status_code == 400
    assert attendance(room) == 0
    mine = passes.dumps({"m": room.id, "u": me.id})
    assert client.post(url(room, f"/join/{old}"), {"ticket": mine}).status_code == 303
    assert attendance(room) == 1


def test_a_scan_before_logging_in_comes_back_ready_after_the_code_expired(client, make, room,
                                                                           app):
    user = make.user(room.community)
    page = client.get(url(room, f"/join/{code(room)}")).get_data(as_text=True)
    login = re.search(r'href="(/login\?next=[^"]*scan[^"]+)"', page)
    assert login and 'name="ticket"' not in page
    back = (parse_qs(urlparse(html_unescape(login.group(1))).query)["next"][0])
    scan = parse_qs(urlparse(back).query)["scan"][0]
    # Much later (the code long gone), the remembered scan still leads to the button ...
    late = url(room, f"/join/{code(room, windows_ago=5)}?scan={scan}")
    client.login(user)
    assert 'name="ticket"' in client.get(late).get_data(as_text=True)
    # ... but a scan of another meeting, or an expired code without one, does not.
    other = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="meeting-join").dumps(
        {"m": room.id + 1})
    stale = url(room, f"/join/{code(room, windows_ago=5)}?scan={other}")
    assert 'name="ticket"' not in client.get(stale).get_data(as_text=True)
    client.logout()
    old = client.get(url(room, f"/join/{code(room, windows_ago=5)}")).get_data(as_text=True)
    assert "The code has changed" in old and "scan=" not in old


def test_a_closed_meeting_says_it_has_ended(client, make, room):
    client.login(make.user(room.community))
    services.close(room, room.chair)
    db.session.commit()
    assert "has ended" in client.get(url(room, f"/join/{code(room)}")).get_data(as_text=True)
    assert "This meeting has ended" in client.get(url(room)).get_data(as_text=True)


# --- hands -------------------------------------------------------------------------------

def test_raising_a_hand_needs_signing_in_first(client, make, room):
    client.login(make.user(room.community))
    html = client.get(url(room)).get_data(as_text=True)
    assert "Scan the code on the screen" in section(html, "meeting-me")
    assert 'name="stance"' not in html
    refused = client.post(url(room, "/hand"), {"stance": "support"}, headers=HTMX)
    assert refused.status_code == 422
    assert "Sign in to the meeting first" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == 0


def test_a_raised_hand_joins_the_queue_and_can_be_lowered(client, make, room):
    user = in_room(make, room, display_name="李大爷")
    client.login(user)
    page = client.get(url(room)).get_data(as_text=True)
    assert page.count('name="stance"') == 3
    raised = client.post(url(room, "/hand"), {"stance": "oppose"}, headers=HTMX)
    html = raised.get_data(as_text=True)
    assert raised.status_code == 200
    assert "李大爷" in section(html, "meeting-queue")
    assert "number 1 in the queue" in html and "Lower my hand" in html

    again = client.post(url(room, "/hand"), {"stance": "support"}, headers=HTMX)
    assert again.status_code == 422 and "already in the queue" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == 1

    lowered = client.post(url(room, "/hand/lower"), headers=HTMX).get_data(as_text=True)
    assert "李大爷" not in section(lowered, "meeting-queue") and "Nobody is waiting" in lowered
    assert db.session.scalars(select(Speaker.state)).all() == ["withdrawn"]


def test_without_javascript_a_hand_is_a_plain_form_and_a_redirect(client, make, room):
    client.login(in_room(make, room, display_name="张阿姨"))
    raised = client.post(url(room, "/hand"), {"stance": "suggest"})
    assert raised.status_code == 303 and raised.headers["Location"].endswith(url(room))
    html = client.get(url(room)).get_data(as_text=True)
    assert "张阿姨" in section(html, "meeting-queue") and "Your hand is up" in html
    refused = client.post(url(room, "/hand"), {"stance": "suggest"})
    assert refused.status_code == 303
    assert "already in the queue" in client.get(url(room)).get_data(as_text=True)


# --- motions -----------------------------------------------------------------------------

def put_motion(room):
    services.put_motion(room, room.chair, question="同意修缮儿童广场地面吗？",
                        present_ids={c.user_id for c in room.council})
    db.session.commit()


def test_a_council_member_present_votes_and_the_counts_move(client, make, room):
    put_motion(room)
    member = room.council[1].user
    client.login(member)
    html = client.get(url(room)).get_data(as_text=True)
    assert "同意修缮儿童广场地面吗？" in html and html.count('name="choice"') == 3
    for choice, expected in (("for", (1, 0, 0)), ("against", (0, 1, 0)),
                             ("abstain", (0, 0, 1))):
        answer = client.post(url(room, "/vote"), {"choice": choice}, headers=HTMX)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200
        assert (count(html, "for"), count(html, "against"), count(html, "abstain")) == expected
    assert 'aria-pressed="true">Abstain' in html
    assert db.session.scalar(select(func.count()).select_from(MotionVote)) == 1


def test_a_resident_who_is_not_on_the_council_cannot_vote(client, make, room):
    put_motion(room)
    client.login(in_room(make, room))
    assert 'name="choice"' not in client.get(url(room)).get_data(as_text=True)
    refused = client.post(url(room, "/vote"), {"choice": "for"}, headers=HTMX)
    assert refused.status_code == 422
    assert "Only council members present vote" in refused.get_data(as_text=True)
    assert count(refused.get_data(as_text=True), "for") == 0
    assert db.session.scalar(select(func.count()).select_from(MotionVote)) == 0


# --- what nobody can break ---------------------------------------------------------------

def test_another_communitys_meeting_is_not_found_here(client, make, room):
    elsewhere = make.community()
    client.login(make.user(elsewhere))
    base = f"/c/{elsewhere.slug}/meetings/{room.id}"
    for path in ("", "/live", "/live?v=0x", "/minutes", f"/join/{code(room)}"):
        assert client.get(base + path).status_code == 404, path
    for path in ("/hand", "/hand/lower", "/vote", f"/join/{code(room)}"):
        assert client.post(base + path, {"stance": "support"}).status_code == 404, path
    assert client.get(f"/c/{elsewhere.slug}/meetings/99999999999").status_code == 404


def test_empty_and_odd_posts_are_refused_not_errors(client, make, room):
    client.login(in_room(make, room))
    for path in ("/hand", "/hand/lower", "/vote", f"/join/{code(room)}"):
        assert client.http.post(url(room, path)).status_code == 400, path  # no CSRF token
    for path, data in (("/hand", {}), ("/hand", {"stance": "x" * 5000}), ("/hand/lower", {}),
                       ("/vote", {}), ("/vote", {"choice": "maybe"})):
        answer = client.post(url(room, path), data, headers=HTMX)
        assert answer.status_code == 422, (path, data)
    assert client.post(url(room, "/join/x"), {}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == 0


# --- minutes -----------------------------------------------------------------------------

def test_minutes_are_found_only_once_published_and_are_shown_as_text(client, room):
    services.close(room, room.chair)
    db.session.commit()
    assert client.get(url(room, "/minutes")).status_code == 404
    services.save_minutes(room, room.chair, "一、出席\n<script>alert(1)</script>",
                          publish=True)
    db.session.commit()
    html = client.get(url(room, "/minutes")).get_data(as_text=True)
    assert "一、出席\n&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert f'/meetings/{room.id}/minutes"' in client.get(url(room)).get_data(as_text=True)
