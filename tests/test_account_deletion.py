"""An adult deletes their account: they can no longer sign in, nothing of their name is
left, their public contributions stay under a neutral name and keep counting, and their
children's profiles go with them."""
from __future__ import annotations

from dataclasses import asdict, replace

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts import privacy, services as accounts
from app.accounts.models import Membership, ResetCode, User
from app.accounts.passwords import verify_secret
from app.audit import AuditEntry
from app.community import UnitOwnership
from app.extensions import db
from app.staff.services import link_owner
from deliberation.models import Follow, Notification
from proposals import queries, services as ideas
from proposals.kids import results as kids_results, voting as kids_voting
from proposals.kids.ideas import hand_in_for_child
from proposals.kids.models import ChildBallot, ChildProfile
from proposals.models import Idea
from proposals.owners import decisions
from proposals.owners.models import Owner
from proposals.photos import process_photo
from proposals.rounds import ballots
from proposals.rounds.eligibility import voters_for
from proposals.rounds.results import ballots_counted, vote_totals

from .conftest import PASSWORD, Client, _FreshContextClient, make_settings
from .factories import Factory
from .images import jpeg_bytes
from .kids_factories import child, kids_round

NAME, USERNAME, NICKNAME = "张阿姨独一份", "zhang_ayi_unique", "豆豆独一份"
DELETE = "/account/delete"


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _max_audit_id() -> int:
    return db.session.scalar(select(func.max(AuditEntry.id))) or 0


@pytest.fixture
def life(make):
    """A resident with a bit of everything: ideas, a comment, a support, a budget vote, an
    owners' vote, a flat, a child who voted and drew an idea, follows, notifications."""
    c = make.community()
    staff = make.user(c, "staff")
    user = make.user(c, display_name=NAME, username=USERNAME)
    neighbour_idea = make.idea(c)
    own_idea = make.idea(c, author=user, title="楼道装灯")
    comment = make.comment(neighbour_idea, author=user, body="这个好，我家门口也很暗。")
    ideas.toggle_support(neighbour_idea, user)
    db.session.commit()  # the factories below begin write transactions of their own
    r = kids_round(make, c)
    ballots.submit_online(r, voters_for(r, user)[0], [r.entries[0].id, r.entries[2].id])
    kid = child(make, c, user, nickname=NICKNAME)
    kids_voting.vote_as_child(r, kid, [r.entries[1].id])
    drawing = process_photo(jpeg_bytes(), max_bytes=10 * 2**20, max_pixels=40_000_000)
    kid_idea = hand_in_for_child(c, user, kid, drawing, "children", "秋千坏了")
    db.session.commit()
    decision = make.owners_decision(c)
    owner_a = db.session.scalar(select(Owner).where(Owner.community_id == c.id,
                                                    Owner.register_id == "A"))
    owner_a.user_id = user.id
    db.session.flush()
    decisions.cast_online(decision, owner_a, user, "agree")
    unit = make.unit(c.buildings[0], number="301")
    link_owner(user.membership_in(c), unit, staff)
    db.session.add(Follow(user_id=user.id, idea_id=neighbour_idea.id))
    db.session.add(Notification(user_id=user.id, kind="comment", idea_id=neighbour_idea.id))
    accounts.issue_reset_code(user, staff, c)
    db.session.commit()
    return dict(c=c, user=user, neighbour_idea=neighbour_idea, own_idea=own_idea,
                comment=comment, round=r, kid=kid, kid_idea=kid_idea, decision=decision,
                owner=owner_a)


def _counts(life) -> dict:
    r = life["round"]
    counts = dict(supports=queries.support_count(life["neighbour_idea"]),
                votes=vote_totals(r), ballots=ballots_counted(r),
                children=asdict(kids_results.count(r))["children"],
                child_picks=kids_results.picks_by_entry(r),
                owners=asdict(decisions.current_tally(life["decision"])))
    # Something to lose: each kind of contribution is there to be counted.
    assert counts["supports"] and counts["ballots"] and counts["children"]
    assert counts["owners"]["owners_agree"] == 1
    return counts


def _personal(uid: int) -> dict:
    """How many rows of each kind that only concern the person link to them."""
    return dict(memberships=_count(Membership, Membership.user_id == uid),
                follows=_count(Follow, Follow.user_id == uid),
                notifications=_count(Notification, Notification.user_id == uid),
                reset_codes=_count(ResetCode, ResetCode.user_id == uid),
                flats=_count(UnitOwnership, UnitOwnership.user_id == uid),
                register_lines=_count(Owner, Owner.user_id == uid),
                children=_count(ChildProfile, ChildProfile.guardian_id == uid))


