"""The voter's ballot: tick ideas (with a running total under htmx), save, see it saved.

Eligibility comes from `voters_for`; what may be saved from `submit_online`, which the
server always runs, so the page works the same without JavaScript.
"""
from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from app.access import access
from app.accounts import limits
from app.database import write_transaction
from app.errors import error_page
from app.rendering import render, see_other

from .ballot_forms import ballot_panel, blocked_reason
from .ballots import BallotRefused, other_channel_message, own_choices, participation_of, \
    submit_online
from .blueprint import bp
from .eligibility import voters_for, why_not_eligible
from .round_views import ballot_sentence, get_round

# Per person (RATE_LIMIT_VOTING): generous for revising a ballot, tight for a script.
ballot_limit = limits.ballot_limit


def _pick(voters, key: str | None):
    """The voter the page is for: the one named (a household), else the first."""
    if not key:
        return voters[0]
    return next((v for v in voters if v.key == key), None)


def _voter_args(voters, voter) -> dict:
    """Name the household in links only when there is a choice of households."""
    return {"voter": voter.key} if len(voters) > 1 else {}


def _refused_page(round_):
    return render("rounds/ballot.html", status=403, round=round_, state=round_.state,
                  refusal=why_not_eligible(round_, current_user))


def _page(round_, voters, voter, panel, *, status: int = 200, error: str | None = None,
          fragment: str | None = None):
    state = round_.state
    p = participation_of(round_, voter)
    other = other_channel_message(p) if p is not None and p.channel != "online" else None
    return render("rounds/ballot.html", fragment=fragment, status=status, round=round_,
                  state=state, voters=voters, voter=voter, panel=panel, error=error,
                  other_channel=other, has_voted=p is not None and p.channel == "online",
                  ballot_sentence=ballot_sentence(round_), blocked_reason=blocked_reason,
                  voter_args=_voter_args(voters, voter))


@bp.route("/<int:round_id>/ballot", methods=["GET", "POST"])
@access("verified")
@ballot_limit
def ballot(round_id: int):
    round_ = get_round(round_id, entries=True)
    voters = voters_for(round_, current_user)
    if not voters:
        return _refused_page(round_)
    voter = _pick(voters, request.values.get("voter"))
    if voter is None:
        voter = voters[0]
        if request.method == "POST":
            # A household that is not (or no longer) theirs: save nothing.
            panel = ballot_panel(round_, request.form.getlist("entry"))
            return _page(round_, voters, voter, panel, status=422,
                         error=why_not_eligible(round_, current_user))
    if request.method == "GET":
        ticked = [e.id for e in own_choices(participation_of(round_, voter))]
        return _page(round_, voters, voter, ballot_panel(round_, ticked))
    entry_ids = request.form.getlist("entry")
    try:
        with write_transaction():
            participation = submit_online(round_, voter, entry_ids)
            revision = participation.revision
    except BallotRefused as refused:
        return _page(round_, voters, voter, ballot_panel(round_, entry_ids), status=422,
                     error=refused.message)
    return see_other(url_for("rounds.ballot_done", round_id=round_.id, saved=revision,
                             **_voter_args(voters, voter)))


@bp.get("/<int:round_id>/ballot/total")
@access("verified")
def ballot_total(round_id: int):
    """The running total as boxes are ticked: htmx gets the choices and the total;
    a browser that opens the address gets the whole ballot with those ticks."""
    round_ = get_round(round_id, entries=True)
    voters = voters_for(round_, current_user)
    if not voters:
        # The error page goes to the page's alert area, not into the list of ideas.
        return error_page(403, why_not_eligible(round_, current_user))
    voter = _pick(voters, request.args.get("voter")) or voters[0]
    panel = ballot_panel(round_, request.args.getlist("entry"),
                         changed=request.args.get("changed"), live=True)
    return _page(round_, voters, voter, panel, fragment="rounds/_ballot_update.html")


@bp.get("/<int:round_id>/ballot/done")
@access("verified")
def ballot_done(round_id: int):
    round_ = get_round(round_id)
    voters = voters_for(round_, current_user)
    if not voters:
        return _refused_page(round_)
    voter = _pick(voters, request.args.get("voter")) or voters[0]
    p = participation_of(round_, voter)
    choices = own_choices(p)
    saved = request.args.get("saved", type=int)
    other = other_channel_message(p) if p is not None and p.channel != "online" else None
    return render("rounds/ballot_done.html", round=round_, state=round_.state, voter=voter,
                  voters=voters, participation=p, choices=choices, other_channel=other,
                  total=sum(e.cost_fen for e in choices), saved=saved,
                  voter_args=_voter_args(voters, voter))
