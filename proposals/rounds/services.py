"""Setting up a round and adopting its result; ideas move only through move_idea."""
from __future__ import annotations

from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select, update

from app import audit
from app.extensions import db
from app.timeutil import utcnow

from ..moves import MoveRefused, move_idea
from .models import Ballot, Participation, Round, RoundEntry


class RoundRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def round_cost(idea) -> int | None:
    """What an idea costs the round's budget: its round-budget share of the costing
    (a subsidy or a partner's money is not spent from the round)."""
    costing = idea.costing
    if costing is None:
        return None
    if not costing.sources:
        return costing.amount_fen
    return sum(s.amount_fen for s in costing.sources if s.kind == "round_budget") or None


def add_idea(round_: Round, idea, staff) -> RoundEntry:
    if idea.community_id != round_.community_id:
        raise RoundRefused(_("Only ideas of this community can be put to its vote."))
    cost = round_cost(idea)
    if cost is None:
        raise RoundRefused(_("This idea's costing spends nothing from a round's budget."))
    if cost > round_.budget_fen:
        raise RoundRefused(_("This idea costs more than the round's whole budget."))
    try:
        move_idea(idea, "in_round", actor=staff, cause=round_)
    except MoveRefused as refused:
        raise RoundRefused(refused.message) from None
    position = 1 + (db.session.scalar(select(func.max(RoundEntry.position))
                                      .where(RoundEntry.round_id == round_.id)) or 0)
    entry = RoundEntry(round=round_, idea=idea, project_id=str(idea.id), cost_fen=cost,
                       position=position)
    db.session.add(entry)
    db.session.flush()
    if getattr(round_, "childrens_part", None) is not None:
        # Children see every idea too: it gets a first picture card at once.
        from proposals.kids.parts import default_card
        default_card(entry)
        db.session.flush()
    return entry


def remove_idea(round_: Round, entry: RoundEntry, staff) -> None:
    if entry.round_id != round_.id:
        raise RoundRefused(_("That idea is not in this round."))
    if round_.state != "upcoming":
        raise RoundRefused(_("Ideas can only be taken off a round before it opens."))
    try:
        move_idea(entry.idea, "planned", actor=staff, cause=round_,
                  reason=_("Taken off the ballot before voting opened."))
    except MoveRefused as refused:
        raise RoundRefused(refused.message) from None
    round_.entries.remove(entry)
    db.session.flush()


def pending_paper(round_: Round) -> int:
    if not round_.paper_needs_confirmation:
        return 0
    return db.session.scalar(select(func.count()).select_from(Participation).where(
        Participation.round_id == round_.id, Participation.channel == "paper",
        Participation.confirmed_at.is_(None))) or 0


def adopt(round_: Round, staff, selected: list[str]) -> None:
    """Adopt the result: winners go to public notice, the rest back to planned, and the
    link between participations and ballots is erased for good."""
    if round_.state != "closed":
        raise RoundRefused(_("Only the result of a closed round can be adopted."))
    waiting = pending_paper(round_)
    if waiting:
        raise RoundRefused(ngettext("%(num)d paper ballot still waits for a second member of staff to confirm it.", "%(num)d paper ballots still wait for a second member of staff to confirm them.", waiting))
    won = set(selected)
    round_.adopted_at, round_.adopted_by_id = utcnow(), staff.id
    for entry in round_.entries:
        entry.won = entry.project_id in won
    try:
        for entry in round_.entries:
            if entry.idea.stage == "in_round":
                move_idea(entry.idea, "noticed" if entry.won else "planned",
                          actor=staff, cause=round_)
    except MoveRefused as refused:
        raise RoundRefused(refused.message) from None
    db.session.execute(update(Participation).where(Participation.round_id == round_.id)
                       .values(token=None))
    db.session.execute(update(Ballot).where(Ballot.round_id == round_.id).values(token=None))
    audit.record("round.adopt", actor=staff, community=round_.community, target=round_,
                 rule=round_.rule, selected=[e.idea_id for e in round_.entries if e.won])
