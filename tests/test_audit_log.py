"""The audit log: append-only from the app's point of view, says where an action came
from and what a change was, and forgets addresses and old entries on time."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app import audit
from app.audit import AuditEntry, AuditTampering
from app.extensions import db
from app.timeutil import utcnow


def _entry(**fields) -> AuditEntry:
    entry = audit.record("test.thing", detail="x")
    for key, value in fields.items():
        setattr(entry, key, value)
    db.session.commit()
    return entry


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm(app):
    entry = _entry()
    entry.action = "test.forged"
    with pytest.raises(AuditTampering):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditTampering):
        db.session.commit()
    db.session.rollback()
    for statement in (update(AuditEntry).values(action="forged"), delete(AuditEntry)):
        with pytest.raises(AuditTampering):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).action == "test.thing"


def test_no_route_can_edit_or_delete_the_log(app):
    """Every view module is loaded by the app: none may even mention a way to change
    the log outside the retention rules (a cheap guard beside the ORM's refusal)."""
    import inspect
    for name, view in app.view_functions.items():
        source = inspect.getsource(inspect.getmodule(view))
        assert "rewriting_history" not in source, name


def test_a_staff_action_says_where_it_came_from_and_what_changed(app, make, client):
    community = make.community()
    staff = make.user(community, "staff")
    idea = make.idea(community)
    client.login(staff)
    url = f"/c/{community.slug}/ideas/{idea.id}"
    response = client.post(f"{url}/move", {"to": "deliberating", "reason": "大家一起讨论"},
                           token_from=url, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code in (200, 303)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "idea.move")
                              .order_by(AuditEntry.id.desc()))
    assert entry.address == "10.1.2.3" and entry.actor_id == staff.id
    assert entry.detail["before"]["stage"] == "submitted"
    assert entry.detail["after"]["stage"] == "deliberating"
    page = client.get(f"/c/{community.slug}/staff/audit")
    assert "10.1.2.3" in page.get_data(as_text=True)


def test_secrets_never_reach_the_log(app, make):
    user = make.user(make.community())
    user.password_hash = "new-hash"
    user.display_name = "王阿姨"
    entry = audit.record("account.changed", actor=user, target=user)
    assert "password_hash" not in entry.detail.get("after", {})
    assert entry.detail["after"]["display_name"] == "王阿姨"


def test_tick_blanks_old_addresses_and_removes_very_old_entries(app):
    now = utcnow()
    with audit.rewriting_history():
        recent = _entry(address="10.0.0.1", at=now - timedelta(days=10))
        older = _entry(address="10.0.0.2", at=now - timedelta(days=audit.ADDRESS_DAYS + 1))
        ancient = _entry(address="", at=now - timedelta(days=audit.KEEP_DAYS + 1))
    ids = recent.id, older.id, ancient.id
    lines = audit.expire_old(now)
    assert len(lines) == 2 and all(ok for ok, _line in lines)
    db.session.expire_all()
    assert db.session.get(AuditEntry, ids[0]).address == "10.0.0.1"
    assert db.session.get(AuditEntry, ids[1]).address == ""
    assert db.session.get(AuditEntry, ids[2]) is None
    assert audit.expire_old(now) == []  # nothing more is due
