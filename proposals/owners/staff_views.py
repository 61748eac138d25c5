"""Staff pages of owners' decisions (业主表决): open a decision, type in the signature
sheets collected door to door (代录入) with an optional scan, resolve owners whose online
vote and sheet disagree, apply the final result to the idea; and the owners' register,
where staff link a verified member's account to an owner so that person can vote online.

The rules are in `decisions`; linking lives here as two small functions because it is
only a column and an audit entry.
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, request, send_from_directory, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app import audit
from app.access import access
from app.accounts.models import Membership, User
from app.community import Building, Unit
from app.database import write_transaction
from app.extensions import db
from app.forms import ButtonForm
from app.rendering import render, see_other
from app.forms import SHANGHAI
from app.templating import when
from app.timeutil import utcnow
from proposals.models import Idea
from proposals.photos import PhotoRejected, process_photo, store

from . import decisions
from .blueprint import bp
from .decisions import DecisionRefused, format_area
from .models import ConflictResolution, DecisionUnit, Owner, OwnersDecision, OwnerVote, \
    RegisterUnit
from .meters import CHOICE_LABELS, STATE_LABELS, line_words, matter_label
from .staff_forms import LinkForm, NewDecisionForm, ResolveForm, SheetForm

# The pages of one decision; those another part has not registered are left out.
DECISION_NAV = (("owners.decision", _l("Decision page")),
                ("owners.sheets", _l("Signature sheets")),
                ("owners.projector", _l("Projector view")),
                ("owners.export", _l("Export the tally (CSV)")))


def _staff():
    return current_user._get_current_object()


def get_decision(decision_id: int) -> OwnersDecision:
    decision = db.session.get(OwnersDecision, decision_id)
    if decision is None or decision.community_id != g.community.id:
        abort(404)
    return decision


def _owner(owner_id: int) -> Owner | None:
    owner = db.session.get(Owner, owner_id) if owner_id > 0 else None
    return owner if owner is not None and owner.community_id == g.community.id else None


def _labels() -> dict:
    nav = [(e, label) for e, label in DECISION_NAV if e in current_app.view_functions]
    return dict(matter_label=matter_label, line_words=line_words, choice_labels=CHOICE_LABELS,
                state_labels=STATE_LABELS, decision_nav=nav, area=format_area)


# --- a new decision ------------------------------------------------------------------------

def _planned_ideas() -> list[Idea]:
    return db.session.scalars(select(Idea).where(
        Idea.community_id == g.community.id, Idea.stage == "planned")
        .order_by(Idea.created_at, Idea.id)).all()


def _new_page(form: NewDecisionForm, status: int = 200, error: str = ""):
    return render("owners/new_decision.html", status=status, form=form, error=error,
                  grace_days=decisions.GRACE.days, **_labels())


@bp.route("/new", methods=["GET", "POST"])
@access("staff")
def new_decision():
    form = NewDecisionForm()
    form.set_choices(g.community, _planned_ideas())
    if not form.is_submitted():
        closes = utcnow() + decisions.DEFAULT_LENGTH
        form.closes_at.data = closes.astimezone(SHANGHAI).replace(second=0, microsecond=0)
        # "Put this idea to the owners" links may name the idea in the query string.
        wanted = request.args.get("idea_id", type=int)
        if wanted in {value for value, _label in form.idea_id.choices}:
            form.idea_id.data = wanted
        return _new_page(form)
    if not form.validate():
        return _new_page(form, 422)
    chosen = set(form.buildings.data or ())
    try:
        with write_transaction():
            idea = db.session.get(Idea, form.idea_id.data) if form.idea_id.data else None
            decision = decisions.open_decision(
                g.community, form.matter.data, form.title.data, text=form.text.data or "",
                buildings=[b for b in g.community.buildings if b.id in chosen],
                closes_at=form.closes_utc, idea=idea, actor=_staff())
    except DecisionRefused as refused:
        return _new_page(form, 422, refused.message)
    flash(_("The owners' decision “%(title)s” is open until %(when)s.", title=decision.title,
            when=when(decision.closes_at)), "success")
    return see_other(url_for("owners.decision", decision_id=decision.id))


# --- signature sheets --------------------------------------------------------------------

def scan_folder():
    # Not under the public /media/ideas folder: a sheet bears names and signatures.
    return current_app.config["SETTINGS"].upload_dir / "owner-sheets"


def _discard(name: str) -> None:
    if name:
        (scan_folder() / name).unlink(missing_ok=True)


def snapshot_owners(decision: OwnersDecision) -> list[tuple[Owner, list[str], int]]:
    """The owners in the decision's frozen register: (owner, unit labels, area in centi)."""
    rows = db.session.execute(
        select(Owner, Building.name, Unit.number, DecisionUnit.area_centi)
        .join(DecisionUnit, DecisionUnit.owner_id == Owner.id)
        .join(Unit, Unit.id == DecisionUnit.unit_id).join(Building, Building.id == Unit.building_id)
        .where(DecisionUnit.decision_id == decision.id)
        .order_by(Owner.register_id, Building.name, Unit.number))
    owners: dict[int, tuple[Owner, list[str], list[int]]] = {}
    for owner, building, number, area in rows:
        entry = owners.setdefault(owner.id, (owner, [], []))
        entry[1].append(f"{building} {number}")
        entry[2].append(area)
    return [(owner, units, sum(areas)) for owner, units, areas in owners.values()]


