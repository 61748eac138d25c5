"""Writing the owners' register (业主名册) parsed by ``register_csv.parse_units``.

The file is the whole register of a community: every import replaces who holds which
unit (``RegisterUnit``), while the rest is matched and kept, so that links made by staff
survive a re-import:

* buildings and units are matched by building name + unit number, created when new;
  a unit's area becomes the file's (the register is the authority on areas);
* owners are matched by (community, register id); an owner missing from the new file
  stays, with the account staff linked to it, but holds nothing and so is in no new
  decision's scope;
* decisions already made count against their own ``DecisionUnit`` snapshot, so an
  import never moves an open decision's totals.

One transaction: either the whole file is in, or nothing changed.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from app import audit
from app.community import Building, Community, Unit
from app.database import write_transaction
from app.extensions import db

from .models import Owner, RegisterUnit
from .register_csv import RegisterError, UnitRow, fold_id


@dataclass
class RegisterSummary:
    community_created: bool = False
    buildings_created: int = 0
    units_created: int = 0
    areas_changed: int = 0
    owners_created: int = 0
    units: int = 0  # in the register now
    owners: int = 0  # holding a unit now
    units_dropped: int = 0  # were in the register before, not in this file
    owners_without_units: int = 0  # known owners that now hold nothing


def _check_spellings(rows: list[UnitRow], units: dict[tuple[str, str], Unit],
                     owners: dict[str, Owner]) -> None:
    """A file's unit or owner id that differs from the database's only in case, width
    or spaces ("1号楼 101"/"１号楼 101", "a001"/"A001") would silently create a second
    unit (its area counted twice) or a second owner (one more head): refuse it by line,
    as parse_units does within one file."""
    known_units = {(fold_id(b), fold_id(u)): (b, u) for b, u in units}
    known_owners = {fold_id(rid): rid for rid in owners}
    problems: list[RegisterError] = []
    for row in rows:
        messages = []
        spelt = known_units.get((fold_id(row.building), fold_id(row.unit)))
        if (row.building, row.unit) not in units and spelt is not None:
            messages.append(f"unit {row.building} {row.unit} is written "
                            f"{spelt[0]} {spelt[1]} in the register: write it the same way")
        spelt = known_owners.get(fold_id(row.owner_id))
        if row.owner_id not in owners and spelt is not None:
            messages.append(f"owner_id {row.owner_id!r} is written {spelt!r} in the "
                            f"register: write one owner's id the same way")
        if messages:
            problems.append(RegisterError("; ".join(messages), row.line))
    if problems:
        first, rest = problems[0], problems[1:]
        more = (f" (and {len(rest)} more bad line{'s' if len(rest) > 1 else ''}: "
                f"{', '.join(str(p.line) for p in rest[:10])})") if rest else ""
        raise RegisterError(first.message + more, first.line, problems)


def _community_units(community: Community) -> dict[tuple[str, str], Unit]:
    rows = db.session.execute(select(Building.name, Unit).join(Unit.building)
                              .where(Building.community_id == community.id))
    return {(name, unit.number): unit for name, unit in rows}


def _write(slug: str, rows: list[UnitRow], summary: RegisterSummary) -> Community:
    community = Community.by_slug(slug)
    if community is None:
        community = Community(slug=slug, name=slug)
        db.session.add(community)
        db.session.flush()
        summary.community_created = True
    buildings = {b.name: b for b in db.session.scalars(
        select(Building).where(Building.community_id == community.id))}
    owners = {o.register_id: o for o in db.session.scalars(
        select(Owner).where(Owner.community_id == community.id))}
    units = _community_units(community)
    _check_spellings(rows, units, owners)
    unit_ids = select(Unit.id).join(Unit.building).where(
        Building.community_id == community.id).scalar_subquery()
    before = set(db.session.scalars(
        select(RegisterUnit.unit_id).where(RegisterUnit.unit_id.in_(unit_ids))))

    developer_ids = {row.owner_id for row in rows if row.developer_unsold}
    held: list[tuple[Unit, Owner]] = []
    for row in rows:
        building = buildings.get(row.building)
        if building is None:
            building = buildings[row.building] = Building(community=community,
                                                          name=row.building)
            summary.buildings_created += 1
        unit = units.get((row.building, row.unit))
        if unit is None:
            unit = units[(row.building, row.unit)] = Unit(
                building=building, number=row.unit, area_centi_m2=row.area_centi)
            db.session.add(unit)
            summary.units_created += 1
        elif unit.area_centi_m2 != row.area_centi:
            unit.area_centi_m2 = row.area_centi
            summary.areas_changed += 1
        owner = owners.get(row.owner_id)
        if owner is None:
            owner = owners[row.owner_id] = Owner(community_id=community.id,
                                                 register_id=row.owner_id)
            db.session.add(owner)
            summary.owners_created += 1
        # parse_units guarantees one developer id used only on unsold rows.
        owner.is_developer = row.owner_id in developer_ids
        held.append((unit, owner))
    db.session.flush()  # ids for new units and owners

    # Replace the community's register as a whole: delete, then insert the file's.
    # "fetch" takes the deleted lines out of the session too, so the new line of a
    # unit (same primary key) does not clash with a stale one still held there.
    db.session.execute(delete(RegisterUnit).where(RegisterUnit.unit_id.in_(unit_ids)),
                       execution_options={"synchronize_session": "fetch"})
    db.session.add_all(RegisterUnit(unit_id=unit.id, owner_id=owner.id)
                       for unit, owner in held)
    db.session.flush()

    holders = {owner.id for _unit, owner in held}
    summary.units, summary.owners = len(held), len(holders)
    summary.units_dropped = len(before - {unit.id for unit, _owner in held})
    summary.owners_without_units = len(owners) - len(holders)
    db.session.expire_all()  # Owner.units may have been loaded before the bulk delete
    return community


def replace_register(community_slug: str, rows: list[UnitRow]) -> RegisterSummary:
    """Replace the community's register with `rows` (parsed, checked) in the caller's
    transaction, audited. Raises RegisterError (with the line) when a row clashes with
    the database."""
    if not rows:
        raise RegisterError("the file has a header row but no units")
    summary = RegisterSummary()
    community = _write(community_slug, rows, summary)
    audit.record("owners.register_import", actor=None, community=community,
                 target=community, units=summary.units, owners=summary.owners,
                 units_created=summary.units_created,
                 areas_changed=summary.areas_changed,
                 owners_created=summary.owners_created,
                 units_dropped=summary.units_dropped,
                 owners_without_units=summary.owners_without_units)
    return summary


def import_register(community_slug: str, rows: list[UnitRow]) -> RegisterSummary:
    """`replace_register` in a transaction of its own: all of it, or (on a refusal)
    nothing."""
    with write_transaction():
        return replace_register(community_slug, rows)
