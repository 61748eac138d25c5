"""The projector screen over HTTP: no login, the token is the secret (rotating it retires
the old address), the live part answers 204 until something changes, and what it shows:
the item, its photo and stage, the speaker and a countdown computed from the server's
start time, the queue, the join QR code (a new one every 30 seconds) and the vote chart."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from deliberation import live
from deliberation.meetings import rules
from deliberation.meetings.models import Meeting, Speaker
from app.qr import qr_svg
from deliberation.meetings.screen_views import mmss, screen_version
from proposals.models import IdeaPhoto

from .test_meeting_console import HTMX, Console, url

VERSION = re.compile(r'id="screen-live"[^>]*data-version="(\d+)\.(\d+)"', re.S)


@pytest.fixture
def world(make):
    c = make.community(name="高荣居民区")
    idea = make.idea(c, stage="deliberating", title="3号楼车棚加装充电桩")
    idea.photos.append(IdeaPhoto(filename="charging-post.jpg", width=640, height=480))
    db.session.commit()
    meeting = make.meeting(c, ideas=[idea], place="居委会二楼会议室", turn_seconds=90)
    return c, meeting, idea


def screen_url(meeting, token=None, rest=""):
    return url(meeting, f"/screen/{token or meeting.screen_token}{rest}")


@pytest.fixture
def chair(world, new_client):
    _, meeting, _ = world
    return Console(new_client().login(meeting.chair), meeting)


def shown_version(html: str) -> str:
    marker, window = VERSION.search(html).groups()
    return f"{marker}.{window}"


def fragment(client, meeting, v="0") -> str:
    response = client.get(screen_url(meeting, rest=f"/live?v={v}"), headers=HTMX)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def attr(html: str, name: str) -> int:
    return int(re.search(rf'class="countdown[^"]*"[^>]*\s{name}="(-?\d+)"', html, re.S)
               .group(1))


def test_the_screen_needs_no_login_and_has_no_site_navigation(world, client):
    c, meeting, idea = world
    response = client.get(screen_url(meeting))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert meeting.title in html and "居委会二楼会议室" in html and idea.title in html
    assert 'class="site-header"' not in html and 'class="community-nav"' not in html
    for asset in ("vendor/htmx.min.js", "css/site.css", "js/meeting.js"):
        assert f"/static/{asset}" in html
    assert '<svg role="img"' in html and 'class="qr"' in html
    assert "style=" not in html  # the CSP allows no style attributes


def test_a_wrong_token_or_another_community_is_not_found(world, make, client):
    _, meeting, _ = world
    assert client.get(screen_url(meeting, "not-the-token")).status_code == 404
    assert client.get(screen_url(meeting, "not-the-token", "/live?v=0")).status_code == 404
    assert client.get(screen_url(meeting, meeting.screen_token[:-1])).status_code == 404
    assert client.get(screen_url(meeting, "令牌")).status_code == 404
    other = make.community()
    assert client.get(f"/c/{other.slug}/meetings/{meeting.id}/screen/"
                      f"{meeting.screen_token}").status_code == 404
    assert client.get(f"/c/{other.slug}/meetings/{10**20}/screen/x").status_code == 404


def test_rotating_the_token_retires_the_old_address(world, chair, client):
    _, meeting, _ = world
    old_page, old_live = screen_url(meeting), screen_url(meeting, rest="/live?v=0")
    assert client.get(old_page).status_code == 200
    chair.ok("/rotate")
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert client.get(old_page).status_code == 404
    assert client.get(old_live, headers=HTMX).status_code == 404
    assert client.get(screen_url(meeting)).status_code == 200
    assert meeting.screen_token in fragment(client, meeting)


def test_live_is_204_until_the_console_acts(world, chair, client):
    _, meeting, _ = world
    for attempt in range(3):  # a 30-second window may turn between the two requests
        version = shown_version(client.get(screen_url(meeting)).get_data(as_text=True))
        same = client.get(screen_url(meeting, rest=f"/live?v={version}"), headers=HTMX)
        if same.status_code == 204:
            break
    assert same.status_code == 204 and same.headers["Cache-Control"] == "no-store"
    chair.ok("/start")
    html = fragment(client, meeting, version)
    assert shown_version(html) != version and 'id="screen-live"' in html
    assert f'/live?v={shown_version(html)}' in html  # the new poller asks for what it shows


def test_the_fragment_shows_the_speaker_and_a_countdown_from_the_servers_start(world, chair,
                                                                                client):
    _, meeting, idea = world
    chair.ok("/start")
    chair.ok("/speaker", {"name": "王阿姨", "stance": "oppose"})
    chair.ok("/speaker", {"name": "张叔叔", "stance": "support"})
    chair.ok("/next")
    before = int(utcnow().timestamp() * 1000)
    html = fragment(client, meeting)
    after = int(utcnow().timestamp() * 1000)
    speaker = db.session.scalar(select(Speaker).where(Speaker.state == "speaking"))
    started = int(speaker.running_since.timestamp() * 1000)
    assert attr(html, "data-ends-at") == started + 90_000
    assert before <= attr(html, "data-server-now") <= after
    assert attr(html, "data-remaining") == attr(html, "data-ends-at") - attr(html,
                                                                            "data-server-now")
    assert 'data-running="1"' in html
    remaining = attr(html, "data-remaining")
    assert re.search(rf'>{re.escape(mmss(remaining))}</span>', html)  # right without JS
    speaking = re.search(r'id="screen-speaker">(.*?)</div>', html, re.S).group(1)
    assert "王阿姨" in speaking and "meeting-stance-oppose" in speaking
    queue = re.search(r'id="screen-queue">(.*?)</ol>', html, re.S).group(1)
    assert "张叔叔" in queue and "meeting-stance-support" in queue
    # The item, its photo and its stage.
    assert re.search(r'id="screen-item">\s*3号楼车棚加装充电桩', html)
    assert 'class="screen-photo" src="/media/ideas/charging-post.jpg"' in html
    assert 'class="stage stage-deliberating"' in html
    # Paused: the time left is fixed, and the page says so.
    chair.ok("/pause")
    html = fragment(client, meeting)
    assert 'data-running="0"' in html and 0 < attr(html, "data-remaining") <= 90_000


def test_the_qr_code_is_the_join_address_of_the_current_window(world, client, app):
    _, meeting, _ = world
    html = fragment(client, meeting)
    window = int(shown_version(html).split(".")[1])
    code = rules.join_code(meeting.join_secret, meeting.id, window)
    link = app.config["SETTINGS"].public_url + url(meeting, f"/join/{code}")
    with app.test_request_context():
        assert str(qr_svg(link, label="x")).split(">", 1)[1] in html
    assert link.split("://", 1)[1] in html  # the short address printed under it


def test_a_new_join_window_is_a_new_version(world, client):
    _, meeting, _ = world
    now = utcnow()
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    later = now + timedelta(seconds=rules.JOIN_WINDOW_SECONDS)
    assert screen_version(meeting, now) != screen_version(meeting, later)
    assert screen_version(meeting, now).split(".")[0] == str(live.version(meeting.channel))
    stale = f"{live.version(meeting.channel)}.{rules.join_window(now) - 1}"
    response = client.get(screen_url(meeting, rest=f"/live?v={stale}"), headers=HTMX)
    assert response.status_code == 200 and 'id="screen-live"' in response.get_data(as_text=True)


def test_a_motion_shows_a_live_vote_chart_and_then_its_result(world, chair, client,
                                                              new_client):
    _, meeting, _ = world
    chair.ok("/start")
    seats = sorted(db.session.get(Meeting, meeting.id).council, key=lambda s: s.user_id)
    chair.ok("/motion", {"question": "是否同意列入方案？",
                         "present": [str(s.user_id) for s in seats]})
    html = fragment(client, meeting)
    assert "是否同意列入方案？" in html and 'class="vote-chart"' in html
    assert 'data-choice="for" data-count="0"' in html
    for seat, choice in zip((s for s in seats if s.user_id != meeting.chair_id),
                            ("for", "against")):
        voter = new_client().login(seat.user)
        voter.post(url(meeting, "/vote"), {"choice": choice}, token_from="/account",
                   headers=HTMX)
    html = fragment(client, meeting)
    assert 'data-choice="for" data-count="1"' in html
    assert 'data-choice="against" data-count="1"' in html
    assert 'data-choice="abstain" data-count="0"' in html
    chair.ok("/motion/close")
    html = fragment(client, meeting)
    assert 'id="screen-result"' in html and "result-failed" in html  # a tie fails


def test_closed_meeting_says_so(world, chair, client):
    _, meeting, _ = world
    chair.ok("/start")
    chair.ok("/close")
    html = client.get(screen_url(meeting)).get_data(as_text=True)
    assert 'class="screen-closed"' in html and 'class="qr"' not in html


def test_the_live_parts_ask_no_more_queries_for_a_longer_queue(world, make, client):
    """Every phone and the screen fetch these after each change: their cost must not
    grow with the room."""
    from deliberation.meetings import services
    from .querycount import counted_queries
    c, meeting, _ = world
    services.start(meeting, meeting.chair)
    services.add_speaker(meeting, meeting.chair, "王阿姨", "support")
    services.call_next(meeting, meeting.chair)
    db.session.commit()
    stances = ("support", "oppose", "suggest")

    joined = iter(range(100))

    def join(n: int) -> None:
        for _, i in zip(range(n), joined):
            user = make.user(c)
            services.sign_in(meeting, user)
            services.raise_hand(meeting, user, stances[i % 3])
            services.add_speaker(meeting, meeting.chair, f"张叔叔{i}", stances[(i + 1) % 3])
        db.session.commit()

    def cost() -> tuple[int, int]:
        counts = []
        for path in (screen_url(meeting, rest="/live?v=0"), url(meeting, "/live?v=0")):
            with counted_queries() as statements:
                assert client.get(path, headers=HTMX).status_code == 200
            counts.append(len(statements))
        return tuple(counts)

    join(1)
    few = cost()
    join(6)
    many = cost()
    assert many == few, f"screen and phone queries {few} with 3 waiting, {many} with 15"
