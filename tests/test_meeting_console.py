"""The chair's console over HTTP: only the meeting's chair drives it; starting, the agenda,
people added by name, the speaker queue and its timer, motions (quorum, phone votes,
counted hands, 列入方案) and what a bad request gets back."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.extensions import db
from app.timeutil import utcnow
from deliberation.meetings import board
from deliberation.meetings.models import Attendance, Councillor, Meeting, Motion, Speaker
from proposals.models import Idea, StageChange

HTMX = {"HX-Request": "true"}
POSTS = ["/start", "/close", "/item", "/step", "/attendee", "/speaker", "/speaker/1/remove",
         "/next", "/pause", "/resume", "/stop", "/motion", "/motion/close", "/rotate"]


@pytest.fixture
def world(make):
    c = make.community()
    ideas = [make.idea(c, stage="deliberating", title="3号楼车棚加装充电桩"),
             make.idea(c, stage="submitted", title="小区门口增设休息座椅")]
    meeting = make.meeting(c, ideas=ideas, chair_name="主持人老周")
    return c, meeting, ideas


def url(m, rest: str = "") -> str:
    return f"/c/{m.community.slug}/meetings/{m.id}{rest}"


class Console:
    """The chair at the console: posts with the page's CSRF token, htmx or not."""

    def __init__(self, client, meeting):
        self.client, self.meeting = client, meeting
        self.token = client.csrf_token(url(meeting, "/console"))

    def post(self, rest: str, data: dict | None = None, *, htmx: bool = True):
        data = dict(data or {}, csrf_token=self.token)
        return self.client.http.post(url(self.meeting, "/console" + rest), data=data,
                                     headers=HTMX if htmx else {})

    def ok(self, rest: str, data: dict | None = None) -> str:
        response = self.post(rest, data)
        assert response.status_code == 200, response.get_data(as_text=True)[:800]
        return response.get_data(as_text=True)


@pytest.fixture
def chair(world, client):
    _, meeting, _ = world
    client.login(meeting.chair)
    return Console(client, meeting)


