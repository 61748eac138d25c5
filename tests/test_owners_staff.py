"""Staff run an owners' decision (业主表决): open it, type in signature sheets with their
scans, resolve owners whose online vote and sheet differ, apply the final result to the
idea; and link verified members' accounts to owners of the register.

Pages are read in English (the language cookie), so messages can be asserted by words.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.timeutil import utcnow
from proposals.owners import decisions as d
from proposals.owners.models import ConflictResolution, Owner, OwnersDecision, OwnerVote
from proposals.owners.register import import_register
from proposals.owners.register_csv import UnitRow
from app.forms import SHANGHAI

# building, unit, area in hundredths of a m², owner, developer_unsold
REGISTER = [("1号楼", "101", 100_00, "A", False), ("1号楼", "102", 100_00, "A", False),
            ("1号楼", "201", 80_50, "B", False), ("2号楼", "101", 90_00, "C", False),
            ("2号楼", "102", 60_00, "DEV", True)]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def owner(community, register_id: str) -> Owner:
    return db.session.scalar(select(Owner).where(Owner.community_id == community.id,
                                                 Owner.register_id == register_id))


def local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (60, 40), (200, 200, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def place(make):
    community = make.community(slug="hp", buildings=())
    import_register("hp", [UnitRow(line, *row) for line, row in enumerate(REGISTER, start=2)])
    return community


@pytest.fixture
def staff(make, place, client):
    user = make.user(place, "staff", display_name="李社工")
    client.login(user)
    client.get("/lang/en")
    return user


def open_decision(place, **fields):
    decision = d.open_decision(place, fields.pop("matter", "rebuild"), "加装电梯", **fields)
    db.session.commit()
    return decision


def shift(decision, *, closed_days_ago: float):
    """Move the decision's period so that it closed so many days ago."""
    decision.opens_at = utcnow() - timedelta(days=closed_days_ago + 14)
    decision.closes_at = utcnow() - timedelta(days=closed_days_ago)
    db.session.commit()


def enter(client, decision, who, choice, ref, **extra):
    url = f"/c/hp/owners/{decision.id}/sheets"
    data = {"owner": str(owner(decision.community, who).id), "choice": choice,
            "sheet_ref": ref, **extra}
    return client.post(url, data, token_from=url, content_type="multipart/form-data")


# --- opening a decision --------------------------------------------------------------------

def test_staff_open_a_decision_over_a_building_for_a_planned_idea(make, place, staff, client):
    idea = make.planned_idea(place, 500_000_00, title="2号楼加装电梯")
    form = "/c/hp/owners/new"
    page = client.get(form).get_data(as_text=True)
    assert "three quarters" in page and "more than half" in page and "2号楼加装电梯" in page
    two = [b for b in place.buildings if b.name == "2号楼"][0]
    closes = utcnow() + timedelta(days=10)
    response = client.post(form, {"matter": "rebuild", "title": "2号楼加装电梯表决",
                                  "text": "是否同意在2号楼加装电梯？", "buildings": [str(two.id)],
                                  "closes_at": local(closes), "idea_id": str(idea.id)},
                           token_from=form)
    assert response.status_code == 303
    decision = db.session.scalars(select(OwnersDecision)).one()
    assert response.headers["Location"].endswith(f"/c/hp/owners/{decision.id}")
    assert (decision.matter, decision.idea_id, decision.created_by_id) == (
        "rebuild", idea.id, staff.id)
    assert [b.name for b in decision.buildings] == ["2号楼"]
    assert abs(decision.closes_at - closes) < timedelta(minutes=1)
    assert d.result_json(decision)["owners_total"] == 2  # C and the developer
    assert "owners.decision_open" in actions()


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "Give the decision a title."),
    ({"closes_at": local(utcnow() - timedelta(hours=1))}, "The closing time has already passed."),
    ({"closes_at": "next week"}, "Give a date and a time"),
    ({"matter": "lift"}, "Not a valid choice"),
])
def test_bad_input_is_refused_next_to_the_form(place, staff, client, changes, message):
    form = "/c/hp/owners/new"
    data = {"matter": "use_fund", "title": "屋顶维修", "closes_at": local(
        utcnow() + timedelta(days=14)), **changes}
    response = client.post(form, data, token_from=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(OwnersDecision) == 0 and "owners.decision_open" not in actions()


def test_a_scope_without_register_is_refused(make, staff, client):
    c = make.community(slug="bare", buildings=("空楼",))
    member = make.user(c, "staff")
    client.login(member)
    form = "/c/bare/owners/new"
    response = client.post(form, {"matter": "use_fund", "title": "屋顶维修",
                                  "closes_at": local(utcnow() + timedelta(days=14))},
                           token_from=form)
    assert response.status_code == 422
    assert "import the register first" in response.get_data(as_text=True)
    assert count(OwnersDecision) == 0


def test_residents_are_refused_the_staff_pages(make, place, client):
    decision = open_decision(place)
    client.login(make.user(place))
    for url in ("/c/hp/owners/new", f"/c/hp/owners/{decision.id}/sheets",
                "/c/hp/owners/register"):
        assert client.get(url).status_code == 403
        assert client.post(url, {"title": "x"}, token_from="/account").status_code == 403
    assert count(OwnersDecision) == 1 and count(OwnerVote) == 0


# --- signature sheets ----------------------------------------------------------------------

def test_a_sheet_moves_the_tally_and_a_second_for_the_owner_names_the_first(place, staff,
                                                                          client):
    decision = open_decision(place)
    assert client.get(f"/c/hp/owners/{decision.id}/sheets").status_code == 200
    response = enter(client, decision, "A", "agree", "D座-017")
    assert response.status_code == 303
    t = d.current_tally(decision)
    assert (t.owners_participating, t.owners_agree, t.area_agree) == (1, 1, 200_00)
    page = client.get(f"/c/hp/owners/{decision.id}/sheets").get_data(as_text=True)
    assert "Sheet D座-017 of owner A is entered: Agree." in page  # the flash
    assert "D座-017" in page and "李社工" in page

    again = enter(client, decision, "A", "against", "D座-018")
    assert again.status_code == 422
    assert "D座-017" in again.get_data(as_text=True)
    assert d.current_tally(decision).owners_agree == 1 and count(OwnerVote) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "owners.sheet_vote"))
    assert entry.detail["sheet_ref"] == "D座-017" and entry.actor_id == staff.id


