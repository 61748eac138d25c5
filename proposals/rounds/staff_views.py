"""Staff pages of a budget round: its settings, the ideas on its ballot, paper ballots typed
in by staff (代录入) with a second member of staff's check, and a printable paper ballot."""
from __future__ import annotations

from flask import abort, current_app, flash, g, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.access import access
from app.accounts.models import Membership, User
from app.community import Building, Unit
from app.database import write_transaction
from app.extensions import db
from app.forms import ButtonForm
from app.rendering import render, see_other
from proposals.models import Costing, Idea

from . import ballots, services, setup
from .blueprint import bp
from .eligibility import paper_voter_for_unit, paper_voter_for_user, units_in_scope
from .models import Participation, Round, RoundEntry
from .round_views import STATE_LABELS, get_round
from .staff_forms import (BALLOT_LABELS, RULE_LABELS, UNIT_LABELS, AddIdeaForm, PaperForm,
                          RoundForm, VoterFilterForm, form_for_state)


# The links between a round's pages, for staff; pages another part has not registered yet
# are left out rather than breaking these.
STAFF_NAV = (("rounds.round_page", _l("Round page")), ("rounds.edit_round", _l("Settings")),
             ("rounds.round_ideas", _l("Ideas on the ballot")),
             ("rounds.paper", _l("Paper ballots")),
             ("rounds.print_ballot", _l("Printable ballot")), ("rounds.results", _l("Results")))


def _staff():
    return current_user._get_current_object()


def _labels() -> dict:
    nav = [(e, label) for e, label in STAFF_NAV if e in current_app.view_functions]
    return dict(state_labels=STATE_LABELS, unit_labels=UNIT_LABELS,
                ballot_labels=BALLOT_LABELS, rule_labels=RULE_LABELS, staff_nav=nav)


# --- settings ----------------------------------------------------------------------------

def _form_page(form, round_: Round | None, status: int = 200, error: str = ""):
    return render("rounds/round_form.html", status=status, form=form, round=round_,
                  state=round_.state if round_ else "new", error=error,
                  full=isinstance(form, RoundForm), **_labels())


def _field_error(form, refused: setup.RoundRefused) -> str:
    """Put a refusal next to its field when the form has that field; else return it."""
    field = getattr(refused, "field", None)
    if field and field in form:
        form[field].errors = list(form[field].errors) + [refused.message]
        return ""
    return refused.message


@bp.route("/new", methods=["GET", "POST"])
@access("staff")
def new_round():
    form = RoundForm()
    form.set_buildings(g.community)
    if not form.is_submitted():
        form.opens_at.data, form.closes_at.data = setup.default_times()
        return _form_page(form, None)
    if not form.validate():
        return _form_page(form, None, 422)
    try:
        with write_transaction():
            round_ = setup.create_round(g.community, _staff(), form.values(g.community))
    except setup.RoundRefused as refused:
        return _form_page(form, None, 422, _field_error(form, refused))
    flash(_("The round is set up. Now put planned ideas on its ballot."), "success")
    return see_other(url_for("rounds.round_ideas", round_id=round_.id))


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@access("staff")
def edit_round(round_id: int):
    round_ = get_round(round_id)
    form_class = form_for_state(round_.state)
    if form_class is None:  # adopted: the settings are shown, nothing may change
        return _form_page(None, round_, 200 if request.method == "GET" else 422)
    form = form_class() if request.method == "POST" else form_class(formdata=None)
    if isinstance(form, RoundForm):
        form.set_buildings(g.community)
    if request.method == "GET":
        form.fill(round_)
        return _form_page(form, round_)
    if not form.validate():
        return _form_page(form, round_, 422)
    if any(name not in form for name in request.form):
        # The form was loaded in an earlier state: say so rather than drop changes quietly.
        return _form_page(form, round_, 422, _(
            "Voting opened while you were editing: only the title, the description and "
            "the closing time can change now. Check them and save again.")
            if round_.state == "open" else _(
            "Voting closed while you were editing: only the title and the description can "
            "change now. Check them and save again."))
    try:
        with write_transaction():
            changed = setup.update_round(round_, _staff(), form.values(g.community))
    except setup.RoundRefused as refused:
        return _form_page(form, round_, 422, _field_error(form, refused))
    flash(_("The round's settings are saved.") if changed else _("Nothing was changed."),
          "success")
    return see_other(url_for("rounds.edit_round", round_id=round_.id))


