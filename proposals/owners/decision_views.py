"""What owners and neighbours see of owners' decisions (业主表决): the list, a decision's
page with the live tally, the tally fragment (polled by the page and the projector),
the projector view, the online vote, and the staff's CSV export.

Every page counts with `decisions.current_tally` (a fixed handful of queries, however
many owners there are); whether a line is met comes from the Tally, never from the
percentages shown beside it.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict

from flask import abort, current_app, flash, g, make_response, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import HiddenField, StringField

from app import permissions
from app.access import access
from app.community import Building, Unit
from app.database import write_transaction
from app.extensions import db
from app.forms import Form
from app.rendering import render, see_other
from app.timeutil import utcnow
from proposals.rounds.export import as_text

from . import meters as words
from . import rule
from .blueprint import bp
from .decisions import GRACE, LOCAL, DecisionRefused, cast_online, current_tally, \
    format_area, state as state_of
from .models import ConflictResolution, DecisionUnit, Owner, OwnersDecision, OwnerVote

POLLING_STATES = ("open", "grace")  # the count can still move: sheets come in in grace


class VoteForm(Form):
    # The three choices are submit buttons named `choice`; cast_online checks the value.
    choice = StringField()
    owner = HiddenField()  # which owner, only when one account votes for several


def get_decision(decision_id: int, *, full: bool = False) -> OwnersDecision:
    """This community's decision, or 404: another community's is not reachable here."""
    options = [selectinload(OwnersDecision.buildings),
               joinedload(OwnersDecision.idea)] if full else []
    decision = db.session.get(OwnersDecision, decision_id, options=options)
    if decision is None or decision.community_id != g.community.id:
        abort(404)
    return decision


def tally_context(decision: OwnersDecision) -> dict:
    state = state_of(decision)
    t = current_tally(decision)
    return dict(decision=decision, state=state, tally=t,
                meters=words.meters(t, decision.matter),
                result_line=words.result_line(t, state), poll=state in POLLING_STATES)


def describe(decision: OwnersDecision) -> dict:
    """The decision in words, for the list, the page and the projector."""
    return dict(matter_label=words.matter_label(decision.matter),
                line_words=words.line_words(decision.matter), quorum_line=words.QUORUM_LINE,
                state_labels=words.STATE_LABELS, grace_ends=decision.closes_at + GRACE)


# --- who may vote -----------------------------------------------------------------------

def linked_owners(decision: OwnersDecision, user) -> list[Owner]:
    """The register lines this account votes for in this decision's snapshot."""
    if not getattr(user, "is_authenticated", False):
        return []
    in_scope = select(DecisionUnit.owner_id).where(DecisionUnit.decision_id == decision.id)
    return list(db.session.scalars(
        select(Owner).where(Owner.community_id == decision.community_id,
                            Owner.user_id == user.id, Owner.id.in_(in_scope))
        .order_by(Owner.register_id)))


def why_not(decision: OwnersDecision, user) -> str:
    """Why this signed-in person has no online vote here, in words they can act on."""
    if not permissions.is_verified_resident(user, g.community):
        return _("Only verified residents who are owners in the register can vote online. "
                 "Ask the neighbourhood committee to verify your account.")
    linked = db.session.scalar(select(Owner.id).where(
        Owner.community_id == decision.community_id, Owner.user_id == user.id).limit(1))
    if linked is None:
        return _("Your account is not linked to an owner in the owners' register, so you "
                 "cannot vote online. If you own a flat here, ask the neighbourhood "
                 "committee (staff) to link your account, or sign the paper sheet when it "
                 "comes to your door.")
    return _("You are not an owner in this decision's scope (the register as it was when "
             "the decision was made), so you cannot vote on it.")


