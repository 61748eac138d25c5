"""The minutes (会议纪要): drafted from the record when the meeting closes, edited and
published by the chair or staff; once published they are public and linked from the
timeline of every idea on the agenda, and a stage move made by a motion links them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from app.extensions import db
from app.timeutil import utcnow
from deliberation.meetings import minutes, services
from deliberation.meetings.models import Meeting
from proposals.models import StageChange

from .querycount import counted_queries


@pytest.fixture(autouse=True)
def english(client):
    # The words asserted below are the English msgids; Chinese is the default language.
    client.get("/lang/en")


@pytest.fixture
def held(make):
    """A meeting that sat: two ideas debated, a motion planned the first, then closed."""
    c = make.community(slug="nt")
    corner = make.idea(c, stage="deliberating", title="睦邻活动室增设儿童绘本角")
    sink = make.idea(c, stage="deliberating", title="垃圾厢房旁加装洗手池")
    meeting = make.meeting(c, ideas=[corner, sink], council=3, title="静邻议事厅11月议事会",
                           starts_at=utcnow() - timedelta(minutes=30))
    chair = meeting.chair
    services.start(meeting, chair)
    services.add_speaker(meeting, chair, "王阿姨", "support")
    services.call_next(meeting, chair)
    services.stop(meeting, chair)
    council = [seat.user for seat in meeting.council if seat.user_id != chair.id]
    motion = services.put_motion(meeting, chair, question="列入方案：添置书架和绘本",
                                 present_ids={s.user_id for s in meeting.council},
                                 move_to="planned", cost_fen=9_500_00, responsible="居委会")
    for member in council:
        services.cast_vote(meeting, member, "for")
    services.close_motion(meeting, chair)
    services.step(meeting, chair, 1)
    services.close(meeting, chair)
    db.session.commit()
    return dict(c=c, meeting=meeting, chair=chair, council=council, corner=corner, sink=sink,
                staff=make.user(c, "staff"), motion=motion,
                edit=f"/c/nt/meetings/{meeting.id}/minutes/edit",
                public=f"/c/nt/meetings/{meeting.id}/minutes")


def fresh(meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def textarea(html: str) -> str:
    import html as html_lib
    return html_lib.unescape(re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", html, re.S).group(1))


def save(client, h, text, action):
    return client.post(h["edit"], {"text": text, "action": action}, token_from=h["edit"])


def test_the_draft_written_at_the_close_is_there_to_edit(held, client):
    client.login(held["chair"])
    page = client.get(held["edit"])
    assert page.status_code == 200
    text = textarea(page.get_data(as_text=True))
    assert text.strip() == held["meeting"].minutes.strip()
    assert "睦邻活动室增设儿童绘本角" in text and "列入方案：添置书架和绘本" in text
    assert "王阿姨（支持）" in text
    assert "Not published yet" in page.get_data(as_text=True)


def test_saving_a_draft_keeps_it_private_and_publishing_shows_it(held, client, new_client):
    h = held
    client.login(h["chair"])
    assert new_client().get(h["public"]).status_code == 404
    response = save(client, h, "纪要初稿\n一、绘本角列入方案。", "save")
    assert response.status_code == 303
    meeting = fresh(h["meeting"])
    assert meeting.minutes == "纪要初稿\n一、绘本角列入方案。" and not meeting.minutes_published
    assert new_client().get(h["public"]).status_code == 404
    assert save(client, h, "会议纪要\n一、绘本角列入方案。<script>alert(1)</script>",
                "publish").status_code == 303
    meeting = fresh(h["meeting"])
    assert meeting.minutes_published and meeting.minutes_published_by_id == h["chair"].id
    public = new_client().get(h["public"])
    assert public.status_code == 200
    html = public.get_data(as_text=True)
    assert "一、绘本角列入方案。" in html and "<script>alert(1)" not in html
    # Published minutes can still be corrected; they stay published.
    assert save(client, h, "会议纪要（更正）", "save").status_code == 303
    assert "会议纪要（更正）" in new_client().get(h["public"]).get_data(as_text=True)


def test_redrafting_shows_a_new_draft_without_saving_it(held, client):
    h = held
    client.login(h["staff"])
    save(client, h, "我改过的纪要", "save")
    response = save(client, h, "我改过的纪要", "redraft")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    with client.http.application.test_request_context(), force_locale("en"):
        assert textarea(html).strip() == minutes.draft(fresh(h["meeting"])).strip()
    assert "It replaces your text only when you save or publish it." in html
    assert fresh(h["meeting"]).minutes == "我改过的纪要"


@pytest.mark.parametrize("data, message", [
    ({"text": "   ", "action": "save"}, "The minutes cannot be empty."),
    ({"text": "纪要", "action": "burn"}, "Choose save, publish or redraft."),
    ({}, "Choose save, publish or redraft."),
    ({"text": "长" * 50_001, "action": "publish"}, "The minutes are too long."),
])
def test_bad_minutes_are_refused(held, client, data, message):
    client.login(held["chair"])
    before = fresh(held["meeting"]).minutes
    response = client.post(held["edit"], data, token_from=held["edit"])
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    meeting = fresh(held["meeting"])
    assert meeting.minutes == before and not meeting.minutes_published


def test_minutes_wait_for_the_end_of_the_meeting(make, client):
    c = make.community(slug="nt")
    meeting = make.meeting(c, ideas=[make.idea(c)])
    edit = f"/c/nt/meetings/{meeting.id}/minutes/edit"
    client.login(meeting.chair)
    page = client.get(edit)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Minutes are written once the meeting has ended." in html
    assert f"/meetings/{meeting.id}/console" in html and "<textarea" not in html
    response = client.post(edit, {"text": "提前写的纪要", "action": "publish"}, token_from=edit)
    assert response.status_code == 422
    meeting = fresh(meeting)
    assert meeting.minutes == "" and not meeting.minutes_published


def test_only_the_chair_and_staff_edit_the_minutes(held, new_client, make):
    h = held
    for user in (h["council"][0], make.user(h["c"]), make.user(h["c"], "chair")):
        c = new_client().login(user)
        assert c.get(h["edit"]).status_code == 403
        assert c.post(h["edit"], {"text": "x", "action": "publish"}).status_code == 403
    assert new_client().get(h["edit"]).status_code == 302
    assert not fresh(h["meeting"]).minutes_published
    assert new_client().login(h["staff"]).get(h["edit"]).status_code == 200


# --- the ideas' timelines ----------------------------------------------------------------

def idea_page(client, idea) -> str:
    return client.get(f"/c/nt/ideas/{idea.id}").get_data(as_text=True)


def test_published_minutes_are_linked_from_each_ideas_timeline(held, client, new_client):
    h = held
    link = f'href="/c/nt/meetings/{h["meeting"].id}/minutes"'
    reader = new_client()
    reader.get("/lang/en")
    assert link not in idea_page(reader, h["sink"])
    client.login(h["chair"])
    save(client, h, "会议纪要", "publish")
    for idea in (h["corner"], h["sink"]):
        html = idea_page(reader, idea)
        assert link in html
        assert "Discussed at 静邻议事厅11月议事会 — minutes" in html


def test_the_move_a_motion_made_links_its_minutes_once_published(held, client, new_client):
    h = held
    change = db.session.query(StageChange).filter_by(cause_type="motion").one()
    assert (change.idea_id, change.to_stage, change.cause_id) == (
        h["corner"].id, "planned", h["motion"].id)
    reader = new_client()
    reader.get("/lang/en")
    html = idea_page(reader, h["corner"])
    assert change.cause_label in html  # named, but no link until the minutes are public
    assert f'/meetings/{h["meeting"].id}/minutes">{change.cause_label}</a>' not in html
    client.login(h["chair"])
    save(client, h, "会议纪要", "publish")
    html = idea_page(reader, h["corner"])
    assert f'/meetings/{h["meeting"].id}/minutes">{change.cause_label}</a>' in html
    # In time order: the meeting's note at its start, then the move its motion made.
    assert html.index("Discussed at") < html.index(change.cause_label)


def test_the_idea_page_asks_no_more_queries_for_more_meetings(held, client, make):
    h = held
    client.login(h["chair"])
    save(client, h, "会议纪要", "publish")

    def queries() -> int:
        with counted_queries() as statements:
            assert client.get(f"/c/nt/ideas/{h['sink'].id}").status_code == 200
        return len(statements)

    one = queries()
    for n in range(2):
        other = make.meeting(h["c"], chair=h["chair"], council=1, ideas=[h["sink"]],
                             title=f"第{n}次议事会")
        other.status, other.minutes = "closed", "纪要"
        services.save_minutes(other, h["chair"], "纪要", publish=True)
        db.session.commit()
    assert queries() == one
    assert idea_page(client, h["sink"]).count("Discussed at") == 3