# --- ideas on the ballot -----------------------------------------------------------------

def _planned_ideas() -> list[tuple[Idea, int | None]]:
    ideas = db.session.scalars(select(Idea).options(
        selectinload(Idea.costing).selectinload(Costing.sources))
        .where(Idea.community_id == g.community.id, Idea.stage == "planned")
        .order_by(Idea.created_at, Idea.id)).all()
    return [(idea, services.round_cost(idea)) for idea in ideas]


def _ideas_page(round_: Round, status: int = 200, error: str = ""):
    round_ = get_round(round_.id, entries=True)
    upcoming = round_.state == "upcoming"
    total = sum(e.cost_fen for e in round_.entries)
    return render("rounds/round_ideas.html", status=status, round=round_, error=error,
                  upcoming=upcoming, total=total, planned=_planned_ideas() if upcoming else [],
                  button=ButtonForm(), **_labels())


@bp.route("/<int:round_id>/ideas", methods=["GET", "POST"])
@access("staff")
def round_ideas(round_id: int):
    round_ = get_round(round_id)
    if request.method == "GET":
        return _ideas_page(round_)
    form = AddIdeaForm()
    if not form.validate():
        return _ideas_page(round_, 422, _("Choose an idea to put on the ballot."))
    idea = db.session.get(Idea, form.idea_id.data)
    if idea is None or idea.community_id != g.community.id:
        return _ideas_page(round_, 422, _("That idea is not one of this community's."))
    try:
        with write_transaction():
            services.add_idea(round_, idea, _staff())
    except services.RoundRefused as refused:
        return _ideas_page(round_, 422, refused.message)
    flash(_("“%(title)s” is on the ballot.", title=idea.title), "success")
    return see_other(url_for("rounds.round_ideas", round_id=round_.id))


@bp.post("/<int:round_id>/ideas/<int:entry_id>/remove")
@access("staff")
def remove_idea(round_id: int, entry_id: int):
    round_ = get_round(round_id)
    entry = db.session.get(RoundEntry, entry_id)
    if entry is None or entry.round_id != round_.id:
        abort(404)
    title = entry.idea.title
    try:
        with write_transaction():
            services.remove_idea(round_, entry, _staff())
    except services.RoundRefused as refused:
        return _ideas_page(round_, 422, refused.message)
    flash(_("“%(title)s” is off the ballot and planned again.", title=title), "success")
    return see_other(url_for("rounds.round_ideas", round_id=round_.id))


# --- paper ballots (代录入) -----------------------------------------------------------------

def paper_voters(round_: Round, q: str = "") -> list[tuple[int, str]]:
    """Whom a paper ballot can be entered for: verified residents in scope sorted by name
    (per person), or the flats in scope (per household); narrowed by `q` when given."""
    if round_.unit == "household":
        units = db.session.scalars(units_in_scope(round_).options(
            contains_eager(Unit.building)).order_by(Building.name, Unit.number)).all()
        items = [(u.id, u.label) for u in units]
    else:
        query = (select(Membership).join(User, Membership.user_id == User.id)
                 .options(contains_eager(Membership.user), joinedload(Membership.building))
                 .where(Membership.community_id == round_.community_id,
                        Membership.verified_at.is_not(None)))
        scope = [b.id for b in round_.buildings]
        if scope:
            query = query.where(Membership.building_id.in_(scope))
        members = db.session.scalars(query.order_by(User.display_name, User.id)).all()
        items = [(m.user_id, " · ".join(filter(None, (
            m.user.display_name, m.building.name if m.building else "",
            m.user.username)))) for m in members]
    needle = q.strip().casefold()
    return [item for item in items if needle in item[1].casefold()] if needle else items


