"""Casting and revising ballots, online and on paper, one per voter per round.

The participation row is claimed with INSERT … ON CONFLICT DO NOTHING and then read
FOR UPDATE (both SQLite and PostgreSQL understand the first; SQLite's writes are already
serialised by BEGIN IMMEDIATE), so two tabs, a double click or two workers end up
writing the same one ballot one after the other. The caller commits; nothing is
acknowledged to the voter before that commit.
"""
from __future__ import annotations

from flask_babel import gettext as _, ngettext
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from app import audit
from app.extensions import db
from app.templating import yuan as format_yuan
from app.timeutil import utcnow

from .eligibility import Voter
from .models import Ballot, BallotChoice, Participation, Round, RoundEntry, Tally, new_token

MAX_PAPER_REF = 40


class BallotRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def limit_fen(round_: Round) -> int:
    """What a knapsack ballot may add up to."""
    return round_.max_sum_cost_fen or round_.budget_fen


def choose_entries(round_: Round, entry_ids) -> list[RoundEntry]:
    """The round's entries for these ids, or BallotRefused saying what is wrong."""
    try:
        wanted = [int(i) for i in entry_ids]
    except (TypeError, ValueError):
        raise BallotRefused(_("That choice is not on this ballot.")) from None
    by_id = {e.id: e for e in round_.entries}
    if len(set(wanted)) != len(wanted) or any(i not in by_id for i in wanted):
        raise BallotRefused(_("That choice is not on this ballot."))
    chosen = [by_id[i] for i in wanted]
    if not chosen:
        raise BallotRefused(_("Choose at least one idea."))
    if round_.min_choices and len(chosen) < round_.min_choices:
        raise BallotRefused(ngettext("Choose at least %(num)d idea.", "Choose at least %(num)d ideas.", round_.min_choices))
    if round_.max_choices and len(chosen) > round_.max_choices:
        raise BallotRefused(ngettext("Choose at most %(num)d idea.", "Choose at most %(num)d ideas.", round_.max_choices))
    if round_.ballot_kind == "knapsack":
        total, limit = sum(e.cost_fen for e in chosen), limit_fen(round_)
        if total > limit:
            raise BallotRefused(_(
                "Your choices cost ¥%(total)s, more than the budget of ¥%(limit)s. "
                "Untick something and try again.",
                total=format_yuan(total), limit=format_yuan(limit)))
    return chosen


def _claim(round_: Round, voter: Voter, channel: str, **fields) -> tuple[Participation, bool]:
    """This voter's participation row, locked; True when this call created it."""
    values = dict(round_id=round_.id, voter_key=voter.key, user_id=voter.user_id,
                  unit_id=voter.unit_id, channel=channel, revision=0,
                  created_at=utcnow(), updated_at=utcnow(), **fields)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    inserted = db.session.execute(
        dialect.insert(Participation.__table__).values(**values)
        .on_conflict_do_nothing(index_elements=["round_id", "voter_key"])
        .returning(Participation.__table__.c.id)).scalar()
    created = inserted is not None
    row = db.session.scalars(
        select(Participation).where(Participation.round_id == round_.id,
                                    Participation.voter_key == voter.key)
        .with_for_update().execution_options(populate_existing=True)).one()
    return row, created


def _write_ballot(p: Participation, chosen: list[RoundEntry], *, counted: bool) -> None:
    if p.token is None:
        p.token = new_token()
        ballot = Ballot(round_id=p.round_id, token=p.token, counted=counted)
        db.session.add(ballot)
        db.session.flush()
    else:
        ballot = db.session.scalars(select(Ballot).where(Ballot.token == p.token)).one()
        db.session.execute(delete(BallotChoice).where(BallotChoice.ballot_id == ballot.id))
        ballot.counted = counted
    db.session.add_all(BallotChoice(ballot_id=ballot.id, entry_id=e.id, weight=1)
                       for e in chosen)
    p.revision += 1
    p.updated_at = utcnow()


def _forget_tallies(round_: Round) -> None:
    db.session.execute(delete(Tally).where(Tally.round_id == round_.id))


