"""Permission functions, called without HTTP."""
from app import permissions as p
from app.extensions import db


def test_roles_apply_only_in_their_community_and_when_verified(app, make):
    home, other = make.community(), make.community()
    staff = make.user(home, "staff")
    assert p.is_staff(staff, home) and not p.is_staff(staff, other)
    pending = make.user(home, "staff", verified=False)
    assert not p.is_staff(pending, home)
    assert p.can_hand_in(pending, home) and not p.can_support(pending, home)


def test_admin_can_do_what_staff_can_and_grant_staff(app, make):
    c = make.community()
    admin, staff = make.user(c, "admin"), make.user(c, "staff")
    assert p.is_staff(admin, c) and p.can_grant(admin, c, "staff")
    assert p.can_grant(staff, c, "council") and not p.can_grant(staff, c, "staff")
    assert not p.can_grant(make.user(c), c, "council")


def test_disabled_accounts_have_no_rights(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    staff.disabled = True
    db.session.commit()
    assert not p.is_staff(staff, c) and not p.can_hand_in(staff, c)


def test_anonymous_has_no_rights(app, make):
    from flask_login import AnonymousUserMixin
    c = make.community()
    anon = AnonymousUserMixin()
    assert not any(f(anon, c) for f in (p.is_staff, p.is_member, p.can_support, p.can_hand_in))


def test_site_admin_is_staff_everywhere(app, make):
    c = make.community()
    root = make.user(None, is_site_admin=True)
    assert p.is_staff(root, c) and p.is_admin(root, c)
