"""Child profiles keep the least data possible, need a guardian's consent, and can be
deleted by the guardian without changing any count."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from proposals.kids import profiles, results, voting
from proposals.kids.ideas import hand_in_for_child
from proposals.kids.models import NOTICE_VERSION, ChildBallot, ChildProfile
from proposals.kids.profiles import ProfileRefused
from proposals.models import Idea
from proposals.photos import process_photo

from .images import jpeg_bytes
from .kids_factories import child, kids_round

FORBIDDEN = ("name", "real", "photo", "image", "picture", "birth", "school", "phone",
             "mobile", "email", "wechat", "address", "id_card", "idcard", "contact",
             "password", "gender")


def test_a_child_profile_has_no_column_for_forbidden_data():
    columns = [c.name.lower() for c in ChildProfile.__table__.columns]
    assert "nickname" in columns
    for column in columns:
        if column == "nickname":
            continue
        assert not any(word in column for word in FORBIDDEN), column


def test_consent_is_required_and_recorded_with_the_notice_version(app, make):
    c = make.community()
    guardian = make.user(c)
    with pytest.raises(ProfileRefused) as refused:
        profiles.create_for_guardian(c, guardian, nickname="小雨", age_band="6-8",
                                     avatar="rabbit", consent=False)
    assert refused.value.field == "consent"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ChildProfile)) == 0

    kid = child(make, c, guardian)
    assert kid.consent_version == NOTICE_VERSION
    assert kid.consent_at is not None and kid.guardian_id == guardian.id
    assert kid.consent_paper_ref == ""


def test_an_unverified_member_cannot_make_a_profile(app, make):
    c = make.community()
    with pytest.raises(ProfileRefused):
        profiles.create_for_guardian(c, make.user(c, verified=False), nickname="小雨",
                                     age_band="6-8", avatar="rabbit", consent=True)


@pytest.mark.parametrize("nickname, age_band, avatar, field", [
    ("", "6-8", "cat", "nickname"),
    ("   ", "6-8", "cat", "nickname"),
    ("一二三四五六七八九十一二三", "6-8", "cat", "nickname"),
    ("小雨", "15-17", "cat", "age_band"),
    ("小雨", "6-8", "lion", "avatar"),
])
def test_bad_profiles_are_refused_at_their_field(app, make, nickname, age_band, avatar,
                                                 field):
    c = make.community()
    with pytest.raises(ProfileRefused) as refused:
        profiles.create_for_guardian(c, make.user(c), nickname=nickname, age_band=age_band,
                                     avatar=avatar, consent=True)
    assert refused.value.field == field


def test_staff_profiles_need_the_paper_form_number(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    with pytest.raises(ProfileRefused) as refused:
        profiles.create_by_staff(c, staff, nickname="豆豆", age_band="9-11", avatar="panda",
                                 paper_ref=" ")
    assert refused.value.field == "paper_ref"
    kid = profiles.create_by_staff(c, staff, nickname="豆豆", age_band="9-11",
                                   avatar="panda", paper_ref="2026-031")
    db.session.commit()
    assert kid.guardian_id is None and kid.consent_paper_ref == "2026-031"
    assert profiles.of_paper_forms(c) == [kid]
    assert profiles.may_manage(staff, kid)
    assert not profiles.may_manage(make.user(c), kid)
    assert not profiles.may_manage(make.user(make.community(), "staff"), kid)


def test_only_the_guardian_manages_their_childs_profile(app, make):
    c = make.community()
    guardian = make.user(c)
    kid = child(make, c, guardian)
    assert profiles.may_manage(guardian, kid)
    assert not profiles.may_manage(make.user(c), kid)
    # Staff never see a guardian's own profile.
    assert not profiles.may_manage(make.user(c, "staff"), kid)
    assert profiles.of_paper_forms(c) == []


def test_deleting_keeps_the_anonymous_count_and_the_idea(app, make):
    c = make.community()
    r = kids_round(make, c)
    guardian = make.user(c)
    kid = child(make, c, guardian)
    other = child(make, c, make.user(c), nickname="阿宝")
    entry = r.entries[0].id
    voting.vote_as_child(r, kid, [entry])
    voting.vote_as_child(r, other, [entry])
    drawing = process_photo(jpeg_bytes(), max_bytes=10 * 2**20, max_pixels=40_000_000)
    idea = hand_in_for_child(c, guardian, kid, drawing, "children", "秋千坏了")
    db.session.commit()
    before = results.count(r)
    assert before.children == 2 and before.lines[0].picks == 2
    votes, ideas = profiles.activity(kid)
    assert [v.entry_ids for v in votes] == [[entry]] and ideas == [idea]
    kid_id, idea_id = kid.id, idea.id

    profiles.delete(kid, guardian)
    db.session.commit()

    assert db.session.get(ChildProfile, kid_id) is None
    after = results.count(r)
    assert after.children == before.children
    assert [(line.card.entry_id, line.picks) for line in after.lines] == \
        [(line.card.entry_id, line.picks) for line in before.lines]
    ballots = db.session.scalars(select(ChildBallot).where(ChildBallot.round_id == r.id)).all()
    assert sorted(b.child_id is None for b in ballots) == [False, True]
    assert all(b.child_id in (None, other.id) for b in ballots)
    kept = db.session.get(Idea, idea_id)
    assert kept.by_child and kept.child_id is None and kept.stage == "submitted"


def test_the_audit_log_never_holds_the_nickname(app, make):
    c = make.community()
    guardian = make.user(c)
    kid = child(make, c, guardian, nickname="独特的昵称")
    staff = make.user(c, "staff")
    paper = profiles.create_by_staff(c, staff, nickname="纸上的昵称", age_band="12-14",
                                     avatar="fox", paper_ref="A-7")
    db.session.commit()
    profiles.delete(kid, guardian)
    profiles.delete(paper, staff)
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry)).all()
    assert {e.action for e in entries} >= {"kids.profile_created", "kids.profile_deleted"}
    for e in entries:
        assert "昵称" not in e.detail_json and "昵称" not in e.action


def test_open_rounds_are_those_with_an_open_childrens_part(app, make):
    c = make.community()
    open_round = kids_round(make, c)
    kids_round(make, c, state="upcoming")
    kids_round(make, c, state="closed")
    make.round(c)  # open, but no children's part
    kids_round(make, make.community())  # another community's
    assert profiles.open_rounds(c) == [open_round]