@pytest.mark.parametrize("changes, message", [
    ({"choice": ""}, "Choose what the sheet says."),
    ({"sheet_ref": " "}, "Give the reference of the signature sheet."),
    ({"owner": "0"}, "Choose whose sheet this is."),
    ({"owner": "999999"}, "not in the register of this community"),
    ({"signed_on": "2026-13-40"}, "Not a valid date value"),
])
def test_bad_sheets_are_refused(place, staff, client, changes, message):
    decision = open_decision(place)
    url = f"/c/hp/owners/{decision.id}/sheets"
    data = {"owner": str(owner(place, "B").id), "choice": "agree", "sheet_ref": "S-1",
            **changes}
    response = client.post(url, data, token_from=url)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(OwnerVote) == 0


def test_a_scan_is_kept_for_staff_only(make, app, place, staff, client):
    decision = open_decision(place)
    response = enter(client, decision, "B", "against", "S-2", scan=(BytesIO(jpeg()), "s.jpg"))
    assert response.status_code == 303
    vote = db.session.scalars(select(OwnerVote)).one()
    assert vote.scan_filename.endswith(".jpg")
    page = client.get(f"/c/hp/owners/{decision.id}/sheets").get_data(as_text=True)
    link = f"/c/hp/owners/{decision.id}/sheets?scan={owner(place, 'B').id}"
    assert link in page
    scan = client.get(link)
    assert scan.status_code == 200 and scan.mimetype == "image/jpeg"
    assert "no-store" in scan.headers["Cache-Control"]
    assert client.get(f"/c/hp/owners/{decision.id}/sheets?scan=1x").status_code == 404
    assert client.get(f"/media/ideas/{vote.scan_filename}").status_code == 404

    refused = enter(client, decision, "C", "agree", "S-3", scan=(BytesIO(b"%PDF-1.4"), "s.pdf"))
    assert refused.status_code == 422
    assert "JPEG, PNG or WebP" in refused.get_data(as_text=True)
    assert count(OwnerVote) == 1

    client.logout()
    client.login(make.user(place))
    assert client.get(link).status_code == 403


def test_late_sheets_need_a_date_before_the_close(place, staff, client):
    decision = open_decision(place)
    shift(decision, closed_days_ago=1)
    page = client.get(f"/c/hp/owners/{decision.id}/sheets").get_data(as_text=True)
    assert "give the date on the sheet" in page
    assert enter(client, decision, "C", "agree", "S-4").status_code == 422
    before = decision.closes_at.astimezone(SHANGHAI).date() - timedelta(days=1)
    assert enter(client, decision, "C", "agree", "S-4",
                 signed_on=before.isoformat()).status_code == 303
    assert d.current_tally(decision).owners_agree == 1
    late = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "owners.sheet_vote"))
    assert late.detail["late"] is True


# --- conflicts -----------------------------------------------------------------------------

