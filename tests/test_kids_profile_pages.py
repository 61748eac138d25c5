"""The guardians' pages over HTTP: make a child's profile, see what the child did, delete
it; nobody else reaches it; staff make profiles from paper consent forms."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from proposals.kids import results, voting
from proposals.kids.models import NOTICE_VERSION, ChildBallot, ChildProfile

from .kids_factories import child, kids_round

GOOD = {"nickname": "小雨", "age_band": "6-8", "avatar": "rabbit", "consent": "y"}


def profiles_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ChildProfile))


def test_the_notice_is_public_and_says_what_is_kept(en, make):
    c = make.community()
    page = en.get(f"/c/{c.slug}/kids/notice")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for words in ("What is kept", "What we never ask", "real name", "PIPL", "under 14",
                  "anonymous counts", NOTICE_VERSION):
        assert words in html, words


def test_the_notice_reads_in_chinese_by_default(client, make):
    c = make.community()
    page = client.get(f"/c/{c.slug}/kids/notice")
    assert page.status_code == 200 and 'lang="zh-Hans"' in page.get_data(as_text=True)


def test_a_guardian_makes_a_profile_and_sees_it(en, make):
    c = make.community()
    guardian = make.user(c)
    en.login(guardian)
    new = f"/c/{c.slug}/kids/children/new"
    form = en.get(new).get_data(as_text=True)
    assert "real name" in form  # the nickname's hint
    assert f"/c/{c.slug}/kids/notice" in form
    done = en.post(new, GOOD, token_from=new)
    assert done.status_code == 303 and done.location.endswith(f"/c/{c.slug}/kids/children")
    kid = db.session.scalars(select(ChildProfile)).one()
    assert (kid.nickname, kid.age_band, kid.avatar, kid.guardian_id) == \
        ("小雨", "6-8", "rabbit", guardian.id)
    assert kid.consent_version == NOTICE_VERSION
    listing = en.get(f"/c/{c.slug}/kids/children").get_data(as_text=True)
    assert "小雨" in listing and "profile is ready" in listing
    assert f"/c/{c.slug}/kids/children/{kid.id}" in listing
    assert f"/c/{c.slug}/kids/children/{kid.id}/ideas/new" in listing
    assert "kids/avatars/rabbit.svg" in listing


@pytest.mark.parametrize("change, field, message", [
    ({"consent": None}, "consent", "agree to it"),
    ({"nickname": ""}, "nickname", "Give a nickname"),
    ({"nickname": "一二三四五六七八九十一二三"}, "nickname", "at most 12"),
    ({"age_band": "15-17"}, "age_band", "age group"),
    ({"age_band": None}, "age_band", "age group"),
    ({"avatar": "lion"}, "avatar", "Choose an animal"),
])
def test_refusals_are_shown_at_their_field_and_save_nothing(en, make, change, field,
                                                            message):
    c = make.community()
    en.login(make.user(c))
    new = f"/c/{c.slug}/kids/children/new"
    data = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    page = en.post(new, data, token_from=new)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert profiles_count() == 0


def test_the_childs_page_shows_votes_ideas_and_consent(en, make):
    c = make.community()
    r = kids_round(make, c)
    guardian = make.user(c)
    kid = child(make, c, guardian)
    voting.vote_as_child(r, kid, [r.entries[1].id])
    idea = make.idea(c, guardian, title="秋千的金点子", by_child=True, child_id=kid.id)
    db.session.commit()
    en.login(guardian)
    html = en.get(f"/c/{c.slug}/kids/children/{kid.id}").get_data(as_text=True)
    assert r.title in html
    assert "kids/pictures/bench.svg" in html and "长椅" in html  # the card chosen
    assert "kids/pictures/swing.svg" not in html  # not chosen
    assert "秋千的金点子" in html and f"/ideas/{idea.id}" in html
    assert NOTICE_VERSION in html and "Given by you" in html
    assert f"/c/{c.slug}/kids/children/{kid.id}/delete" in html
    # The children page offers the open round's children's ballot for this child.
    listing = en.get(f"/c/{c.slug}/kids/children").get_data(as_text=True)
    assert f"/c/{c.slug}/kids/rounds/{r.id}/ballot?child={kid.id}" in listing


def test_deleting_needs_the_box_ticked_then_keeps_the_count(en, make):
    c = make.community()
    r = kids_round(make, c)
    guardian = make.user(c)
    kid = child(make, c, guardian)
    voting.vote_as_child(r, kid, [r.entries[0].id])
    db.session.commit()
    kid_id = kid.id
    en.login(guardian)
    page = f"/c/{c.slug}/kids/children/{kid_id}"
    refused = en.post(f"{page}/delete", {}, token_from=page)
    assert refused.status_code == 422 and 'id="confirm-error"' in refused.get_data(as_text=True)
    assert profiles_count() == 1

    done = en.post(f"{page}/delete", {"confirm": "y"}, token_from=page)
    assert done.status_code == 303 and done.location.endswith(f"/c/{c.slug}/kids/children")
    assert profiles_count() == 0
    assert results.count(r).children == 1
    assert db.session.scalars(select(ChildBallot)).one().child_id is None
    assert "profile is deleted" in en.get(done.location).get_data(as_text=True)
    assert en.get(page).status_code == 404


def test_nobody_else_reaches_a_childs_profile(en, make):
    c = make.community()
    kid = child(make, c, make.user(c))
    page = f"/c/{c.slug}/kids/children/{kid.id}"
    # Anonymous visitors are sent to log in.
    assert en.get(page).status_code == 302
    assert en.get(f"/c/{c.slug}/kids/children").status_code == 302
    # Another resident, staff of this community (a guardian's own profile) and staff of
    # another community: 404, on every page of the profile.
    for someone in (make.user(c), make.user(c, "staff"), make.user(make.community(), "staff")):
        en.login(someone)
        assert en.get(page).status_code == 404
        assert en.get(f"{page}/ideas/new").status_code == 404
        token_page = f"/c/{c.slug}/kids/notice"
        assert en.post(f"{page}/delete", {"confirm": "y"}, token_from=token_page) \
            .status_code == 404
        en.logout()
    assert profiles_count() == 1
    # Through another community's address the profile does not exist either.
    other = make.community()
    en.login(db.session.get(ChildProfile, kid.id).guardian)
    assert en.get(f"/c/{other.slug}/kids/children/{kid.id}").status_code == 404


def test_unverified_members_cannot_make_profiles(en, make):
    c = make.community()
    en.login(make.user(c, verified=False))
    new = f"/c/{c.slug}/kids/children/new"
    assert en.get(new).status_code == 403
    listing = en.get(f"/c/{c.slug}/kids/children")
    assert listing.status_code == 200
    assert "Only verified residents" in listing.get_data(as_text=True)
    assert new not in listing.get_data(as_text=True)
    assert en.post(new, GOOD, token_from=f"/c/{c.slug}/kids/children").status_code == 403
    assert profiles_count() == 0


def test_staff_make_profiles_from_paper_forms(en, make):
    c = make.community()
    staff = make.user(c, "staff")
    own = child(make, c, make.user(c), nickname="家里的")
    en.login(staff)
    url = f"/c/{c.slug}/kids/staff/children"
    page = en.get(url).get_data(as_text=True)
    assert "家里的" not in page  # a guardian's own profile is never listed to staff
    refused = en.post(url, {"nickname": "豆豆", "age_band": "9-11", "avatar": "panda",
                            "paper_ref": ""}, token_from=url)
    assert refused.status_code == 422
    assert 'id="paper_ref-error"' in refused.get_data(as_text=True)
    done = en.post(url, {"nickname": "豆豆", "age_band": "9-11", "avatar": "panda",
                         "paper_ref": "2026-031"}, token_from=url)
    assert done.status_code == 303
    kid = db.session.scalars(select(ChildProfile).where(ChildProfile.id != own.id)).one()
    assert kid.guardian_id is None and kid.created_by_id == staff.id
    listing = en.get(url).get_data(as_text=True)
    assert "豆豆" in listing and "2026-031" in listing and "9–11" in listing
    assert f"/c/{c.slug}/kids/children/{kid.id}" in listing
    child_page = en.get(f"/c/{c.slug}/kids/children/{kid.id}").get_data(as_text=True)
    assert "2026-031" in child_page and "on paper" in child_page
    # Another member of staff of the same community manages it too, and may delete it.
    en.logout()
    en.login(make.user(c, "staff"))
    page = f"/c/{c.slug}/kids/children/{kid.id}"
    done = en.post(f"{page}/delete", {"confirm": "y"}, token_from=page)
    assert done.status_code == 303 and done.location.endswith(url)
    assert profiles_count() == 1


def test_only_staff_open_the_paper_forms_page(en, make):
    c = make.community()
    url = f"/c/{c.slug}/kids/staff/children"
    assert en.get(url).status_code == 302
    en.login(make.user(c))
    assert en.get(url).status_code == 403
    en.logout()
    en.login(make.user(make.community(), "staff"))
    assert en.get(url).status_code == 403


def test_the_account_page_links_to_my_children(en, make):
    c = make.community()
    en.login(make.user(c))
    assert f"/c/{c.slug}/kids/children" in en.get("/account").get_data(as_text=True)
