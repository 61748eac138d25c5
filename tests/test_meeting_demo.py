"""seed-demo's meetings: November's meeting of 高荣 held, its motion planning an idea in
the story's order, its minutes published; the next meeting ready for the demo chair."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.permissions import has_role
from app.timeutil import utcnow
from deliberation.meetings.models import Meeting
from proposals.demo import DEMO_PASSWORD
from proposals.demo_data import BASE
from proposals.models import Idea

from .test_seed_demo import communities, seeded, user


def test_the_demo_holds_a_meeting_and_schedules_the_next(app, new_client):
    seeded(app)
    gaorong = communities()["gaorong"]
    past, upcoming = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
    assert past.community_id == upcoming.community_id == gaorong.id

    # November: held, with residents signed in by phone and by name, and its minutes public.
    assert past.status == "closed" and past.minutes_published
    assert BASE < past.starts_at <= past.started_at < past.ended_at < past.minutes_published_at
    signed = [a for a in past.attendance if a.how == "qr"]
    by_name = {a.name for a in past.attendance if a.how == "chair"}
    assert len(signed) >= 10 and "朱阿婆" in by_name
    assert user("resident").id in {a.user_id for a in signed}
    assert {s.stance for i in past.items for s in i.speakers} == {"support", "oppose", "suggest"}
    assert any(s.name for i in past.items for s in i.speakers)  # someone added by name
    assert all(s.state == "done" and s.elapsed_ms > 0 for i in past.items for s in i.speakers)
    assert {i.kind for i in past.items} == {"idea", "free"} and len(past.items) == 3
    passed, failed = past.motions
    assert passed.passed and not failed.passed and failed.counted_by_chair
    assert "会后事项" in past.minutes and passed.question in past.minutes

    # The motion made the idea's move to planned, in the story's time order.
    idea = passed.item.idea
    moved = next(c for c in idea.timeline if c.cause_type == "motion")
    assert (moved.from_stage, moved.to_stage, moved.cause_id) == ("deliberating", "planned",
                                                                   passed.id)
    assert past.started_at < moved.at == passed.closed_at < past.ended_at
    assert idea.costing.amount_fen == 9_500_00 and idea.costing.sources[0].note
    reader = new_client()
    reader.get("/lang/en")
    page = reader.get(f"/c/gaorong/ideas/{idea.id}").get_data(as_text=True)
    minutes_url = f"/c/gaorong/meetings/{past.id}/minutes"
    assert f'href="{minutes_url}"' in page and f"Discussed at {past.title}" in page
    assert f'{minutes_url}">{moved.cause_label}</a>' in page
    assert "会后事项" in reader.get(minutes_url).get_data(as_text=True)

    # The next meeting: a few days ahead, an agenda of ideas and a topic, council invited.
    assert upcoming.status == "scheduled" and upcoming.starts_at > utcnow()
    assert upcoming.chair_id == user("chair").id
    kinds = [i.kind for i in upcoming.items]
    assert kinds.count("idea") >= 2 and "topic" in kinds
    assert any(i.idea.stage == "deliberating" for i in upcoming.items if i.idea)
    council = {c.user_id for c in upcoming.council}
    assert {user("chair").id, user("council").id} <= council and len(council) == 5
    for seat in upcoming.council:
        assert has_role(seat.user, gaorong, "council") or seat.user_id == user("chair").id
    chair = new_client().login(user("chair"), password=DEMO_PASSWORD)
    assert chair.get(f"/c/gaorong/meetings/{upcoming.id}/console").status_code == 200
    assert chair.get(f"/c/gaorong/meetings/{upcoming.id}/agenda").status_code == 200
    member = new_client().login(user("gaorong_r04"), password=DEMO_PASSWORD)
    assert member.get(f"/c/gaorong/meetings/{upcoming.id}").status_code == 200


def test_other_ideas_keep_their_story(app):
    seeded(app)
    by_key = {i.title: i for i in db.session.scalars(select(Idea))}
    # The idea whose motion failed is planned by staff a week later, for both sheds.
    sheds = by_key["高荣小区车棚也装上充电桩"]
    assert [c.cause_type for c in sheds.timeline].count("motion") == 0
    assert "planned" in [c.to_stage for c in sheds.timeline]
    # The idea left for the next meeting is still under deliberation.
    assert by_key["垃圾厢房旁加装洗手池"].stage == "deliberating"
