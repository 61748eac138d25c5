"""Preparing a meeting: staff set it up, staff or its chair edit its details and rules and
put its agenda together; what they may not do is refused with a message and saves nothing."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import utcnow
from deliberation.meetings import services, setup
from deliberation.meetings.services import MeetingRefused
from deliberation.meetings.models import AgendaItem, Meeting
from deliberation.models import Thread

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english(client):
    # The words asserted below are the English msgids; Chinese is the default language.
    client.get("/lang/en")


@pytest.fixture
def hall(make):
    """A community with staff, a chair, two council members and a resident."""
    c = make.community(slug="hall")
    return dict(c=c, staff=make.user(c, "staff", display_name="社工小李"),
                chair=make.user(c, "chair", display_name="主持人嵇老师"),
                council=[make.user(c, "council", display_name=f"议事员{n}") for n in (1, 2)],
                resident=make.user(c, display_name="王阿姨"))


def local(days: float = 7, hour: int = 19) -> str:
    """A datetime-local value in Beijing time, `days` from now."""
    when = (utcnow() + timedelta(days=days)).astimezone(SHANGHAI)
    return when.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def form(hall, **changes) -> dict:
    data = {"title": "静邻议事厅12月议事会", "starts_at": local(), "place": "睦邻活动室",
            "chair_id": str(hall["chair"].id),
            "council_ids": [str(hall["chair"].id)] + [str(u.id) for u in hall["council"]],
            "turn_seconds": "90", "max_turns": "3", "alternate": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def meetings_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting))


def base(c) -> str:
    return f"/c/{c.slug}/meetings"


# --- a new meeting --------------------------------------------------------------------

def test_staff_set_up_a_meeting_then_see_its_agenda(hall, client):
    client.login(hall["staff"])
    page = client.get(base(hall["c"]) + "/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # The rules' defaults (南塘规则): two minutes, two turns, alternate, the chair does not vote.
    assert re.search(r'<input[^>]*name="turn_seconds"[^>]*value="120"', html)
    assert re.search(r'<input[^>]*name="max_turns"[^>]*value="2"', html)
    assert re.search(r'<input checked[^>]*name="alternate"', html)
    assert not re.search(r'<input checked[^>]*name="chair_votes"', html)
    assert "南塘规则" in html
    # Only those who may chair are offered; the council list holds council members and chairs.
    assert "主持人嵇老师" in html and "社工小李" in html and "王阿姨" not in html
    response = client.post(base(hall["c"]) + "/new", form(hall), token_from=base(hall["c"]) + "/new")
    assert response.status_code == 303
    meeting = db.session.scalar(select(Meeting))
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}/agenda")
    assert (meeting.title, meeting.place, meeting.chair_id) == (
        "静邻议事厅12月议事会", "睦邻活动室", hall["chair"].id)
    assert meeting.starts_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") == local()
    assert sorted(c.user_id for c in meeting.council) == sorted(
        [hall["chair"].id] + [u.id for u in hall["council"]])
    assert (meeting.turn_seconds, meeting.max_turns, meeting.alternate, meeting.chair_votes) \
        == (90, 3, True, False)
    assert meeting.status == "scheduled" and meeting.created_by_id == hall["staff"].id
    agenda = client.get(response.headers["Location"])
    assert agenda.status_code == 200 and "静邻议事厅12月议事会" in agenda.get_data(as_text=True)


@pytest.mark.parametrize("who", ["chair", "resident", "council"])
def test_only_staff_set_up_meetings(hall, client, who):
    user = hall[who][0] if who == "council" else hall[who]
    client.login(user)
    assert client.get(base(hall["c"]) + "/new").status_code == 403
    assert client.post(base(hall["c"]) + "/new", form(hall)).status_code == 403
    assert meetings_count() == 0


@pytest.mark.parametrize("changes, message", [
    ({"starts_at": "next tuesday"}, "Give a date and a time"),
    ({"starts_at": ""}, "Give a date and a time."),
    ({"starts_at": "9999-01-01T19:00"}, "between the years 2000 and 2100"),
    ({"starts_at": local(days=-2)}, "The meeting cannot start in the past."),
    ({"title": "  "}, "Give the meeting a title."),
    ({"chair_id": ""}, "Choose who chairs the meeting."),
    ({"council_ids": None}, "Invite at least one council member."),
    ({"turn_seconds": "10"}, "A turn lasts between 30 and 1800 seconds."),
    ({"turn_seconds": "99999999999999999999"}, "A turn lasts between 30 and 1800 seconds."),
    ({"max_turns": "11"}, "Give a whole number between 1 and 10."),
    ({"max_turns": "two"}, "Not a valid integer value."),
])
def test_bad_details_are_named_and_nothing_is_saved(hall, client, changes, message):
    client.login(hall["staff"])
    response = client.post(base(hall["c"]) + "/new", form(hall, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert meetings_count() == 0


def test_chair_and_council_must_hold_their_roles_here(hall, client, make):
    other = make.community(slug="elsewhere")
    foreign_chair = make.user(other, "chair")
    unverified_chair = make.user(hall["c"], "chair", verified=False)
    client.login(hall["staff"])
    for chair in (hall["resident"], foreign_chair, unverified_chair, hall["council"][0]):
        response = client.post(base(hall["c"]) + "/new", form(hall, chair_id=str(chair.id)))
        assert response.status_code == 422
        assert "The chair must be a verified member with the role of chair or staff." \
            in response.get_data(as_text=True)
    for council in ([hall["resident"].id], [foreign_chair.id], ["abc"], ["99999999999999"]):
        response = client.post(base(hall["c"]) + "/new",
                               form(hall, council_ids=[str(u) for u in council]))
        assert response.status_code == 422
        assert "Only verified members with the role of council member or chair can be invited." \
            in response.get_data(as_text=True)
    assert meetings_count() == 0


def test_empty_and_garbage_posts_are_refused_without_error(hall, client):
    client.login(hall["staff"])
    assert client.post(base(hall["c"]) + "/new", {}).status_code == 422
    assert client.post(base(hall["c"]) + "/new", {"csrf_token": "forged"}).status_code in (400, 422)
    garbage = form(hall, chair_id="9" * 30, alternate="\x00", title="<script>x</script>\x00")
    assert client.post(base(hall["c"]) + "/new", garbage).status_code == 422
    assert meetings_count() == 0


# --- editing ---------------------------------------------------------------------------

def meeting_of(hall, make, **fields):
    return make.meeting(hall["c"], chair=hall["chair"], council=1, **fields)


def test_the_chair_edits_their_meeting(hall, make, client):
    meeting = meeting_of(hall, make)
    edit = f"{base(hall['c'])}/{meeting.id}/edit"
    client.login(hall["chair"])
    page = client.get(edit).get_data(as_text=True)
    assert meeting.title in page and 'value="居委会二楼会议室"' in page
    changes = form(hall, title="改期后的议事会", turn_seconds="180", alternate=None,
                   chair_votes="y", council_ids=[str(hall["council"][1].id)])
    response = client.post(edit, changes, token_from=edit)
    assert response.status_code == 303 and response.headers["Location"].endswith("/agenda")
    db.session.refresh(meeting)
    assert (meeting.title, meeting.turn_seconds, meeting.alternate, meeting.chair_votes) == (
        "改期后的议事会", 180, False, True)
    assert [c.user_id for c in meeting.council] == [hall["council"][1].id]


def test_a_saved_start_in_the_past_may_stay(hall, make, client):
    # The meeting was due an hour ago and has not begun: the place can still be corrected.
    meeting = meeting_of(hall, make, starts_at=utcnow() - timedelta(hours=1))
    edit = f"{base(hall['c'])}/{meeting.id}/edit"
    client.login(hall["staff"])
    saved = meeting.starts_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    assert client.post(edit, form(hall, starts_at=saved, place="居委会一楼")).status_code == 303
    db.session.refresh(meeting)
    assert meeting.place == "居委会一楼"
    moved = form(hall, starts_at=local(days=-1))
    response = client.post(edit, moved)
    assert response.status_code == 422
    assert "The meeting cannot start in the past." in response.get_data(as_text=True)


def test_others_may_not_edit(hall, make, client, new_client):
    meeting = meeting_of(hall, make)
    edit = f"{base(hall['c'])}/{meeting.id}/edit"
    other_chair = make.user(hall["c"], "chair")
    for user in (hall["council"][0], hall["resident"], other_chair):
        c = new_client().login(user)
        assert c.get(edit).status_code == 403
        assert c.post(edit, form(hall, title="不该改")).status_code == 403
    anonymous = new_client().get(edit)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    db.session.refresh(meeting)
    assert meeting.title != "不该改"


def test_another_communitys_meeting_is_not_found(hall, make, client):
    other = make.community(slug="elsewhere")
    theirs = make.meeting(other)
    client.login(hall["staff"])
    assert client.get(f"{base(hall['c'])}/{theirs.id}/edit").status_code == 404
    assert client.get(f"{base(hall['c'])}/{theirs.id}/agenda").status_code == 404
    assert client.get(f"{base(hall['c'])}/{2**40}/edit").status_code == 404


def test_a_closed_meeting_cannot_be_edited(hall, make, client):
    meeting = meeting_of(hall, make, status="closed")
    edit = f"{base(hall['c'])}/{meeting.id}/edit"
    client.login(hall["staff"])
    page = client.get(edit)
    assert page.status_code == 200 and "can no longer change" in page.get_data(as_text=True)
    response = client.post(edit, form(hall, title="会后改名"))
    assert response.status_code == 422
    db.session.refresh(meeting)
    assert meeting.title != "会后改名"


# --- the agenda ------------------------------------------------------------------------

@pytest.fixture
def prepared(hall, make):
    meeting = meeting_of(hall, make)
    c = hall["c"]
    ideas = {stage: make.idea(c, stage=stage, title=f"{stage}的金点子")
             for stage in ("submitted", "deliberating", "planned", "done")}
    topic = Thread(community_id=c.id, title="快递柜能不能装在小区门口", body="大家说说看。")
    db.session.add(topic)
    db.session.commit()
    return dict(hall, meeting=meeting, ideas=ideas, topic=topic,
                agenda=f"{base(c)}/{meeting.id}/agenda")


def items(meeting) -> list[str]:
    db.session.expire_all()
    return [i.display_title for i in db.session.get(Meeting, meeting.id).items]


def add(client, p, **data):
    return client.post(p["agenda"] + "/add", data, token_from=p["agenda"])


def test_the_agenda_takes_an_idea_a_topic_and_a_free_item(prepared, client):
    p = prepared
    client.login(p["chair"])
    page = client.get(p["agenda"]).get_data(as_text=True)
    offered = re.findall(r'<option value="(\d+)">([^<]*)', page)
    titles = [label.split(" · ")[0] for _v, label in offered]
    # Ideas still being worked on, the newest first; topics of this community.
    assert titles[:3] == ["planned的金点子", "deliberating的金点子", "submitted的金点子"]
    assert "done的金点子" not in titles and "快递柜能不能装在小区门口" in titles
    assert add(client, p, kind="idea", idea_id=p["ideas"]["deliberating"].id,
               note="请物业介绍方案").status_code == 303
    assert add(client, p, kind="topic", thread_id=p["topic"].id).status_code == 303
    assert add(client, p, kind="free", title="冬季预算投票进展").status_code == 303
    assert items(p["meeting"]) == ["deliberating的金点子", "快递柜能不能装在小区门口", "冬季预算投票进展"]
    page = client.get(p["agenda"]).get_data(as_text=True)
    assert "请物业介绍方案" in page
    # An idea on the agenda is no longer offered.
    assert f'<option value="{p["ideas"]["deliberating"].id}">' not in page


@pytest.mark.parametrize("data, message", [
    ({"kind": "idea", "idea_id": "0"}, "Choose an idea of this community."),
    ({"kind": "idea", "idea_id": "abc"}, "Choose an idea of this community."),
    ({"kind": "idea", "idea_id": str(2**40)}, "Choose an idea of this community."),
    ({"kind": "topic", "thread_id": "-3"}, "Choose a topic of this community."),
    ({"kind": "free", "title": "   "}, "Give the item a title."),
    ({"kind": "free", "title": "长" * 121}, "Field cannot be longer than 120 characters."),
    ({"kind": "vote"}, "Unknown kind of agenda item."),
    ({}, "Unknown kind of agenda item."),
])
def test_bad_agenda_items_are_refused(prepared, client, data, message):
    client.login(prepared["staff"])
    response = add(client, prepared, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert items(prepared["meeting"]) == []


def test_an_idea_or_topic_of_another_community_is_refused(prepared, client, make):
    other = make.community(slug="elsewhere")
    their_idea = make.idea(other, stage="deliberating")
    their_topic = Thread(community_id=other.id, title="别人的议题")
    idea_thread = Thread(community_id=prepared["c"].id, idea_id=prepared["ideas"]["planned"].id)
    db.session.add_all([their_topic, idea_thread])
    db.session.commit()
    client.login(prepared["staff"])
    response = add(client, prepared, kind="idea", idea_id=their_idea.id)
    assert response.status_code == 422
    assert "Choose an idea of this community." in response.get_data(as_text=True)
    for thread in (their_topic, idea_thread):  # a thread under an idea is not a topic
        response = add(client, prepared, kind="topic", thread_id=thread.id)
        assert response.status_code == 422
    assert items(prepared["meeting"]) == []


def test_an_idea_goes_on_the_agenda_once(prepared, client):
    client.login(prepared["staff"])
    idea = prepared["ideas"]["planned"]
    assert add(client, prepared, kind="idea", idea_id=idea.id).status_code == 303
    again = add(client, prepared, kind="idea", idea_id=idea.id)
    assert again.status_code == 422
    assert "This idea is already on the agenda." in again.get_data(as_text=True)
    assert items(prepared["meeting"]) == [idea.title]


def test_items_move_up_and_down_and_come_off(prepared, client):
    p = prepared
    client.login(p["chair"])
    for title in ("一", "二", "三"):
        add(client, p, kind="free", title=title)
    first, second, third = db.session.get(Meeting, p["meeting"].id).items
    move = f"{p['agenda']}/{third.id}/move"
    assert client.post(move, {"delta": "-1"}, token_from=p["agenda"]).status_code == 303
    assert items(p["meeting"]) == ["一", "三", "二"]
    client.post(f"{p['agenda']}/{first.id}/move", {"delta": "1"}, token_from=p["agenda"])
    assert items(p["meeting"]) == ["三", "一", "二"]
    for bad in ("5", "0", "up", ""):
        assert client.post(move, {"delta": bad}, token_from=p["agenda"]).status_code == 422
    assert items(p["meeting"]) == ["三", "一", "二"]
    remove = f"{p['agenda']}/{second.id}/remove"
    assert client.post(remove, token_from=p["agenda"]).status_code == 303
    assert items(p["meeting"]) == ["三", "一"]
    assert client.post(remove, token_from=p["agenda"]).status_code == 404


def test_an_item_debated_stays_on_the_agenda(prepared, client):
    p = prepared
    client.login(p["chair"])
    add(client, p, kind="idea", idea_id=p["ideas"]["deliberating"].id)
    meeting = db.session.get(Meeting, p["meeting"].id)
    services.start(meeting, p["chair"])
    services.add_speaker(meeting, p["chair"], "王阿姨", "support")
    db.session.commit()
    item = meeting.items[0]
    response = client.post(f"{p['agenda']}/{item.id}/remove", token_from=p["agenda"])
    assert response.status_code == 422
    assert "This item has been debated and stays in the record." in response.get_data(as_text=True)
    assert items(p["meeting"]) == ["deliberating的金点子"]


def test_a_closed_meetings_agenda_is_kept(prepared, client):
    p = prepared
    client.login(p["staff"])
    add(client, p, kind="free", title="一")
    add(client, p, kind="free", title="二")
    meeting = db.session.get(Meeting, p["meeting"].id)
    meeting.status = "closed"
    db.session.commit()
    item = meeting.items[0]
    page = client.get(p["agenda"]).get_data(as_text=True)
    assert "This meeting has ended" in page and "/remove" not in page
    response = add(client, p, kind="free", title="三")
    assert response.status_code == 422 and "This meeting has ended." in response.get_data(as_text=True)
    for tail, data in (("move", {"delta": "1"}), ("remove", {})):
        response = client.post(f"{p['agenda']}/{item.id}/{tail}", data, token_from=p["agenda"])
        assert response.status_code == 422
    assert items(p["meeting"]) == ["一", "二"]
    # The rule lives in the setup functions, not only in the views that call them.
    meeting = db.session.get(Meeting, p["meeting"].id)
    for change in (lambda: setup.move_item(meeting, p["staff"], meeting.items[0], 1),
                   lambda: setup.remove_item(meeting, p["staff"], meeting.items[0])):
        with pytest.raises(MeetingRefused):
            change()
    assert items(p["meeting"]) == ["一", "二"]


def test_only_staff_and_the_chair_prepare_the_agenda(prepared, client, make, new_client):
    p = prepared
    make.idea(p["c"])
    item = AgendaItem(kind="free", title="一", position=1)
    db.session.get(Meeting, p["meeting"].id).items.append(item)
    db.session.commit()
    for user in (p["council"][0], p["resident"]):
        c = new_client().login(user)
        assert c.get(p["agenda"]).status_code == 403
        assert c.post(p["agenda"] + "/add", {"kind": "free", "title": "x"}).status_code == 403
        assert c.post(f"{p['agenda']}/{item.id}/remove").status_code == 403
        assert c.post(f"{p['agenda']}/{item.id}/move", {"delta": "1"}).status_code == 403
    assert items(p["meeting"]) == ["一"]
    # The chair sees the way to the console; staff who are not the chair do not.
    client.login(p["chair"])
    console = f"/meetings/{p['meeting'].id}/console"
    assert console in client.get(p["agenda"]).get_data(as_text=True)
    assert console not in new_client().login(p["staff"]).get(p["agenda"]).get_data(as_text=True)


def test_an_item_of_another_meeting_is_not_found(prepared, client, make):
    p = prepared
    other = make.meeting(p["c"])
    other.items.append(AgendaItem(kind="free", title="别的会", position=1))
    db.session.commit()
    client.login(p["staff"])
    theirs = other.items[0].id
    assert client.post(f"{p['agenda']}/{theirs}/move", {"delta": "1"},
                       token_from=p["agenda"]).status_code == 404
    assert client.post(f"{p['agenda']}/{theirs}/remove", token_from=p["agenda"]).status_code == 404
    assert client.post(f"{p['agenda']}/{2**40}/remove", token_from=p["agenda"]).status_code == 404
