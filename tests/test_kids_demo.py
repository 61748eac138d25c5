"""seed-demo's children's ballot: the autumn round's children crowned their square, the
winter round is open with a children's part and a few votes, 王阿姨 (`resident`) is
guardian of 小雨 and 豆豆, and their drawings are 小朋友的金点子. Seeding is slow, so one
test reads the whole story."""
from __future__ import annotations

import html
import re
from io import BytesIO

from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from proposals.demo import DEMO_PASSWORD
from proposals.demo_data import BASE
from proposals.kids import results, voting
from proposals.kids.models import NOTICE_VERSION, ChildBallot, ChildCode, KioskSession
from proposals.kids.profiles import of_guardian
from proposals.models import Idea
from proposals.rounds.demo_round_data import AUTUMN_ROUND, WINTER_ROUND
from proposals.rounds.models import Round
from proposals.rounds.results import ballots_counted

from .test_seed_demo import communities, seeded, user


def round_called(title: str) -> Round:
    return db.session.scalar(select(Round).where(Round.title == title))


def test_the_demo_has_a_childrens_ballot(app, new_client):
    result = seeded(app)
    assert "2 child profiles" in result.output and "children's ballots" in result.output
    gaorong = communities()["gaorong"]
    reader = new_client()
    reader.http.set_cookie("lang", "en")

    # Autumn: adopted; its children voted with the kiosk and cards, most for their square.
    autumn = round_called(AUTUMN_ROUND)
    assert autumn.state == "adopted" and autumn.childrens_part.picks == 1
    assert autumn.childrens_part.budget_fen == 5_000_00
    counted = results.count(autumn)
    assert counted.children == 30
    assert [line.card.label for line in counted.favourites] == ["小广场"]
    assert {c.label: c.clip_kind for c in voting.cards_of(autumn)} == {
        "充电桩": "builtin", "小广场": "builtin", "大门": "builtin", "烟雾报警器": "builtin"}
    page = reader.get(f"/c/gaorong/kids/rounds/{autumn.id}/results")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "The children's favourite, 小广场, gets its own small budget of ¥5,000.00." in text
    assert re.search(r"<strong>30</strong>\s*children voted", text)
    # The children's votes went in while the round was open in the story, none counted
    # with the adults'.
    used = db.session.scalars(select(ChildCode.used_at).where(ChildCode.round_id == autumn.id,
                                                              ChildCode.used_at.is_not(None)))
    times = sorted(used)
    assert len(times) == 30 and autumn.opens_at <= times[0] and times[-1] < autumn.closes_at
    assert {k.children for k in db.session.scalars(
        select(KioskSession).where(KioskSession.round_id == autumn.id))} == {14, 9}
    assert ballots_counted(autumn) == 68 + 5  # demo_round_data's online and paper ballots
    adults = reader.get(f"/c/gaorong/rounds/{autumn.id}/results").get_data(as_text=True)
    assert "See the children's results" in adults

    # Winter: open now, a children's part of two picks and a few votes so far.
    winter = round_called(WINTER_ROUND)
    assert winter.state == "open" and winter.childrens_part.picks == 2
    assert [c.picture for c in voting.cards_of(winter)] == ["gate", "plug", "stairs", "books"]
    so_far = results.children_count(winter)
    assert so_far == 6 + 2 + 1  # at the kiosk, with cards, 豆豆 from 王阿姨's phone
    used = db.session.scalars(select(ChildCode.used_at).where(ChildCode.round_id == winter.id,
                                                              ChildCode.used_at.is_not(None)))
    assert all(winter.opens_at < t < utcnow() for t in used)
    waiting = html.unescape(reader.get(f"/c/gaorong/kids/rounds/{winter.id}/screen")
                            .get_data(as_text=True))
    assert re.search(rf"<strong>{so_far}</strong>\s*children have voted so far", waiting)

    # 王阿姨 is guardian of 小雨 and 豆豆, with consent to the notice; 豆豆 has voted
    # from her phone in the winter round, 小雨 not yet.
    resident = user("resident")
    kids = {c.nickname: c for c in of_guardian(resident, gaorong)}
    assert set(kids) == {"小雨", "豆豆"}
    assert {kids["小雨"].avatar, kids["豆豆"].avatar} == {"rabbit", "panda"}
    for kid in kids.values():
        assert kid.consent_version == NOTICE_VERSION and BASE < kid.consent_at < utcnow()
        assert kid.created_by_id == resident.id
    assert voting.choices_of(winter, kids["豆豆"]) and not voting.choices_of(winter, kids["小雨"])
    assert db.session.scalar(select(ChildBallot.channel).where(
        ChildBallot.child_id == kids["豆豆"].id)) == "guardian"

    # Their drawings: 小朋友的金点子, handed in by 王阿姨, one taken up by the council.
    drawn = list(db.session.scalars(select(Idea).where(Idea.by_child.is_(True))))
    assert len(drawn) == 3
    assert {i.stage for i in drawn} == {"submitted", "deliberating"}
    assert {i.child_id for i in drawn} == {kids["小雨"].id, kids["豆豆"].id}
    for idea in drawn:
        assert idea.author_id == resident.id and idea.community_id == gaorong.id
        assert len(idea.photos) == 1 and BASE < idea.created_at < utcnow()
        assert [c.at for c in idea.timeline] == sorted(c.at for c in idea.timeline)
    swing = next(i for i in drawn if "秋千" in i.title)
    photo = reader.get(f"/media/ideas/{swing.photos[0].filename}")
    assert photo.status_code == 200
    drawing = Image.open(BytesIO(photo.get_data())).convert("RGB")
    # Mostly paper, with strokes in several crayon colours.
    assert len(drawing.resize((90, 68)).getcolors(maxcolors=90 * 68)) > 50

    # The demo guardian sees them when logged in.
    guardian = new_client().login(resident, password=DEMO_PASSWORD)
    assert guardian.get(f"/c/gaorong/ideas/{swing.id}").status_code == 200