def test_a_conflict_shows_until_staff_resolve_it(make, place, staff, client):
    decision = open_decision(place)
    resident = make.user(place, display_name="王阿姨")
    owner(place, "C").user_id = resident.id
    db.session.commit()
    d.cast_online(decision, owner(place, "C"), resident, "agree")
    db.session.commit()
    assert enter(client, decision, "C", "against", "S-5").status_code == 303
    url = f"/c/hp/owners/{decision.id}/sheets"
    page = client.get(url).get_data(as_text=True)
    resolve = f"/c/hp/owners/{decision.id}/conflicts/{owner(place, 'C').id}"
    assert f'action="{resolve}"' in page and "Sheet S-5: Against" in page

    third = client.post(resolve, {"choice": "abstain", "note": "电话确认"}, token_from=url)
    assert third.status_code == 422
    assert "Choose one of the two choices" in third.get_data(as_text=True)
    no_note = client.post(resolve, {"choice": "agree", "note": ""}, token_from=url)
    assert no_note.status_code == 422 and count(ConflictResolution) == 0

    done = client.post(resolve, {"choice": "agree", "note": "电话确认以网上为准"}, token_from=url)
    assert done.status_code == 303
    assert d.conflicts(decision) == [] and d.current_tally(decision).owners_agree == 1
    page = client.get(url).get_data(as_text=True)
    assert f'action="{resolve}"' not in page and "电话确认以网上为准" in page
    assert "owners.conflict_resolved" in actions()


# --- applying the result -------------------------------------------------------------------

def test_the_result_is_applied_once_final_and_shows_on_the_idea(make, place, staff, client):
    idea = make.planned_idea(place, 500_000_00, title="加装电梯")
    decision = open_decision(place, idea=idea)
    for who in ("A", "B", "C", "DEV"):
        assert enter(client, decision, who, "agree", f"S-{who}").status_code == 303
    url = f"/c/hp/owners/{decision.id}/sheets"
    early = client.post(f"/c/hp/owners/{decision.id}/apply", token_from=url)
    assert early.status_code == 422
    assert "three days after the close" in early.get_data(as_text=True)
    assert decision.applied_at is None

    shift(decision, closed_days_ago=3.1)
    page = client.get(url).get_data(as_text=True)
    assert f'action="/c/hp/owners/{decision.id}/apply"' in page
    assert 'id="sheet-form"' not in page  # final: no more sheets
    response = client.post(f"/c/hp/owners/{decision.id}/apply", token_from=url)
    assert response.status_code == 303
    db.session.refresh(idea)
    assert idea.stage == "noticed" and decision.result == "passed"
    timeline = client.get(f"/c/hp/ideas/{idea.id}").get_data(as_text=True)
    assert "Owners&#39; decision “加装电梯”: passed" in timeline and "4 of 4 owners" in timeline
    again = client.post(f"/c/hp/owners/{decision.id}/apply", token_from=url)
    assert again.status_code == 422 and "already been applied" in again.get_data(as_text=True)


# --- the register --------------------------------------------------------------------------

def test_staff_link_and_unlink_a_verified_members_account(make, place, staff, client):
    url = "/c/hp/owners/register"
    page = client.get(url).get_data(as_text=True)
    assert "owners import-units hp" in page and "80.50 m²" in page and "Developer" in page
    resident = make.user(place, display_name="王阿姨")
    a, b = owner(place, "A"), owner(place, "B")
    assert client.post(url, {"owner_id": str(a.id), "user": str(resident.id)},
                       token_from=url).status_code == 303
    db.session.refresh(a)
    assert (a.user_id, a.linked_by_id) == (resident.id, staff.id)
    assert "王阿姨 can now vote online for owner A." in client.get(url).get_data(as_text=True)

    unverified = make.user(place, verified=False)
    refused = client.post(url, {"owner_id": str(b.id), "user": str(unverified.id)},
                          token_from=url)
    assert refused.status_code == 422 and "verified member" in refused.get_data(as_text=True)
    outsider = make.user(make.community())
    assert client.post(url, {"owner_id": str(b.id), "user": str(outsider.id)},
                       token_from=url).status_code == 422
    assert client.post(url, {"owner_id": str(b.id), "user": ""},
                       token_from=url).status_code == 422
    db.session.refresh(b)
    assert b.user_id is None

    # Someone may be two lines of the register (a co-owned flat and one of their own):
    # allowed, and staff are told, so that a slip of the select is noticed.
    assert client.post(url, {"owner_id": str(b.id), "user": str(resident.id)},
                       token_from=url).status_code == 303
    assert "this account also votes for A" in client.get(url).get_data(as_text=True)
    assert client.post(url, {"owner_id": str(b.id), "action": "unlink"},
                       token_from=url).status_code == 303
    assert client.post(url, {"owner_id": str(a.id), "action": "unlink"},
                       token_from=url).status_code == 303
    db.session.refresh(a)
    assert a.user_id is None
    assert [x for x in actions() if x.startswith("owners.account")] == [
        "owners.account_linked", "owners.account_linked", "owners.account_unlinked",
        "owners.account_unlinked"]
    assert client.post(url, {"owner_id": str(a.id), "action": "unlink"},
                       token_from=url).status_code == 422  # nothing to unlink