def voter_status(decision: OwnersDecision, user) -> dict:
    """Per owner this account votes for: units, area, online and sheet vote, conflict."""
    if not getattr(user, "is_authenticated", False):
        return dict(rows=[], reason="")
    owners = linked_owners(decision, user)
    if not owners:
        return dict(rows=[], reason=why_not(decision, user))
    ids = [o.id for o in owners]
    units = defaultdict(list)
    for owner_id, area, building, number in db.session.execute(
            select(DecisionUnit.owner_id, DecisionUnit.area_centi, Building.name, Unit.number)
            .join(Unit, Unit.id == DecisionUnit.unit_id)
            .join(Building, Building.id == Unit.building_id)
            .where(DecisionUnit.decision_id == decision.id, DecisionUnit.owner_id.in_(ids))
            .order_by(Building.name, Unit.number)):
        units[owner_id].append((f"{building} {number}", area))
    votes = {(v.owner_id, v.channel): v for v in db.session.scalars(
        select(OwnerVote).where(OwnerVote.decision_id == decision.id,
                                OwnerVote.owner_id.in_(ids)))}
    resolved = dict(db.session.execute(
        select(ConflictResolution.owner_id, ConflictResolution.choice)
        .where(ConflictResolution.decision_id == decision.id,
               ConflictResolution.owner_id.in_(ids))).all())
    rows = []
    for owner in owners:
        online, sheet = votes.get((owner.id, "online")), votes.get((owner.id, "sheet"))
        differ = online is not None and sheet is not None and online.choice != sheet.choice
        rows.append(dict(owner=owner, units=[label for label, _a in units[owner.id]],
                         area=format_area(sum(a for _l, a in units[owner.id])),
                         online=online, sheet=sheet, resolved=resolved.get(owner.id),
                         conflict=differ and owner.id not in resolved))
    return dict(rows=rows, reason="")


# --- pages ------------------------------------------------------------------------------

def staff_links(decision: OwnersDecision) -> list[tuple[str, str]]:
    # The sheet and register pages live in staff_views; a link shows once its view exists.
    wanted = [("owners.sheets", _l("Enter signature sheets and resolve conflicts"),
               dict(decision_id=decision.id)),
              ("owners.export", _l("Export the tally (CSV)"), dict(decision_id=decision.id)),
              ("owners.projector", _l("Projector view"), dict(decision_id=decision.id)),
              ("owners.register", _l("The owners' register"), {})]
    return [(str(label), url_for(endpoint, **values)) for endpoint, label, values in wanted
            if endpoint in current_app.view_functions]


def _decision_page(decision_id: int, *, status: int = 200, vote_error: str = ""):
    decision = get_decision(decision_id, full=True)
    is_staff = permissions.is_staff(current_user, g.community)
    return render("owners/decision.html", status=status, **tally_context(decision),
                  **describe(decision), me=voter_status(decision, current_user),
                  vote_error=vote_error, choice_labels=words.CHOICE_LABELS,
                  choices=rule.CHOICES, is_staff=is_staff,
                  staff_links=staff_links(decision) if is_staff else [])


@bp.get("/")
@access("public")
def index():
    found = db.session.scalars(
        select(OwnersDecision).options(selectinload(OwnersDecision.buildings))
        .where(OwnersDecision.community_id == g.community.id)
        .order_by(OwnersDecision.closes_at.desc(), OwnersDecision.id.desc())).all()
    now = utcnow()
    groups: dict[str, list] = {state: [] for state in words.STATE_ORDER}
    for decision in found:
        groups[state_of(decision, now)].append(decision)
    groups["open"].sort(key=lambda d: d.closes_at)  # closing soonest first
    groups["upcoming"].sort(key=lambda d: d.opens_at)
    return render("owners/index.html", groups=groups, state_labels=words.STATE_LABELS,
                  matter_label=words.matter_label, line_words=words.line_words,
                  result_labels=words.RESULT_LABELS,
                  is_staff=permissions.is_staff(current_user, g.community))


@bp.get("/<int:decision_id>")
@access("public")
def decision(decision_id: int):
    return _decision_page(decision_id)


@bp.get("/<int:decision_id>/tally")
@access("public")
def tally(decision_id: int):
    """The live tally alone: what the page and the projector poll every 3 seconds."""
    return render("owners/_tally.html", **tally_context(get_decision(decision_id)))


@bp.get("/<int:decision_id>/projector")
@access("public")
def projector(decision_id: int):
    decision = get_decision(decision_id, full=True)
    return render("owners/projector.html", **tally_context(decision), **describe(decision))


@bp.post("/<int:decision_id>/vote")
@access("verified")
def vote(decision_id: int):
    decision = get_decision(decision_id)
    form = VoteForm()
    if not form.validate():
        return _decision_page(decision_id, status=422,
                              vote_error=_("The form has expired: please try again."))
    owners = linked_owners(decision, current_user)
    wanted = (form.owner.data or "").strip()
    owner = next((o for o in owners if str(o.id) == wanted), None) if wanted \
        else (owners[0] if len(owners) == 1 else None)
    if owner is None:
        reason = why_not(decision, current_user) if not owners \
            else _("Choose which owner you are voting for.")
        return _decision_page(decision_id, status=422, vote_error=reason)
    choice = (form.choice.data or "").strip()
    try:
        with write_transaction():
            cast_online(get_decision(decision_id), db.session.get(Owner, owner.id),
                        current_user, choice)
    except DecisionRefused as refused:
        return _decision_page(decision_id, status=422, vote_error=refused.message)
    flash(_("Your vote is saved: %(choice)s. You may change it until the close.",
            choice=words.CHOICE_LABELS[choice]), "success")
    return see_other(url_for("owners.decision", decision_id=decision_id))


