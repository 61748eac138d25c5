"""Staff desk pages under /c/<slug>/staff/: members, verification, roles, reset codes, audit."""
from __future__ import annotations

from flask import abort, flash, g, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import permissions
from ..access import access
from ..accounts import services as accounts
from ..accounts.models import ROLE_LABELS, Membership, User
from ..audit import AuditEntry
from ..community import Building, Unit
from ..database import write_transaction
from ..extensions import db
from ..forms import ButtonForm
from ..rendering import render, see_other
from ..scoped import community_blueprint
from . import services
from .forms import OwnerForm, RoleForm, VerifyForm

bp = community_blueprint("staff", __name__, "/staff")


def _membership(member_id: int) -> Membership:
    m = db.session.get(Membership, member_id)
    if m is None or m.community_id != g.community.id:
        abort(404)
    return m


def _units():
    return db.session.scalars(select(Unit).join(Building).where(
        Building.community_id == g.community.id).order_by(Building.name, Unit.number)).all()


def _members_page(status: int = 200, **extra):
    # Every membership of each person is read at once: who may reset or disable an
    # account depends on its roles in every community (permissions.outranks).
    members = db.session.scalars(select(Membership).options(
        joinedload(Membership.user).selectinload(User.memberships)
        .selectinload(Membership.role_rows), joinedload(Membership.building),
        selectinload(Membership.role_rows)).where(Membership.community_id == g.community.id)
        .order_by(Membership.verified_at.is_not(None), Membership.joined_at.desc())).all()
    verify = VerifyForm()
    verify.building_id.choices = [(0, "—")] + [(b.id, b.name) for b in g.community.buildings]
    owner = OwnerForm()
    owner.unit_id.choices = [(u.id, f"{u.label} · {u.area_m2} m²") for u in _units()]
    return render("staff/members.html", status=status, members=members, verify_form=verify,
                  owner_form=owner, button=ButtonForm(), role_form=RoleForm(),
                  role_labels=ROLE_LABELS, **extra)


@bp.get("/members")
@access("staff")
def members():
    return _members_page()


@bp.post("/members/<int:member_id>/verify")
@access("staff")
def verify(member_id: int):
    m = _membership(member_id)
    form = VerifyForm()
    form.building_id.choices = [(0, "—")] + [(b.id, b.name) for b in g.community.buildings]
    if not form.validate_on_submit():
        # The page shows a fresh form in every row: the refusal goes to the top.
        flash(_("Choose one of this community's buildings, or none."), "error")
        return _members_page(422)
    building = db.session.get(Building, form.building_id.data) if form.building_id.data else None
    with write_transaction():
        accounts.verify_member(m, current_user._get_current_object(),
                               building if building in g.community.buildings else None)
    flash(_("%(name)s is now a verified resident.", name=m.user.display_name), "success")
    return see_other(url_for("staff.members"))


@bp.post("/members/<int:member_id>/owner")
@access("staff")
def owner(member_id: int):
    m = _membership(member_id)
    form = OwnerForm()
    units = _units()
    form.unit_id.choices = [(u.id, u.label) for u in units]
    if not m.verified or not form.validate_on_submit():
        flash(_("Verify the resident first, then choose a unit."), "error")
        return _members_page(422)
    unit = next(u for u in units if u.id == form.unit_id.data)
    with write_transaction():
        services.link_owner(m, unit, current_user._get_current_object())
    flash(_("%(name)s is recorded as an owner of %(unit)s.", name=m.user.display_name,
            unit=unit.label), "success")
    return see_other(url_for("staff.members"))


@bp.post("/members/<int:member_id>/role")
@access("staff")
def role(member_id: int):
    m = _membership(member_id)
    form = RoleForm()
    if not form.validate_on_submit():  # a form not sent by the page: no role to judge
        flash(_("Choose a role to grant or take away."), "error")
        return _members_page(422)
    if not permissions.can_grant(current_user, g.community, form.role.data):
        abort(403)
    with write_transaction():
        services.set_role(m, form.role.data, form.grant.data == "1",
                          current_user._get_current_object())
    return see_other(url_for("staff.members"))


@bp.post("/members/<int:member_id>/disable")
@access("staff")
def disable(member_id: int):
    m = _membership(member_id)
    if not permissions.can_disable(current_user, g.community, m.user):
        abort(403)
    with write_transaction():
        services.set_disabled(m, not m.user.disabled, current_user._get_current_object())
    return see_other(url_for("staff.members"))


@bp.post("/members/<int:member_id>/reset-code")
@access("staff")
def reset_code(member_id: int):
    m = _membership(member_id)
    if not permissions.can_issue_reset_code(current_user, g.community, m.user):
        abort(403)
    with write_transaction():
        code = accounts.issue_reset_code(m.user, current_user._get_current_object(),
                                         g.community)
    return render("staff/reset_code.html", member=m, code=code)


@bp.get("/audit")
@access("staff")
def audit_log():
    entries = db.session.scalars(select(AuditEntry).options(joinedload(AuditEntry.actor)).where(
        AuditEntry.community_id == g.community.id)
        .order_by(AuditEntry.id.desc()).limit(200)).all()
    return render("staff/audit.html", entries=entries)
