"""Who may vote in a round, and under which key (a person, or a household = a unit)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.community import Building, Unit, UnitOwnership
from app.extensions import db
from app.permissions import membership


@dataclass(frozen=True)
class Voter:
    key: str  # Participation.voter_key
    user_id: int | None
    unit_id: int | None
    label: str


def person_key(user_id: int) -> str:
    return f"u{user_id}"


def household_key(unit_id: int) -> str:
    return f"h{unit_id}"


def _building_ids(round_) -> set[int]:
    return {b.id for b in round_.buildings}


def units_in_scope(round_):
    """Select of the units whose households may vote in a household round."""
    query = select(Unit).join(Building).where(Building.community_id == round_.community_id)
    scope = _building_ids(round_)
    if scope:
        query = query.where(Building.id.in_(scope))
    return query


def voters_for(round_, user) -> list[Voter]:
    """The ballots this person may cast in the round: one as themselves, or one per
    household they own in scope. Empty when they may not vote."""
    m = membership(user, round_.community)
    if m is None or not m.verified:
        return []
    scope = _building_ids(round_)
    if round_.unit == "person":
        if scope and m.building_id not in scope:
            return []
        return [Voter(person_key(user.id), user.id, None, user.display_name)]
    units = db.session.scalars(
        units_in_scope(round_).join(UnitOwnership)
        .where(UnitOwnership.user_id == user.id, UnitOwnership.verified_at.is_not(None))
        .order_by(Building.name, Unit.number)).unique().all()
    return [Voter(household_key(u.id), user.id, u.id, u.label) for u in units]


def why_not_eligible(round_, user) -> str:
    """A message for someone who may not vote in this round."""
    m = membership(user, round_.community)
    if m is None or not m.verified:
        return _("Only verified residents of this community can vote. "
                 "Ask the neighbourhood committee to verify your account.")
    if round_.unit == "household":
        return _("This round votes per household: only verified owners of a flat "
                 "in its buildings can vote. Ask staff to link your flat to your account.")
    return _("This round is only for residents of some buildings.")


def paper_voter_for_user(round_, user) -> Voter | None:
    """A paper ballot in a per-person round is entered for a verified resident."""
    if round_.unit != "person":
        return None
    m = membership(user, round_.community)
    if m is None or not m.verified:
        return None
    scope = _building_ids(round_)
    if scope and m.building_id not in scope:
        return None
    return Voter(person_key(user.id), user.id, None, user.display_name)


def paper_voter_for_unit(round_, unit) -> Voter | None:
    """A paper ballot in a household round is entered for a flat (no account needed:
    many elderly owners have none)."""
    if round_.unit != "household" or unit is None:
        return None
    in_scope = db.session.scalar(units_in_scope(round_).where(Unit.id == unit.id))
    if in_scope is None:
        return None
    return Voter(household_key(unit.id), None, unit.id, unit.label)
