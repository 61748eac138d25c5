"""Staff verify residents and owners, grant roles and screen ideas from the desk."""
from __future__ import annotations

from app import permissions
from app.audit import AuditEntry
from app.extensions import db


def test_staff_verify_a_resident_and_record_an_owner(app, make, client):
    c = make.community()
    unit = make.unit(c.buildings[0], "302", 9230)
    staff, person = make.user(c, "staff"), make.user(c, verified=False)
    m = person.membership_in(c)
    client.login(staff)
    desk = f"/c/{c.slug}/staff/members"
    assert client.post(f"{desk}/{m.id}/verify", {"building_id": c.buildings[0].id},
                       token_from=desk).status_code == 303
    assert permissions.can_support(person, c)
    assert client.post(f"{desk}/{m.id}/owner", {"unit_id": unit.id},
                       token_from=desk).status_code == 303
    assert permissions.has_role(person, c, "owner")
    assert unit.ownerships[0].user_id == person.id and unit.ownerships[0].verified_by_id == staff.id
    actions = {e.action for e in db.session.query(AuditEntry).filter_by(actor_id=staff.id)}
    assert {"member.verify", "member.owner"} <= actions


def test_staff_grant_council_but_not_staff(app, make, client):
    c = make.community()
    staff, person = make.user(c, "staff"), make.user(c)
    m = person.membership_in(c)
    client.login(staff)
    desk = f"/c/{c.slug}/staff/members"
    assert client.post(f"{desk}/{m.id}/role", {"role": "council", "grant": "1"},
                       token_from=desk).status_code == 303
    assert client.post(f"{desk}/{m.id}/role", {"role": "staff", "grant": "1"},
                       token_from=desk).status_code == 403
    db.session.expire_all()
    assert permissions.has_role(person, c, "council") and not permissions.is_staff(person, c)


def test_staff_screen_an_idea_from_its_page(app, make, client):
    c = make.community()
    staff, idea = make.user(c, "staff"), make.idea(make.community())
    idea = make.idea(c)
    client.login(staff)
    page = f"/c/{c.slug}/ideas/{idea.id}"
    assert idea.title in client.get(f"/c/{c.slug}/staff/screening").get_data(as_text=True)
    refused = client.post(f"{page}/move", {"to": "deliberating", "reason": ""}, token_from=page)
    assert refused.status_code == 422 and "reason" in refused.get_data(as_text=True).lower() \
        or "理由" in refused.get_data(as_text=True)
    response = client.post(f"{page}/move", {"to": "deliberating", "reason": "进入议事：符合范围"},
                           token_from=page)
    assert response.status_code == 303
    db.session.expire_all()
    assert idea.stage == "deliberating"
    assert "进入议事：符合范围" in client.get(page).get_data(as_text=True)


def test_staff_plan_an_idea_with_a_costing_in_yuan(app, make, client):
    c = make.community()
    staff, idea = make.user(c, "staff"), make.idea(c, stage="deliberating")
    client.login(staff)
    page = f"/c/{c.slug}/ideas/{idea.id}"
    data = {"to": "planned", "reason": "议事会通过方案", "amount": "86000", "responsible": "物业",
            "source_1": "subsidy", "source_1_amount": "25800", "source_2": "round_budget",
            "source_2_amount": "60200.00"}
    assert client.post(f"{page}/move", data, token_from=page).status_code == 303
    db.session.expire_all()
    assert idea.stage == "planned" and idea.costing.amount_fen == 8_600_000
    bad = dict(data, to="planned", amount="86000.001")
    idea2 = make.idea(c, stage="deliberating")
    assert client.post(f"/c/{c.slug}/ideas/{idea2.id}/move", bad,
                       token_from=page).status_code == 422


def test_author_withdraws_but_cannot_screen(app, make, client):
    c = make.community()
    author = make.user(c)
    idea = make.idea(c, author=author)
    client.login(author)
    page = f"/c/{c.slug}/ideas/{idea.id}"
    assert client.post(f"{page}/move", {"to": "deliberating", "reason": "自己批准"},
                       token_from=page).status_code in (403, 422)
    assert client.post(f"{page}/move", {"to": "withdrawn", "reason": "已与物业私下解决"},
                       token_from=page).status_code == 303
    db.session.expire_all()
    assert idea.stage == "withdrawn"


def test_site_admin_sets_up_a_community(app, make, client):
    from app.community import Community
    root = make.user(None, is_site_admin=True)
    client.login(root)
    form = "/admin/communities"
    bad = client.post(form, {"slug": "Bad Slug", "name": "x"}, token_from=form)
    assert bad.status_code == 422 and Community.by_slug("bad slug") is None
    ok = client.post(form, {"slug": "wanhang", "name": "万航居民区", "district": "曹家渡街道"},
                     token_from=form)
    assert ok.status_code == 303 and Community.by_slug("wanhang").name == "万航居民区"
    again = client.post(form, {"slug": "wanhang", "name": "重复"}, token_from=form)
    assert again.status_code == 422
    assert "万航居民区" in client.get("/").get_data(as_text=True)


def test_my_ideas_lists_what_i_handed_in(app, make, client):
    c = make.community()
    me = make.user(c)
    make.idea(c, author=me, title="楼道堆物清理")
    make.idea(c, title="别人的点子")
    client.login(me)
    page = client.get("/me/ideas").get_data(as_text=True)
    assert "楼道堆物清理" in page and "别人的点子" not in page


def test_admin_disables_an_account_and_its_sessions_end(app, make, client, new_client):
    c = make.community()
    admin, staff, person = make.user(c, "admin"), make.user(c, "staff"), make.user(c)
    victim_phone = new_client().login(person)
    desk = f"/c/{c.slug}/staff/members"
    m = person.membership_in(c)
    client.login(staff)
    assert client.post(f"{desk}/{m.id}/disable", token_from=desk).status_code == 403
    client.login(admin)
    assert client.post(f"{desk}/{m.id}/disable", token_from=desk).status_code == 303
    assert person.disabled and victim_phone.get("/account").status_code == 302
    refused = new_client().post("/login", {"username": person.username,
                                           "password": "neighbour-pass-1"})
    assert refused.status_code == 422
    assert client.post(f"{desk}/{m.id}/disable", token_from=desk).status_code == 303
    assert not person.disabled
    own = admin.membership_in(c)
    assert client.post(f"{desk}/{own.id}/disable", token_from=desk).status_code == 403