def _owner_option(owner: Owner, units: list[str], entered: dict[int, OwnerVote]) -> str:
    shown = "、".join(units[:3]) + (_(" and %(n)d more", n=len(units) - 3)
                                   if len(units) > 3 else "")
    label = " · ".join(filter(None, (owner.register_id, owner.display_name, shown)))
    if owner.id in entered:
        label += " " + _("(sheet %(ref)s entered)", ref=entered[owner.id].sheet_ref)
    return label


def _votes(decision: OwnersDecision) -> list[OwnerVote]:
    return db.session.scalars(select(OwnerVote).options(
        joinedload(OwnerVote.owner), joinedload(OwnerVote.cast_by))
        .where(OwnerVote.decision_id == decision.id)
        .order_by(OwnerVote.cast_at.desc(), OwnerVote.id.desc())).all()


def _conflicts(decision: OwnersDecision, votes: list[OwnerVote]) -> list[dict]:
    by_owner: dict[int, dict[str, OwnerVote]] = {}
    for vote in votes:
        by_owner.setdefault(vote.owner_id, {})[vote.channel] = vote
    return [{"owner": by_owner[o]["online"].owner, "online": by_owner[o]["online"],
             "sheet": by_owner[o]["sheet"]}
            for o in decisions.conflicts(decision) if len(by_owner.get(o, {})) == 2]


def _resolutions(decision: OwnersDecision):
    return db.session.execute(
        select(ConflictResolution, Owner, User)
        .join(Owner, Owner.id == ConflictResolution.owner_id)
        .outerjoin(User, User.id == ConflictResolution.resolved_by_id)
        .where(ConflictResolution.decision_id == decision.id)
        .order_by(ConflictResolution.resolved_at)).all()


def _sheets_page(decision: OwnersDecision, form: SheetForm, status: int = 200, error: str = "",
                 apply_error: str = "", conflict_error: tuple[int, str, dict] | None = None):
    state = decisions.state(decision)
    votes = _votes(decision)
    sheets = [v for v in votes if v.channel == "sheet"]
    entered = {v.owner_id: v for v in sheets}
    form.owner.choices = [(0, _("— choose the owner —"))] + [
        (owner.id, _owner_option(owner, units, entered))
        for owner, units, _area in snapshot_owners(decision)]
    tally = decisions.current_tally(decision)
    return render("owners/sheets.html", status=status, decision=decision, state=state,
                  form=form, error=error, apply_error=apply_error, sheets=sheets,
                  conflicts=_conflicts(decision, votes), conflict_error=conflict_error,
                  resolutions=_resolutions(decision), tally=tally,
                  accepting=state in ("open", "grace"), button=ButtonForm(),
                  grace=decisions.GRACE, grace_days=decisions.GRACE.days,
                  applicable=state == "final" and decision.applied_at is None,
                  result=decisions.result_sentence(decision, tally)
                  if decision.applied_at is not None else "", **_labels())


