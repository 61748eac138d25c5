"""What everyone sees of budget rounds: the list, a round's page, and a notice on the
page of an idea that is on a ballot."""
from __future__ import annotations

from flask import abort, g, render_template
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app import permissions
from app.access import access
from app.extensions import db
from app.rendering import render
from app.templating import yuan as format_yuan
from proposals.views import IDEA_SECTIONS

from .ballots import limit_fen
from .blueprint import bp
from .eligibility import voters_for, why_not_eligible
from .models import Participation, Round, RoundEntry

STATE_LABELS = {
    "open": _l("Voting open"),
    "upcoming": _l("Not open yet"),
    "closed": _l("Voting closed: the result is being checked"),
    "adopted": _l("Result adopted"),
}
STATE_ORDER = ("open", "upcoming", "closed", "adopted")  # how the list is grouped
RULE_LABELS = {
    "greedy": _l("Most votes first (greedy)"),
    "equal-shares": _l("Method of Equal Shares"),
}
RULE_EXPLANATIONS = {
    "greedy": _l("The ideas with the most votes are funded first; an idea that no longer "
                 "fits in what is left of the budget is skipped."),
    "equal-shares": _l("Every voter holds an equal share of the budget; an idea is funded "
                       "when the shares of the people who voted for it can pay for it."),
}


def get_round(round_id: int, *, entries: bool = False, entry_options=()) -> Round:
    """This community's round, or 404: another community's round is not reachable here.
    With `entries`, its ballot lines and their ideas (and `entry_options`) are read in a
    fixed few queries, even when the round was read before in the request (a plain get
    would return that copy and ignore the options: a query per line)."""
    options = [selectinload(Round.entries).options(joinedload(RoundEntry.idea),
                                                   *entry_options)] if entries else []
    round_ = db.session.get(Round, round_id, options=options, populate_existing=entries)
    if round_ is None or round_.community_id != g.community.id:
        abort(404)
    return round_


def ballot_sentence(round_: Round) -> str:
    """The kind of ballot in one plain sentence."""
    if round_.ballot_kind == "knapsack":
        text = _("Tick any ideas you like, as long as their costs add up to no more "
                 "than ¥%(limit)s.", limit=format_yuan(limit_fen(round_)))
    elif round_.max_choices:
        text = ngettext("Tick up to %(num)d idea you support.", "Tick up to %(num)d ideas you support.", round_.max_choices)
    else:
        text = _("Tick every idea you support.")
    if round_.min_choices and round_.min_choices > 1:
        text += " " + _("Choose at least %(n)d.", n=round_.min_choices)
    return text


def who_votes(round_: Round) -> str:
    if round_.unit == "household":
        return _("One ballot per household (flat), cast by a verified owner.")
    return _("One ballot per verified resident.")


def voter_status(round_: Round, user) -> dict:
    """What the signed-in person may do on this round's page."""
    if not getattr(user, "is_authenticated", False):
        return dict(voters=[], rows=[], can_vote=False, voted=False, reason="")
    voters = voters_for(round_, user)
    if not voters:
        reason = why_not_eligible(round_, user) if permissions.is_member(user, round_.community) \
            else ""
        return dict(voters=[], rows=[], can_vote=False, voted=False, reason=reason)
    found = {p.voter_key: p for p in db.session.scalars(select(Participation).where(
        Participation.round_id == round_.id,
        Participation.voter_key.in_([v.key for v in voters])))}
    rows = [(v, found.get(v.key)) for v in voters]
    online = [(v, p) for v, p in rows if p is None or p.channel == "online"]
    return dict(voters=voters, rows=rows, can_vote=bool(online),
                voted=any(p is not None for _v, p in online), reason="")


@bp.get("/")
@access("public")
def index():
    entry_count = (select(func.count(RoundEntry.id)).where(RoundEntry.round_id == Round.id)
                   .scalar_subquery())
    rows = db.session.execute(select(Round, entry_count)
                              .where(Round.community_id == g.community.id)
                              .order_by(Round.opens_at.desc(), Round.id.desc())).all()
    groups: dict[str, list] = {state: [] for state in STATE_ORDER}
    for round_, count in rows:
        groups[round_.state].append((round_, count))
    # Soonest first where a date is ahead; most recent first for the past.
    groups["open"].sort(key=lambda row: row[0].closes_at)
    groups["upcoming"].sort(key=lambda row: row[0].opens_at)
    return render("rounds/index.html", groups=groups, state_labels=STATE_LABELS,
                  is_staff=permissions.is_staff(current_user, g.community))


@bp.get("/<int:round_id>")
@access("public")
def round_page(round_id: int):
    round_ = get_round(round_id, entries=True)
    return render("rounds/round.html", round=round_, state=round_.state,
                  state_labels=STATE_LABELS, rule_label=RULE_LABELS.get(round_.rule, round_.rule),
                  rule_explanation=RULE_EXPLANATIONS.get(round_.rule, ""),
                  ballot_sentence=ballot_sentence(round_), who_votes=who_votes(round_),
                  limit=limit_fen(round_), me=voter_status(round_, current_user),
                  is_staff=permissions.is_staff(current_user, g.community))


def ballot_notice(idea) -> Markup:
    """On the page of an idea that is on a ballot: which round, and until when."""
    if idea.stage != "in_round":
        return Markup("")
    round_ = db.session.scalar(
        select(Round).join(RoundEntry, RoundEntry.round_id == Round.id)
        .options(joinedload(Round.community))
        .where(RoundEntry.idea_id == idea.id, Round.adopted_at.is_(None))
        .order_by(Round.opens_at.desc()).limit(1))
    if round_ is None:
        return Markup("")
    return Markup(render_template("rounds/_ballot_notice.html", round=round_,  # nosec B704: autoescaped Jinja output
                                  state=round_.state))


IDEA_SECTIONS["top"].append(ballot_notice)