def test_a_deleted_account_is_anonymous_and_its_contributions_stay(en, new_client, life):
    c, user = life["c"], life["user"]
    uid, kid_id, kid_idea_id = user.id, life["kid"].id, life["kid_idea"].id
    before, audit_from = _counts(life), _max_audit_id()
    personal = _personal(uid)
    assert all(personal.values()), personal
    other_device = new_client().login(user)
    en.login(user)

    page = en.get(DELETE).get_data(as_text=True)
    assert NICKNAME in page  # the guardian is told the profile goes too
    response = en.post(DELETE, {"password": PASSWORD, "confirm": "y"}, token_from=DELETE)
    assert response.status_code == 303

    # Signed out here and on the other device; the old name and password do not work.
    assert en.get("/account").status_code == 302
    assert other_device.get("/account").status_code == 302
    assert en.post("/login", {"username": USERNAME, "password": PASSWORD}).status_code == 422

    # Nothing of the person is left in the row, which stays for the foreign keys.
    row = db.session.get(User, uid)
    assert row.username.startswith(privacy.DELETED_PREFIX) and row.disabled
    assert row.display_name == privacy.DELETED_NAME and not row.is_site_admin
    assert not verify_secret(row.password_hash, PASSWORD)
    for column in User.__table__.columns:
        value = str(getattr(row, column.key))
        assert USERNAME not in value and NAME not in value, column.key
    assert en.post("/login", {"username": row.username, "password": PASSWORD}) \
        .status_code == 422

    # The contributions still show, under the neutral name, and still count.
    for idea in (life["own_idea"], life["neighbour_idea"]):
        html = en.get(f"/c/{c.slug}/ideas/{idea.id}").get_data(as_text=True)
        assert privacy.DELETED_NAME in html and NAME not in html
    assert "这个好，我家门口也很暗。" in en.get(f"/c/{c.slug}/ideas/{life['neighbour_idea'].id}") \
        .get_data(as_text=True)
    assert _counts(life) == before

    # The child's profile is gone; its vote is counted without a name, its idea unlinked.
    assert db.session.get(ChildProfile, kid_id) is None
    assert _count(ChildBallot, ChildBallot.round_id == life["round"].id,
                  ChildBallot.child_id.is_(None)) == 1
    kept = db.session.get(Idea, kid_idea_id)
    assert kept.by_child and kept.child_id is None

    # Personal links and private rows are gone.
    assert _personal(uid) == {key: 0 for key in personal}

    # The deletion is audited, without the name it took away.
    new = db.session.scalars(select(AuditEntry).where(AuditEntry.id > audit_from)).all()
    assert {e.action for e in new} >= {"account.deleted", "kids.profile_deleted"}
    deleted = next(e for e in new if e.action == "account.deleted")
    assert deleted.community_id == c.id and deleted.target_id == uid
    for e in new:
        for secret in (USERNAME, NAME, NICKNAME):
            assert secret not in e.detail_json, (e.action, e.detail_json)


def _unchanged(user) -> tuple:
    row = db.session.get(User, user.id)
    return (row.username, row.display_name, row.password_hash, row.session_token,
            row.disabled, _count(Membership, Membership.user_id == user.id),
            _count(ChildProfile, ChildProfile.guardian_id == user.id), _max_audit_id())


def test_a_wrong_password_or_no_tick_changes_nothing(en, make):
    c = make.community()
    user = make.user(c)
    child(make, c, user)
    en.login(user)
    before = _unchanged(user)
    wrong = en.post(DELETE, {"password": "not-my-password", "confirm": "y"},
                    token_from=DELETE)
    assert wrong.status_code == 422
    assert "The password is wrong." in wrong.get_data(as_text=True)
    unticked = en.post(DELETE, {"password": PASSWORD}, token_from=DELETE)
    assert unticked.status_code == 422
    assert "Tick the box" in unticked.get_data(as_text=True)
    empty = en.post(DELETE, {"confirm": "y"}, token_from=DELETE)
    assert empty.status_code == 422
    assert _unchanged(user) == before
    assert en.get("/account").status_code == 200  # still signed in


def test_the_last_site_admin_is_refused_until_there_is_another(en, make):
    c = make.community()
    admin = make.user(c, is_site_admin=True)
    make.user(c, is_site_admin=True, disabled=True)  # a disabled admin runs nothing
    en.login(admin)
    page = en.get(DELETE).get_data(as_text=True)
    assert "only site administrator" in page and 'name="password"' not in page
    before = _unchanged(admin)
    refused = en.post(DELETE, {"password": PASSWORD, "confirm": "y"}, token_from="/account")
    assert refused.status_code == 422
    assert "only site administrator" in refused.get_data(as_text=True)
    assert _unchanged(admin) == before

    make.user(is_site_admin=True)
    done = en.post(DELETE, {"password": PASSWORD, "confirm": "y"}, token_from=DELETE)
    assert done.status_code == 303
    assert not db.session.get(User, admin.id).is_site_admin


def test_someone_in_no_community_can_delete_their_account(en, make):
    loner = make.user(username="loner_unique")
    en.login(loner)
    response = en.post(DELETE, {"password": PASSWORD, "confirm": "y"}, token_from=DELETE)
    assert response.status_code == 303
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "account.deleted")).one()
    assert entry.community_id is None and "loner_unique" not in entry.detail_json
    assert User.by_username("loner_unique") is None


def test_guessing_the_password_on_the_delete_page_is_limited(tmp_path):
    """With the limiter on (its own app: the shared test app has it off), the sixth wrong
    password in a minute is answered 429, and then even the right one is held back."""
    settings = replace(make_settings(tmp_path, "sqlite"), rate_limits=True)
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        user = Factory(PASSWORD).user(Factory(PASSWORD).community())
        uid, name = user.id, user.username
        browser = Client(_FreshContextClient(app, use_cookies=True)).login(user)
        statuses = [browser.post(DELETE, {"password": f"guess-{i}", "confirm": "y"},
                                 token_from=DELETE).status_code for i in range(6)]
        assert statuses == [422] * 5 + [429]
        assert browser.post(DELETE, {"password": PASSWORD, "confirm": "y"},
                            token_from=DELETE).status_code == 429
        assert db.session.get(User, uid).username == name
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("name", ["已注销用户", "已注销用户 / Deleted user", "Deleted User",
                                  "ＤＥＬＥＴＥＤ－user", "deleted_user"])
def test_nobody_signs_up_under_the_name_removed_accounts_carry(en, make, name):
    c = make.community()
    answer = en.post("/signup", {"username": "sly_one", "display_name": name,
                                 "community": c.slug, "password": "a-long-password",
                                 "confirm": "a-long-password"}, token_from="/signup")
    assert answer.status_code == 422
    assert "kept for removed accounts" in answer.get_data(as_text=True)
    assert User.by_username("sly_one") is None