def _paper_voter(round_: Round, voter_id: int):
    if round_.unit == "household":
        return paper_voter_for_unit(round_, db.session.get(Unit, voter_id))
    user = db.session.get(User, voter_id)
    return paper_voter_for_user(round_, user) if user is not None else None


def _paper_entries(round_: Round) -> list[Participation]:
    return db.session.scalars(select(Participation).options(
        joinedload(Participation.user), joinedload(Participation.unit).joinedload(Unit.building),
        joinedload(Participation.entered_by), joinedload(Participation.confirmed_by))
        .where(Participation.round_id == round_.id, Participation.channel == "paper")
        .order_by(Participation.created_at.desc(), Participation.id.desc())).all()


def _paper_page(round_: Round, form: PaperForm, status: int = 200, error: str = "",
                q: str = ""):
    round_ = get_round(round_.id, entries=True)
    entries = _paper_entries(round_)
    form.voter.choices = [("", _("— choose —"))] + paper_voters(round_, q)
    # The choices of a pending entry, so the second member of staff can compare them with
    # the paper; only on this staff page, and only until it is confirmed.
    pending = {p.id: ballots.own_choices(p) for p in entries if p.pending}
    return render("rounds/paper.html", fragment="rounds/_paper_voter.html", status=status,
                  round=round_, form=form, error=error, entries=entries, pending=pending,
                  filter_form=VoterFilterForm(formdata=None, q=q), q=q,
                  accepting=round_.state in ("open", "closed"), button=ButtonForm(),
                  me=current_user.id, waiting=sum(1 for p in entries if p.pending),
                  checked=set(form.entry_ids.data or ()), limit=ballots.limit_fen(round_),
                  **_labels())


@bp.route("/<int:round_id>/paper", methods=["GET", "POST"])
@access("staff")
def paper(round_id: int):
    round_ = get_round(round_id)
    if request.method == "GET":
        q = (VoterFilterForm(request.args).q.data or "")[:60]
        return _paper_page(round_, PaperForm(formdata=None), q=q)
    form = PaperForm()
    if not form.validate():
        return _paper_page(round_, form, 422)
    voter = _paper_voter(round_, form.voter.data)
    if voter is None:
        form.voter.errors = list(form.voter.errors) + [
            _("This resident or flat cannot vote in this round.")]
        return _paper_page(round_, form, 422)
    try:
        with write_transaction():
            ballots.enter_paper(round_, _staff(), voter, form.entry_ids.data,
                                form.paper_ref.data)
    except ballots.BallotRefused as refused:
        return _paper_page(round_, form, 422, refused.message)
    message = _("Paper ballot %(ref)s for %(who)s is entered.",
                ref=form.paper_ref.data.strip(), who=voter.label)
    if round_.paper_needs_confirmation:
        message += " " + _("It counts once another member of staff confirms it.")
    flash(message, "success")
    return see_other(url_for("rounds.paper", round_id=round_.id))


@bp.post("/<int:round_id>/paper/<int:participation_id>/confirm")
@access("staff")
def confirm_paper(round_id: int, participation_id: int):
    round_ = get_round(round_id)
    p = db.session.get(Participation, participation_id)
    if p is None or p.round_id != round_.id or p.channel != "paper":
        abort(404)
    ref = p.paper_ref
    try:
        with write_transaction():
            ballots.confirm_paper(round_, _staff(), p)
    except ballots.BallotRefused as refused:
        return _paper_page(round_, PaperForm(formdata=None), 422, refused.message)
    flash(_("Paper ballot %(ref)s is confirmed and counts.", ref=ref), "success")
    return see_other(url_for("rounds.paper", round_id=round_.id))


# --- the printable paper ballot ----------------------------------------------------------

@bp.get("/<int:round_id>/print")
@access("staff")
def print_ballot(round_id: int):
    round_ = get_round(round_id, entries=True)
    return render("rounds/print_ballot.html", round=round_, limit=ballots.limit_fen(round_),
                  **_labels())
