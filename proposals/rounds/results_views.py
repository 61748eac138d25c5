"""A round's results page, its counting progress, its CSV, and adopting the result.

Before voting closes the page says when results will be shown (staff also see how many
took part so far, never what anyone chose). After it closes: turnout, votes per idea as
an SVG chart, the winners under the round's rule beside the other rule's, and how each
rule works. Counting big rounds happens in the background (`tallies`).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, g, make_response, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import permissions
from app.access import access
from app.database import write_transaction
from app.errors import error_page
from app.extensions import db
from app.forms import ButtonForm
from app.rendering import render, see_other
from app.timeutil import utcnow

from ..stages import STAGE_LABELS
from . import export, tallies
from .blueprint import bp
from .chart import Bar, votes_chart
from .models import CHANNELS, RULE_NAMES, Participation, Round, RoundEntry
from .results import ballots_counted, vote_totals
from .services import RoundRefused, adopt as adopt_result, pending_paper

RULE_LABELS = {
    "greedy": _l("Most votes first (greedy)"),
    "equal-shares": _l("Method of Equal Shares"),
}
PROGRESS_LABELS = {
    "queued": _l("Waiting to start"),
    "reading": _l("Reading the ballots"),
    "counting": _l("Counting"),
    "failed": _l("The count failed"),
}
COUNTED_STATES = ("closed", "adopted")


def get_round(round_id: int, *, with_ideas: bool = False) -> Round:
    options = [selectinload(Round.entries).selectinload(RoundEntry.idea)] if with_ideas else []
    round_ = db.session.get(Round, round_id, options=options, populate_existing=with_ideas)
    # Rounds of another community are not reachable through this one's URLs.
    if round_ is None or round_.community_id != g.community.id:
        abort(404)
    return round_


def turnout(round_: Round) -> dict[str, int]:
    """Participations per channel: how many took part, never how they voted."""
    counts = dict.fromkeys(CHANNELS, 0)
    counts.update(db.session.execute(
        select(Participation.channel, func.count()).where(Participation.round_id == round_.id)
        .group_by(Participation.channel)).tuples().all())
    return counts


@dataclass
class RuleOutcome:
    rule: str
    label: str
    used: bool  # the rule this round decides by
    winners: list[tallies.IdeaLine]  # in the order funded
    spent: int
    left: int
    threshold: int | None


def _rule_outcomes(round_: Round, lines, results) -> list[RuleOutcome]:
    by_pid = {line.entry.project_id: line for line in lines}
    order = sorted(RULE_NAMES, key=lambda rule: rule != round_.rule)
    outcomes = []
    for rule in order:
        winners = [by_pid[pid] for pid in results[rule].selected if pid in by_pid]
        spent = sum(line.entry.cost_fen for line in winners)
        outcomes.append(RuleOutcome(rule, RULE_LABELS[rule], rule == round_.rule, winners,
                                    spent, round_.budget_fen - spent,
                                    round_.threshold if rule == "greedy" else None))
    return outcomes


def elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    if minutes:
        return _("%(m)d min %(s)d s", m=minutes, s=secs)
    return _("%(s)d s", s=secs)


def _progress_context(round_: Round, running) -> dict:
    now = utcnow()
    return dict(round=round_, running=running, progress_labels=PROGRESS_LABELS,
                rule_labels=RULE_LABELS, staff=permissions.is_staff(current_user, g.community),
                elapsed={t.id: elapsed((now - t.started_at).total_seconds())
                         for t in running if t.started_at is not None})


def _counted(round_: Round, results) -> int:
    known = [r.ballots_counted for r in results.values() if r is not None]
    return known[0] if known else ballots_counted(round_)


def page_context(round_id: int, adopt_error: str | None = None) -> dict:
    round_ = get_round(round_id)
    state = round_.state
    staff = permissions.is_staff(current_user, g.community)
    ctx = dict(round=round_, state=state, staff=staff, adopt_error=adopt_error,
               rule_labels=RULE_LABELS, stage_labels=STAGE_LABELS, turnout=None,
               pending_paper=0)
    if staff:
        ctx.update(turnout=turnout(round_), pending_paper=pending_paper(round_))
    if state not in COUNTED_STATES:
        return ctx
    # Counting may queue a background count and commit: load the ideas afterwards.
    results = tallies.both(round_)
    known = None not in results.values()
    running = [] if known else tallies.still_counting(round_)
    round_ = get_round(round_id, with_ideas=True)
    lines = tallies.idea_lines(round_, vote_totals(round_), results)
    if round_.adopted:
        winning = {line.entry.project_id for line in lines if line.entry.won}
    elif results[round_.rule] is not None:
        winning = set(results[round_.rule].selected)
    else:
        winning = set()
    note = _("adopted") if round_.adopted else _("funded by the rule of this round")
    chart = votes_chart([Bar(line.entry.idea.title, line.votes, line.entry.cost_fen,
                             line.entry.project_id in winning) for line in lines],
                        title=_("Votes per idea in %(round)s", round=round_.title),
                        winner_note=note)
    ctx.update(
        round=round_, lines=lines, chart=chart, counted=_counted(round_, results),
        turnout=ctx["turnout"] or turnout(round_), known=known,
        outcomes=_rule_outcomes(round_, lines, results) if known else [],
        adopted_lines=[line for line in lines if line.entry.won],
        adopt_form=ButtonForm() if staff and state == "closed" and known else None)
    if not known:
        ctx.update(_progress_context(round_, running))
    return ctx


@bp.get("/<int:round_id>/results")
@access("public")
def results(round_id: int):
    return render("rounds/results.html", **page_context(round_id))


@bp.get("/<int:round_id>/results/progress")
@access("public")
def results_progress(round_id: int):
    """Polled by htmx while a big round is counted; asks for a reload once it is done."""
    round_ = get_round(round_id)
    if round_.state not in COUNTED_STATES:
        abort(404)
    running = tallies.still_counting(round_)
    response = render("rounds/_tally_progress.html", **_progress_context(round_, running))
    if not running:
        response.headers["HX-Refresh"] = "true"
    return response


@bp.get("/<int:round_id>/results.csv")
@access("public")
def results_csv(round_id: int):
    round_ = get_round(round_id)
    if round_.state not in COUNTED_STATES:
        abort(404)  # nothing is published before voting closes
    results_ = tallies.both(round_)
    if None in results_.values():
        response = error_page(503, _("The ballots are still being counted. "
                                     "Please try again in a minute."))
        response.headers["Retry-After"] = "30"
        return response
    round_ = get_round(round_id, with_ideas=True)
    lines = tallies.idea_lines(round_, vote_totals(round_), results_)
    response = make_response(export.results_csv(lines, adopted=round_.adopted))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export.filename(round_)}"')
    return response


@bp.post("/<int:round_id>/adopt")
@access("staff")
def adopt(round_id: int):
    get_round(round_id)  # 404 before anything else for another community's round
    try:
        with write_transaction():
            round_ = get_round(round_id)
            staff = db.session.merge(current_user._get_current_object())
            # Count again here, in the transaction: posted winners are never trusted.
            selected = tallies.count_for_adoption(round_) if round_.state == "closed" else []
            adopt_result(round_, staff, selected)
    except RoundRefused as refused:
        return render("rounds/results.html", status=422,
                      **page_context(round_id, adopt_error=refused.message))
    flash(_("The result is adopted. The winning ideas are now in public notice."), "success")
    return see_other(url_for("rounds.results", round_id=round_id))