# --- export -----------------------------------------------------------------------------

def _label(choice: str | None) -> str:
    return str(words.CHOICE_LABELS[choice]) if choice else ""


def _how_counted(online, sheet, resolved) -> tuple[str, str]:
    """The counted choice and why, as decisions._choices decides it for the tally."""
    if online is None and sheet is None:
        return "", _("did not vote")
    if resolved is not None:
        return _label(resolved), _("resolved by staff")
    if online is not None and sheet is not None:
        if online.choice == sheet.choice:
            return _label(online.choice), _("online and sheet agree")
        return _("conflict"), _("unresolved: counts as taking part, not as agreeing")
    return (_label(online.choice), _("online")) if online is not None \
        else (_label(sheet.choice), _("sheet"))


def export_csv(decision: OwnersDecision) -> bytes:
    """One row per owner of the snapshot, then the tally: UTF-8 with a BOM for Excel."""
    owners: dict[int, dict] = {}
    for owner, area, building, number in db.session.execute(
            select(Owner, DecisionUnit.area_centi, Building.name, Unit.number)
            .join(DecisionUnit, DecisionUnit.owner_id == Owner.id)
            .join(Unit, Unit.id == DecisionUnit.unit_id)
            .join(Building, Building.id == Unit.building_id)
            .where(DecisionUnit.decision_id == decision.id)
            .order_by(Owner.register_id, Building.name, Unit.number)):
        row = owners.setdefault(owner.id, dict(owner=owner, units=[], area=0))
        row["units"].append(f"{building} {number}")
        row["area"] += area
    votes = {(v.owner_id, v.channel): v for v in db.session.scalars(
        select(OwnerVote).where(OwnerVote.decision_id == decision.id))}
    resolved = dict(db.session.execute(
        select(ConflictResolution.owner_id, ConflictResolution.choice)
        .where(ConflictResolution.decision_id == decision.id)).all())

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Owner register id"), _("Name"), _("Units"), _("Area (m²)"),
                     _("Online choice"), _("Sheet choice"), _("Sheet reference"),
                     _("Sheet date"), _("Counted choice"), _("How it is counted")])
    for owner_id, row in owners.items():
        owner = row["owner"]
        online, sheet = votes.get((owner_id, "online")), votes.get((owner_id, "sheet"))
        signed = sheet.sheet_signed_on.astimezone(LOCAL).date().isoformat() \
            if sheet is not None and sheet.sheet_signed_on is not None else ""
        writer.writerow([as_text(owner.register_id), as_text(owner.display_name),
                         as_text("、".join(row["units"])), format_area(row["area"]),
                         _label(getattr(online, "choice", None)),
                         _label(getattr(sheet, "choice", None)),
                         as_text(sheet.sheet_ref) if sheet is not None else "", signed,
                         *_how_counted(online, sheet, resolved.get(owner_id))])

    t, state = current_tally(decision), state_of(decision)
    yes, no = _("yes"), _("no")
    writer.writerow([])
    for name, value in [
            (_("Decision"), as_text(decision.title)),
            (_("Matter"), words.matter_label(decision.matter)),
            (_("Line"), rule.threshold_label(decision.matter)),
            (_("State"), str(words.STATE_LABELS[state])),
            (_("Owners in scope"), t.owners_total),
            (_("Area in scope (m²)"), format_area(t.area_total)),
            (_("Owners taking part"), t.owners_participating),
            (_("Area taking part (m²)"), format_area(t.area_participating)),
            (_("Owners agreeing"), t.owners_agree),
            (_("Area agreeing (m²)"), format_area(t.area_agree)),
            (_("Unresolved conflicts"), t.conflicts),
            (_("Quorum"), yes if t.quorum else no),
            (_("Agreement by area"), yes if t.agree_area else no),
            (_("Agreement by owners"), yes if t.agree_heads else no),
            (_("Result"), words.result_line(t, state)),
            (_("Exported at"), utcnow().astimezone(LOCAL).strftime("%Y-%m-%d %H:%M"))]:
        writer.writerow([name, value])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@bp.get("/<int:decision_id>/export.csv")
@access("staff")
def export(decision_id: int):
    decision = get_decision(decision_id)
    response = make_response(export_csv(decision))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="owners-decision-{int(decision.id)}.csv"')
    return response