def other_channel_message(p: Participation) -> str:
    if p.channel == "paper":
        return _("A paper ballot (number %(ref)s) has already been entered for %(who)s: "
                 "the same vote cannot also be cast online.",
                 ref=p.paper_ref, who=_voter_label(p))
    return _("%(who)s has already voted online in this round: "
             "a paper ballot cannot be entered as well.", who=_voter_label(p))


def _voter_label(p: Participation) -> str:
    if p.unit is not None:
        return p.unit.label
    return p.user.display_name if p.user is not None else p.voter_key


def submit_online(round_: Round, voter: Voter, entry_ids) -> Participation:
    """Cast or revise this voter's online ballot; the last one counts."""
    state = round_.state
    if state == "upcoming":
        raise BallotRefused(_("Voting has not opened yet."))
    if state != "open":
        raise BallotRefused(_("Voting in this round has closed."))
    chosen = choose_entries(round_, entry_ids)
    p, _created = _claim(round_, voter, "online")
    if p.channel != "online":
        raise BallotRefused(other_channel_message(p))
    _write_ballot(p, chosen, counted=True)
    return p


def enter_paper(round_: Round, staff, voter: Voter, entry_ids, paper_ref: str) -> Participation:
    """Staff type in a paper ballot (代录入), audited; one per voter, any channel."""
    if round_.state not in ("open", "closed"):
        raise BallotRefused(_("Paper ballots are entered between the opening of the round "
                              "and the adoption of its result."))
    ref = (paper_ref or "").strip()
    if not ref or len(ref) > MAX_PAPER_REF:
        raise BallotRefused(_("Give the number printed on the paper ballot."))
    chosen = choose_entries(round_, entry_ids)
    taken = db.session.scalar(select(Participation.id).where(
        Participation.round_id == round_.id, Participation.paper_ref == ref))
    if taken is not None:
        raise BallotRefused(_("Paper ballot number %(ref)s has already been entered.", ref=ref))
    p, created = _claim(round_, voter, "paper", paper_ref=ref, entered_by_id=staff.id)
    if not created:
        if p.channel == "paper":
            raise BallotRefused(_("A paper ballot (number %(ref)s) has already been entered "
                                  "for %(who)s.", ref=p.paper_ref, who=_voter_label(p)))
        raise BallotRefused(other_channel_message(p))
    _write_ballot(p, chosen, counted=not round_.paper_needs_confirmation)
    _forget_tallies(round_)
    audit.record("round.paper_ballot", actor=staff, community=round_.community,
                 target=round_, paper_ref=ref, voter=voter.label)
    return p


def confirm_paper(round_: Round, staff, p: Participation) -> None:
    """A second member of staff checks a paper entry against the paper; then it counts."""
    if p.round_id != round_.id or not p.pending:
        raise BallotRefused(_("This paper ballot is not waiting for confirmation."))
    if p.entered_by_id == staff.id:
        raise BallotRefused(_("Someone other than the person who entered it must confirm it."))
    if round_.adopted:
        raise BallotRefused(_("The result of this round has been adopted."))
    p.confirmed_by_id, p.confirmed_at = staff.id, utcnow()
    ballot = db.session.scalars(select(Ballot).where(Ballot.token == p.token)).one()
    ballot.counted = True
    _forget_tallies(round_)
    audit.record("round.paper_confirmed", actor=staff, community=round_.community,
                 target=round_, paper_ref=p.paper_ref)


def own_choices(p: Participation | None) -> list[RoundEntry]:
    """What this participant chose, for their own eyes (and for a paper entry's check)."""
    if p is None or p.token is None:
        return []
    return list(db.session.scalars(
        select(RoundEntry).join(BallotChoice, BallotChoice.entry_id == RoundEntry.id)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.token == p.token).order_by(RoundEntry.position, RoundEntry.id)))


def participation_of(round_: Round, voter: Voter) -> Participation | None:
    return db.session.scalar(select(Participation).where(
        Participation.round_id == round_.id, Participation.voter_key == voter.key))