def _scan(decision: OwnersDecision, owner_arg: str):
    """A sheet's scan, for staff only (it shows a signature)."""
    owner_id = int(owner_arg) if owner_arg.isascii() and owner_arg.isdigit() and len(owner_arg) < 10 else 0
    name = db.session.scalar(select(OwnerVote.scan_filename).where(
        OwnerVote.decision_id == decision.id, OwnerVote.owner_id == owner_id,
        OwnerVote.channel == "sheet"))
    if not name:
        abort(404)
    response = send_from_directory(scan_folder(), name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:decision_id>/sheets", methods=["GET", "POST"])
@access("staff")
def sheets(decision_id: int):
    decision = get_decision(decision_id)
    if request.method == "GET":
        # The scan of one owner's sheet is ?scan=<owner id> of this page rather than a
        # route of its own, whose URL could not answer anything for an owner without one.
        if "scan" in request.args:
            return _scan(decision, request.args["scan"])
        return _sheets_page(decision, SheetForm(formdata=None))
    form = SheetForm()
    if not form.validate():
        return _sheets_page(decision, form, 422)
    owner = _owner(form.owner.data)
    if owner is None:
        form.owner.errors = list(form.owner.errors) + [
            _("This owner is not in the register of this community.")]
        return _sheets_page(decision, form, 422)
    upload, name = form.scan.data, ""
    if upload is not None and getattr(upload, "filename", ""):
        settings = current_app.config["SETTINGS"]
        try:
            photo = process_photo(upload.read(), max_bytes=settings.max_photo_bytes,
                                  max_pixels=settings.max_photo_pixels)
        except PhotoRejected as rejected:
            form.scan.errors = list(form.scan.errors) + [rejected.message]
            return _sheets_page(decision, form, 422)
        name = store(photo, scan_folder())
    try:
        with write_transaction():
            decisions.enter_sheet(decision, owner, form.choice.data, form.sheet_ref.data,
                                  staff=_staff(), signed_on=form.signed_on.data,
                                  scan_filename=name)
    except DecisionRefused as refused:
        _discard(name)
        return _sheets_page(decision, form, 422, refused.message)
    except Exception:
        _discard(name)
        raise
    flash(_("Sheet %(ref)s of owner %(owner)s is entered: %(choice)s.",
            ref=form.sheet_ref.data.strip(), owner=owner.register_id,
            choice=CHOICE_LABELS[form.choice.data]), "success")
    return see_other(url_for("owners.sheets", decision_id=decision.id))


@bp.post("/<int:decision_id>/conflicts/<int:owner_id>")
@access("staff")
def resolve(decision_id: int, owner_id: int):
    decision = get_decision(decision_id)
    owner = _owner(owner_id) or abort(404)
    form = ResolveForm()
    choice, note = form.choice.data or "", form.note.data or ""
    listed = owner.id in decisions.conflicts(decision)
    try:
        # Only a listed conflict has a form to correct; otherwise the services say why not.
        if listed and not form.validate():
            raise DecisionRefused(" ".join(str(e) for errors in form.errors.values()
                                           for e in errors))
        with write_transaction():
            decisions.resolve_conflict(decision, owner, choice, _staff(), note)
    except DecisionRefused as refused:
        if not listed:  # no conflict form for this owner on the page: the message on top
            return _sheets_page(decision, SheetForm(formdata=None), 422, error=refused.message)
        return _sheets_page(decision, SheetForm(formdata=None), 422, conflict_error=(
            owner.id, refused.message, {"choice": choice, "note": note[:2000]}))
    flash(_("The conflict of owner %(owner)s is resolved: %(choice)s counts.",
            owner=owner.register_id, choice=CHOICE_LABELS.get(choice, choice)), "success")
    return see_other(url_for("owners.sheets", decision_id=decision.id))


@bp.post("/<int:decision_id>/apply")
@access("staff")
def apply(decision_id: int):
    decision = get_decision(decision_id)
    try:
        with write_transaction():
            decisions.apply_result(decision, _staff())
            sentence = decisions.result_sentence(decision, decisions.current_tally(decision))
    except DecisionRefused as refused:
        return _sheets_page(decision, SheetForm(formdata=None), 422,
                            apply_error=refused.message)
    flash(sentence, "success")
    return see_other(url_for("owners.sheets", decision_id=decision.id))


# --- the owners' register ----------------------------------------------------------------

def link_owner(owner: Owner, user: User, staff) -> list[str]:
    """Let `user` (a verified member) vote online for `owner`; returns the register ids
    of the other owners this account already votes for (someone who is, say, a co-owner
    of one flat and sole owner of another), so that staff can check it is meant."""
    if not db.session.scalar(select(Membership.id).where(
            Membership.user_id == user.id, Membership.community_id == owner.community_id,
            Membership.verified_at.is_not(None))):
        raise DecisionRefused(_("Only a verified member of this community can be linked."))
    others = list(db.session.scalars(select(Owner.register_id).where(
        Owner.community_id == owner.community_id, Owner.user_id == user.id,
        Owner.id != owner.id).order_by(Owner.register_id)))
    before = owner.user_id
    owner.user_id, owner.linked_by_id, owner.linked_at = user.id, staff.id, utcnow()
    db.session.flush()
    audit.record("owners.account_linked", actor=staff, community=owner.community,
                 target=owner, owner=owner.register_id, user=user.id,
                 username=user.username, before=before, also_votes_for=others)
    return others


def unlink_owner(owner: Owner, staff) -> None:
    if owner.user_id is None:
        raise DecisionRefused(_("Owner %(owner)s has no linked account.",
                                owner=owner.register_id))
    before = owner.user_id
    owner.user_id, owner.linked_by_id, owner.linked_at = None, staff.id, utcnow()
    db.session.flush()
    audit.record("owners.account_unlinked", actor=staff, community=owner.community,
                 target=owner, owner=owner.register_id, before=before)


def _register_owners() -> list[Owner]:
    return db.session.scalars(select(Owner).options(
        selectinload(Owner.units).joinedload(RegisterUnit.unit).joinedload(Unit.building),
        joinedload(Owner.user))
        .where(Owner.community_id == g.community.id).order_by(Owner.register_id)).all()


def _verified_members() -> list[Membership]:
    return db.session.scalars(
        select(Membership).join(User, Membership.user_id == User.id)
        .options(contains_eager(Membership.user), joinedload(Membership.building))
        .where(Membership.community_id == g.community.id, Membership.verified_at.is_not(None))
        .order_by(User.display_name, User.id)).all()


def _register_page(form: LinkForm, status: int = 200, error: str = ""):
    owners = _register_owners()
    members = _verified_members()
    linked = {o.user_id: o for o in owners if o.user_id}
    form.owner_id.choices = [(0, _("— choose the owner —"))] + [
        (o.id, " · ".join(filter(None, (o.register_id, o.display_name)))) for o in owners
        if o.units]
    form.user.choices = [(0, _("— choose the member —"))] + [
        (m.user_id, " · ".join(filter(None, (
            m.user.display_name, m.building.name if m.building else "", m.user.username,
            _("linked to %(owner)s", owner=linked[m.user_id].register_id)
            if m.user_id in linked else ""))))
        for m in members]
    return render("owners/register.html", status=status, form=form, error=error,
                  owners=owners, button=ButtonForm(), units_total=sum(
                      len(o.units) for o in owners), **_labels())


@bp.route("/register", methods=["GET", "POST"])
@access("staff")
def register():
    if request.method == "GET":
        return _register_page(LinkForm(formdata=None))
    form = LinkForm()
    if not form.validate():
        # The hidden action has no place of its own on the page: its message goes on top.
        return _register_page(form, 422, " ".join(map(str, form.action.errors)))
    owner = _owner(form.owner_id.data)
    if owner is None:
        form.owner_id.errors = [_("This owner is not in the register of this community.")]
        return _register_page(form, 422)
    user = db.session.get(User, form.user.data) if form.action.data == "link" else None
    others: list[str] = []
    try:
        with write_transaction():
            if form.action.data == "unlink":
                unlink_owner(owner, _staff())
            elif user is None:
                raise DecisionRefused(_("Only a verified member of this community can be "
                                        "linked."))
            else:
                others = link_owner(owner, user, _staff())
    except DecisionRefused as refused:
        return _register_page(form, 422, refused.message)
    if user is None:
        flash(_("Owner %(owner)s no longer has a linked account.", owner=owner.register_id),
              "success")
    else:
        flash(_("%(name)s can now vote online for owner %(owner)s.", name=user.display_name,
                owner=owner.register_id), "success")
        if others:
            flash(_("Note: this account also votes for %(owners)s. Unlink it there if that "
                    "is a mistake.", owners="、".join(others)), "warning")
    return see_other(url_for("owners.register"))