def fresh(meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def part(html: str, element_id: str) -> str:
    """The text of the element with this id, up to its closing tag (no nesting)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(ol|p|div)>', html, re.S)
    assert match, f"#{element_id} not in the page"
    return match.group(1)


def alert(html: str) -> str:
    match = re.search(r'<p class="error" role="alert">(.*?)</p>', html, re.S)
    assert match, "no message shown"
    return match.group(1)


def queue_names(html: str) -> list[str]:
    return re.findall(r'class="console-queue-name">([^<]+)<', part(html, "console-queue"))


def council(meeting) -> list[Councillor]:
    return sorted(fresh(meeting).council, key=lambda c: c.user_id)


# --- who may drive ---------------------------------------------------------------------

def test_only_the_chair_drives_the_console(world, make, new_client):
    c, meeting, _ = world
    member = next(s.user for s in meeting.council if s.user_id != meeting.chair_id)
    others = {"staff": make.user(c, "staff"), "council member": member,
              "resident": make.user(c)}
    for who, user in others.items():
        client = new_client().login(user)
        token = client.csrf_token("/account")
        assert client.get(url(meeting, "/console")).status_code == 403, who
        assert client.get(url(meeting, "/console/live?v=0")).status_code == 403, who
        for rest in POSTS:
            response = client.http.post(url(meeting, "/console" + rest),
                                        data={"csrf_token": token, "name": "王阿姨",
                                              "stance": "support", "delta": "1"})
            assert response.status_code == 403, (who, rest)
    anonymous = new_client()
    response = anonymous.get(url(meeting, "/console"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert anonymous.get(url(meeting, "/console/live?v=0")).status_code == 302
    after = fresh(meeting)
    assert after.status == "scheduled" and not after.attendance and not after.motions


def test_another_communitys_meeting_is_not_found(world, make, new_client):
    _, meeting, _ = world
    elsewhere = make.community()
    accounts.join(meeting.chair, elsewhere)  # a member there too: still not found there
    db.session.commit()
    client = new_client().login(meeting.chair)
    assert client.get(f"/c/{elsewhere.slug}/meetings/{meeting.id}/console").status_code == 404


# --- running the meeting ---------------------------------------------------------------

def test_start_opens_the_first_item_and_the_console_shows_it(world, chair):
    _, meeting, ideas = world
    page = chair.client.get(url(meeting, "/console")).get_data(as_text=True)
    assert 'action="%s"' % url(meeting, "/console/start") in page
    html = chair.ok("/start")
    m = fresh(meeting)
    assert m.status == "live" and m.started_at is not None
    assert m.current_item_id == m.items[0].id
    assert ideas[0].title in part(html, "console-item")
    # Without htmx the console answers 303 back to itself; starting twice is refused.
    again = chair.post("/start", htmx=False)
    assert again.status_code == 303 and again.headers["Location"].endswith("/console")
    follow = chair.client.get(url(meeting, "/console")).get_data(as_text=True)
    assert 'class="flash error"' in follow


def test_the_agenda_moves_by_step_and_by_go_to(world, chair):
    _, meeting, ideas = world
    chair.ok("/start")
    html = chair.ok("/step", {"delta": "1"})
    assert ideas[1].title in part(html, "console-item")
    assert chair.post("/step", {"delta": "1"}).status_code == 422  # past the end: refused
    first = fresh(meeting).items[0]
    html = chair.ok("/item", {"item_id": str(first.id)})
    assert ideas[0].title in part(html, "console-item")
    assert fresh(meeting).current_item_id == first.id


def test_someone_present_without_a_phone_is_added_by_name(world, chair):
    _, meeting, _ = world
    chair.ok("/attendee", {"name": "  王阿姨  "})
    rows = fresh(meeting).attendance
    assert [(a.name, a.how, a.user_id) for a in rows] == [("王阿姨", "chair", None)]
    response = chair.post("/attendee", {"name": "   "})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1


def test_next_speaker_alternates_between_support_and_oppose(world, chair):
    _, meeting, _ = world
    chair.ok("/start")
    chair.ok("/speaker", {"name": "甲", "stance": "support"})
    chair.ok("/speaker", {"name": "乙", "stance": "support"})
    html = chair.ok("/speaker", {"name": "丙", "stance": "oppose"})
    assert queue_names(html) == ["甲", "丙", "乙"]
    called = []
    for _ in range(3):
        html = chair.ok("/next")
        called.append(re.search(r"<strong>([^<]+)</strong>", part(html, "console-speaker"))
                      .group(1))
    assert called == ["甲", "丙", "乙"]
    # Nobody waits now; the same name cannot queue twice while waiting.
    assert chair.post("/next").status_code == 422
    chair.ok("/speaker", {"name": "丁", "stance": "suggest"})
    refused = chair.post("/speaker", {"name": "丁", "stance": "oppose"})
    assert refused.status_code == 422 and "丁" in refused.get_data(as_text=True)


def test_a_waiting_speaker_can_be_removed(world, chair):
    _, meeting, _ = world
    chair.ok("/start")
    chair.ok("/speaker", {"name": "甲", "stance": "support"})
    speaker = db.session.scalar(select(Speaker))
    html = chair.ok(f"/speaker/{speaker.id}/remove")
    assert 'id="console-queue"' in html and "甲" not in part(html, "console-queue")
    db.session.expire_all()
    assert db.session.get(Speaker, speaker.id).state == "withdrawn"
    assert chair.post(f"/speaker/{speaker.id}/remove").status_code == 422


def test_pause_freezes_the_time_left_resume_runs_it_stop_ends_the_turn(world, chair):
    _, meeting, _ = world
    chair.ok("/start")
    chair.ok("/speaker", {"name": "甲", "stance": "support"})
    chair.ok("/next")
    html = chair.ok("/pause")
    assert 'data-running="0"' in html
    m = fresh(meeting)
    now = utcnow()
    left = board.board(m, now).remaining_ms
    assert 0 < left <= m.turn_seconds * 1000
    assert board.board(m, now + timedelta(seconds=40)).remaining_ms == left  # frozen
    html = chair.ok("/resume")
    assert 'data-running="1"' in html
    m = fresh(meeting)
    now = utcnow()
    running = board.board(m, now).remaining_ms
    assert board.board(m, now + timedelta(seconds=40)).remaining_ms == running - 40_000
    assert chair.post("/resume").status_code == 422  # already running
    html = chair.ok("/stop")
    assert 'class="countdown' not in html
    speaker = db.session.scalar(select(Speaker))
    assert speaker.state == "done" and speaker.ended_at is not None
    assert board.board(fresh(meeting)).speaker is None


# --- motions ---------------------------------------------------------------------------

def put(chair, meeting, present, **fields):
    data = {"question": fields.pop("question", "是否同意把充电桩列入方案？"), **fields}
    data["present"] = [str(uid) for uid in present]
    return chair.post("/motion", data)


def test_a_motion_needs_a_quorum_of_council_members_present(world, chair):
    _, meeting, _ = world
    chair.ok("/start")
    refused = put(chair, meeting, [meeting.chair_id])  # 1 of 3: not more than half
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    message = alert(html)
    assert "1" in message and "3" in message
    assert 'value="是否同意把充电桩列入方案？"' in html  # what the chair typed stays
    assert db.session.scalar(select(func.count()).select_from(Motion)) == 0
    assert not any(c.present for c in council(meeting))  # the refusal changed nothing
    # Without htmx: the page again, 422, with the reason and the question kept.
    page = chair.post("/motion", {"question": "再问一次", "present": [str(meeting.chair_id)]},
                      htmx=False)
    assert page.status_code == 422 and 'value="再问一次"' in page.get_data(as_text=True)


def vote(new_client, meeting, user, choice):
    client = new_client().login(user)
    response = client.post(url(meeting, "/vote"), {"choice": choice},
                           token_from="/account", headers=HTMX)
    assert response.status_code < 400, response.get_data(as_text=True)[:500]


def test_council_members_vote_by_phone_and_the_chair_closes(world, chair, new_client):
    _, meeting, _ = world
    chair.ok("/start")
    everyone = [c.user_id for c in council(meeting)]
    html = put(chair, meeting, everyone).get_data(as_text=True)
    assert 'id="console-question"' in html
    motion = db.session.scalar(select(Motion))
    assert (motion.status, motion.council_present, motion.council_total) == ("open", 3, 3)
    members = [c.user for c in council(meeting) if c.user_id != meeting.chair_id]
    vote(new_client, meeting, members[0], "for")
    vote(new_client, meeting, members[1], "for")
    live = chair.client.get(url(meeting, "/console/live?v=0"), headers=HTMX)
    assert 'data-for="2"' in live.get_data(as_text=True)
    html = chair.ok("/motion/close")
    db.session.expire_all()
    motion = db.session.get(Motion, motion.id)
    assert (motion.status, motion.votes_for, motion.votes_against, motion.votes_abstain) \
        == ("closed", 2, 0, 0)
    assert motion.passed is True and not motion.counted_by_chair
    assert 'id="console-result"' in html and "result-passed" in html


def test_counted_hands_cannot_exceed_the_members_who_may_vote(world, chair):
    _, meeting, _ = world
    chair.ok("/start")
    put(chair, meeting, [c.user_id for c in council(meeting)])
    # Two members vote (the chair does not): three hands are refused.
    refused = chair.post("/motion/close",
                         {"votes_for": "2", "votes_against": "1", "votes_abstain": "0"})
    assert refused.status_code == 422
    assert "3" in alert(refused.get_data(as_text=True))
    assert db.session.scalar(select(Motion)).status == "open"
    html = chair.ok("/motion/close",
                    {"votes_for": "1", "votes_against": "1", "votes_abstain": "0"})
    motion = db.session.scalar(select(Motion))
    assert motion.status == "closed" and motion.counted_by_chair
    assert (motion.votes_for, motion.votes_against, motion.passed) == (1, 1, False)  # a tie
    assert "result-failed" in html


def test_a_passed_motion_to_plan_moves_the_idea_with_its_costing(world, chair, new_client):
    c, meeting, ideas = world
    chair.ok("/start")
    page = chair.client.get(url(meeting, "/console")).get_data(as_text=True)
    assert 'name="move_to" value="planned"' in page  # an idea under deliberation
    response = put(chair, meeting, [s.user_id for s in council(meeting)],
                   question="是否同意列入方案？", move_to="planned", cost="12,800.50",
                   responsible="物业服务中心")
    assert response.status_code == 200, alert(response.get_data(as_text=True))
    for member in (s.user for s in council(meeting) if s.user_id != meeting.chair_id):
        vote(new_client, meeting, member, "for")
    html = chair.ok("/motion/close")
    motion = db.session.scalar(select(Motion))
    assert motion.passed and motion.move_note == "" and motion.cost_fen == 12_800_50
    idea = db.session.get(Idea, ideas[0].id)
    assert idea.stage == "planned"
    assert (idea.costing.amount_fen, idea.costing.responsible) == (12_800_50, "物业服务中心")
    change = db.session.scalar(select(StageChange).where(StageChange.idea_id == idea.id)
                               .order_by(StageChange.id.desc()))
    assert (change.to_stage, change.cause_type, change.cause_id) == ("planned", "motion",
                                                                      motion.id)
    assert "是否同意列入方案？" in change.cause_label
    timeline = chair.client.get(f"/c/{c.slug}/ideas/{idea.id}").get_data(as_text=True)
    assert "是否同意列入方案？" in timeline
    assert 'id="console-result"' in html
    # The next item is not an idea under deliberation: no 列入方案 there.
    html = chair.ok("/step", {"delta": "1"})
    assert 'name="move_to"' not in html


def test_planning_needs_a_cost_and_who_is_responsible(world, chair):
    _, meeting, _ = world
    chair.ok("/start")
    refused = put(chair, meeting, [s.user_id for s in council(meeting)], move_to="planned",
                  cost="", responsible="")
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Motion)) == 0
    bad_money = put(chair, meeting, [s.user_id for s in council(meeting)],
                    move_to="planned", cost="一万", responsible="物业")
    assert bad_money.status_code == 422


def test_closing_the_meeting_links_to_the_minutes(world, chair):
    _, meeting, _ = world
    chair.ok("/start")
    html = chair.ok("/close")
    m = fresh(meeting)
    assert m.status == "closed" and m.minutes.strip()
    assert 'id="console-minutes"' in html and url(meeting, "/minutes/edit") in html
    assert chair.post("/next").status_code == 422


def test_rotating_changes_the_screen_link(world, chair):
    _, meeting, _ = world
    old = fresh(meeting).screen_token
    html = chair.ok("/rotate")
    new = fresh(meeting).screen_token
    assert new != old
    assert f"/screen/{new}" in html and f"/screen/{old}" not in html


# --- the console's own polling ---------------------------------------------------------

def test_console_live_answers_204_until_something_changes(world, chair, new_client):
    _, meeting, _ = world
    html = chair.ok("/start")
    version = re.search(r'id="console-live"[^>]*data-version="(\d+)"', html).group(1)
    same = chair.client.get(url(meeting, f"/console/live?v={version}"), headers=HTMX)
    assert same.status_code == 204 and same.headers["Cache-Control"] == "no-store"
    chair.ok("/attendee", {"name": "李大爷"})
    changed = chair.client.get(url(meeting, f"/console/live?v={version}"), headers=HTMX)
    assert changed.status_code == 200 and 'id="console-live"' in changed.get_data(as_text=True)


# --- nothing a person can send is a 500 ----------------------------------------------------

GARBAGE = [
    ("/step", {}), ("/step", {"delta": "abc"}), ("/step", {"delta": "5"}),
    ("/step", {"delta": "99999999999999999999999"}),
    ("/item", {}), ("/item", {"item_id": "abc"}), ("/item", {"item_id": "99999999999999"}),
    ("/item", {"item_id": "-3"}),
    ("/attendee", {}), ("/attendee", {"name": "名" * 500}),
    ("/speaker", {}), ("/speaker", {"name": "甲", "stance": "maybe"}),
    ("/speaker/99999999999999999999/remove", {}), ("/speaker/0/remove", {}),
    ("/motion", {}), ("/motion", {"question": "问", "present": ["abc", "-1", "9" * 30]}),
    ("/motion", {"question": "问" * 600}),
    ("/motion", {"question": "问", "move_to": "funded", "cost": "1", "responsible": "x"}),
    ("/motion", {"question": "问", "move_to": "planned", "cost": "9" * 40,
                 "responsible": "x"}),
    ("/motion/close", {"votes_for": "-1"}), ("/motion/close", {"votes_for": "abc"}),
    ("/motion/close", {"votes_for": "9" * 30}), ("/motion/close", {}),
]


@pytest.mark.parametrize("htmx", [True, False])
def test_empty_and_garbage_posts_get_4xx_never_500(world, chair, htmx):
    _, meeting, _ = world
    chair.ok("/start")
    for rest, data in GARBAGE:
        response = chair.post(rest, data, htmx=htmx)
        assert 400 <= response.status_code < 500, (rest, data, response.status_code)
    # A NUL character is dropped, not refused (PostgreSQL could not store it).
    assert chair.post("/attendee", {"name": "王\x00阿姨"}, htmx=htmx).status_code < 400
    assert [a.name for a in fresh(meeting).attendance] == ["王阿姨"]
    # Without a CSRF token nothing is done.
    bare = chair.client.http.post(url(meeting, "/console/close"), data={})
    assert bare.status_code == 400 and fresh(meeting).status == "live"
    huge = chair.client.get(f"/c/{meeting.community.slug}/meetings/{10**20}/console")
    assert huge.status_code == 404
