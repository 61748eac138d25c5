"""The text of a new notice drafted from what it notices (a round's adopted result, a
plan's costing, an owners' decision's result), in the staff's current language. Staff edit
it before opening the notice; nothing here is stored until they do."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _, ngettext

from app.templating import when, yuan
from app.timeutil import utcnow

from .services import MAX_TEXT, MAX_TITLE, Candidate


def _costing_lines(idea) -> list[str]:
    from proposals.forms import FUNDING_LABELS
    costing = idea.costing
    if costing is None:
        return [_("· %(title)s", title=idea.title)]
    lines = [_("· %(title)s: ¥%(amount)s, carried out by %(party)s.", title=idea.title,
               amount=yuan(costing.amount_fen), party=costing.responsible)]
    for source in costing.sources:
        label = str(FUNDING_LABELS.get(source.kind, source.kind))
        note = f" ({source.note})" if source.note else ""
        lines.append(_("  %(source)s: ¥%(amount)s%(note)s", source=label,
                       amount=yuan(source.amount_fen), note=note))
    return lines


def _round_part(c: Candidate) -> list[str]:
    from proposals.rounds.results import vote_totals
    from proposals.rounds.results_views import RULE_LABELS
    round_ = c.round
    votes = vote_totals(round_)
    chosen = {i.id for i in c.ideas}
    entries = [e for e in round_.entries if e.idea_id in chosen]
    lines = [_("The result of the budget round “%(title)s” has been adopted. Budget: "
               "¥%(budget)s; counted by: %(rule)s. These ideas won:", title=round_.title,
               budget=yuan(round_.budget_fen), rule=RULE_LABELS.get(round_.rule, round_.rule))]
    for n, entry in enumerate(entries, start=1):
        count = votes.get(entry.id, 0)
        lines.append(_("%(n)d. %(title)s: ¥%(cost)s (%(votes)s)", n=n,
                       title=entry.idea.title, cost=yuan(entry.cost_fen),
                       votes=ngettext("%(num)d vote", "%(num)d votes", count)))
    total = sum(e.cost_fen for e in entries)
    lines.append(_("Together: ¥%(total)s of the budget of ¥%(budget)s.", total=yuan(total),
                   budget=yuan(round_.budget_fen)))
    return lines


def _decision_part(c: Candidate) -> list[str]:
    from proposals.owners.decisions import current_tally, result_sentence
    lines = [result_sentence(c.decision, current_tally(c.decision))]
    lines.append(_("What is funded:"))
    for idea in c.ideas:
        lines += _costing_lines(idea)
    return lines


def _plan_part(c: Candidate) -> list[str]:
    lines = [_("These plans are funded outside a budget round:")]
    for idea in c.ideas:
        lines += _costing_lines(idea)
    return lines


def draft_title(c: Candidate) -> str:
    if c.kind == "round":
        title = _("Public notice: result of %(round)s", round=c.round.title)
    elif c.kind == "decision":
        title = _("Public notice: %(decision)s", decision=c.decision.title)
    else:
        title = _("Public notice: %(idea)s", idea=c.ideas[0].title)
    return title[:MAX_TITLE]


def draft_text(c: Candidate, community, days: int, opens=None) -> str:
    """The drafted text; the period's dates assume the notice opens now unless `opens`
    says when (the demo writes notices of past days)."""
    part = {"round": _round_part, "decision": _decision_part, "plan": _plan_part}[c.kind](c)
    now = opens or utcnow()
    ends = now + timedelta(days=days)
    closing = [
        "",
        _("This notice runs for %(days)d days, from %(start)s to %(end)s.", days=days,
          start=when(now), end=when(ends)),
        _("Any verified resident of %(community)s who objects may say so during this "
          "period: online on this notice's page (scan the QR code), or in person at the "
          "neighbourhood committee (居委会). Staff answer every objection publicly. The "
          "ideas are funded when the period is over and every objection is answered.",
          community=community.name),
    ]
    return "\n".join(part + closing)[:MAX_TEXT]
