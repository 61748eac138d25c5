"""Children's votes: with a one-time code (kiosk or card), or as a child profile from a
guardian's phone. Children's ballots never touch the adults' tables.

The caller commits, inside `write_transaction`: the code is used, the ballot written
and the kiosk's count raised in one transaction, or none of them.
"""
from __future__ import annotations

from flask_babel import gettext as _, ngettext
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.timeutil import utcnow

from . import codes
from .models import ChildBallot, ChildChoice, ChildrensPart, KioskSession, PictureCard, \
    new_ballot_id


class VoteRefused(Exception):
    """`reason` picks the picture a child is shown: used, unknown, closed, choices."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def part_of(round_) -> ChildrensPart | None:
    return db.session.get(ChildrensPart, round_.id)


def cards_of(round_) -> list[PictureCard]:
    """The cards of the children's ballot, in the order of the adults' ballot."""
    from proposals.rounds.models import RoundEntry
    return list(db.session.scalars(
        select(PictureCard).join(RoundEntry, RoundEntry.id == PictureCard.entry_id)
        .where(PictureCard.round_id == round_.id)
        .order_by(RoundEntry.position, RoundEntry.id)))


def check_open(round_) -> ChildrensPart:
    part = part_of(round_)
    if part is None:
        raise VoteRefused("closed", _("This round has no children's ballot."))
    if round_.state != "open":
        raise VoteRefused("closed", _("Voting in this round is not open."))
    return part


def check_choices(round_, part: ChildrensPart, entry_ids) -> list[int]:
    try:
        wanted = [int(i) for i in entry_ids]
    except (TypeError, ValueError):
        raise VoteRefused("choices", _("That picture is not on this ballot.")) from None
    on_ballot = {c.entry_id for c in cards_of(round_)}
    if len(set(wanted)) != len(wanted) or any(i not in on_ballot for i in wanted):
        raise VoteRefused("choices", _("That picture is not on this ballot."))
    if not wanted:
        raise VoteRefused("choices", _("Tap a picture first."))
    if len(wanted) > part.picks:
        raise VoteRefused("choices", ngettext("Choose at most %(num)d picture.",
                                              "Choose at most %(num)d pictures.", part.picks))
    return wanted


def vote_with_code(round_, code: str, entry_ids) -> ChildBallot:
    """One child's vote with a one-time code; the code is then used up."""
    part = check_open(round_)
    wanted = check_choices(round_, part, entry_ids)
    row = codes.use(round_, code)
    if row is None:
        reason = "used" if codes.find(round_, code) is not None else "unknown"
        raise VoteRefused(reason, _("This code has already been used.") if reason == "used"
                          else _("This code is not for this ballot."))
    if row.kiosk_id is not None:
        kiosk = db.session.get(KioskSession, row.kiosk_id)
        kiosk.children += 1
        kiosk.last_seen_at = utcnow()
    ballot = ChildBallot(round_id=round_.id, channel=row.kind)
    db.session.add(ballot)
    db.session.flush()
    db.session.add_all(ChildChoice(ballot_id=ballot.id, entry_id=i) for i in wanted)
    db.session.flush()
    return ballot


def vote_as_child(round_, child, entry_ids) -> ChildBallot:
    """A child's vote from the guardian's phone: one per child and round, the last counts."""
    part = check_open(round_)
    if child.community_id != round_.community_id:
        raise VoteRefused("closed", _("This round is in another community."))
    wanted = check_choices(round_, part, entry_ids)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(ChildBallot.__table__)
        .values(id=new_ballot_id(), round_id=round_.id, child_id=child.id,
                channel="guardian")
        .on_conflict_do_nothing(index_elements=["round_id", "child_id"]))
    ballot = db.session.scalars(
        select(ChildBallot).where(ChildBallot.round_id == round_.id,
                                  ChildBallot.child_id == child.id)
        .with_for_update().execution_options(populate_existing=True)).one()
    db.session.execute(delete(ChildChoice).where(ChildChoice.ballot_id == ballot.id))
    db.session.add_all(ChildChoice(ballot_id=ballot.id, entry_id=i) for i in wanted)
    db.session.flush()
    return ballot


def choices_of(round_, child) -> list[int]:
    """The entry ids this child chose in guardian mode (for the guardian's eyes)."""
    return list(db.session.scalars(
        select(ChildChoice.entry_id).join(ChildBallot)
        .where(ChildBallot.round_id == round_.id, ChildBallot.child_id == child.id)))
