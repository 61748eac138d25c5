"""`flask --app wsgi units import COMMUNITY FILE.csv`: load buildings, units and owners.

The register of units usually arrives as a spreadsheet from the property company or the
housing office, saved as CSV by Excel. On Chinese Windows Excel writes GB18030, elsewhere
UTF-8 (often with a BOM), so both are read. Columns are found by the header row, in any
order: `building`, `unit`, `area_m2` and the optional `owner_names` (or their Chinese
names 楼组/楼, 房号/房屋, 面积, 业主). Several owners of one unit are separated by 、 ; or ；.

Areas decide owners' votes (Civil Code art. 278), so they are read exactly with Decimal
into hundredths of a square metre; a value that needs more than two decimals is refused
rather than rounded.

The import is all or nothing: every bad row is reported with its line number, and if
there is any, nothing is written. A unit already in the database with the same area is
skipped (its owners are kept as they are: the register of an existing unit is edited on
the staff desk), so an extended file can be imported again; the same unit with a
different area is a bad row, because one of the two figures is wrong.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .cli import fail
from .community import Building, Community, Unit, UnitOwnership
from .database import write_transaction
from .extensions import db

units_group = click.Group("units", help="Buildings, units and floor areas.")

REQUIRED = ("building", "unit", "area_m2")
HEADER_ALIASES = {
    "building": "building", "楼组": "building", "楼": "building",
    "unit": "unit", "房号": "unit", "房屋": "unit",
    "area_m2": "area_m2", "面积": "area_m2",
    "owner_names": "owner_names", "业主": "owner_names",
}
ENCODINGS = ("utf-8-sig", "gb18030")
OWNER_SEPARATORS = re.compile(r"[、;；]")
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# Far above any flat, far below the integer column's limit: a typo guard.
MAX_AREA_M2 = Decimal(100_000)
MAX_BUILDING, MAX_UNIT, MAX_OWNER = 100, 40, 100  # the columns' lengths


class ImportProblem(Exception):
    """The file as a whole cannot be read (encoding, header): no row numbers to give."""


@dataclass(frozen=True)
class UnitRow:
    line: int
    building: str
    unit: str
    area_centi_m2: int
    owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Summary:
    community_created: bool = False
    buildings: int = 0
    units: int = 0
    owners: int = 0
    skipped: int = 0


@dataclass
class Parsed:
    rows: list[UnitRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM) first, then Excel's GB18030."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportProblem("The file is neither UTF-8 nor GB18030 text.")


def parse_area(text: str) -> int:
    """Square metres as written ("85.55") to hundredths (8555), exactly, or ValueError."""
    if not text.strip():
        raise ValueError("area_m2 is empty")
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"area_m2 {text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"area_m2 {text.strip()!r} is not a number")
    if value <= 0:
        raise ValueError(f"area_m2 {text.strip()!r} must be more than zero")
    if value > MAX_AREA_M2:
        raise ValueError(f"area_m2 {text.strip()!r} is too large for a unit")
    centi = value * 100
    if centi != centi.to_integral_value():
        raise ValueError(f"area_m2 {text.strip()!r} has more than two decimals")
    return int(centi)


def parse_owner_names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in OWNER_SEPARATORS.split(text) if name.strip())


def header_columns(header: list[str]) -> dict[str, int]:
    """Map each known column to its position, or ImportProblem naming what is wrong."""
    columns: dict[str, int] = {}
    for position, name in enumerate(header):
        key = HEADER_ALIASES.get(name.strip().lower())
        if key is None:
            continue
        if key in columns:
            raise ImportProblem(f"The header names the column {key} twice.")
        columns[key] = position
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportProblem("The header row lacks the column(s): " + ", ".join(missing)
                            + f" (found: {', '.join(h.strip() for h in header)}).")
    return columns


def _cell(record: list[str], columns: dict[str, int], key: str) -> str:
    position = columns.get(key)
    if position is None or position >= len(record):
        return ""
    return record[position].strip()


def parse_record(line: int, record: list[str], columns: dict[str, int]) -> UnitRow:
    """One data row, or ValueError with every problem of the row in its message."""
    problems = []
    building, unit = _cell(record, columns, "building"), _cell(record, columns, "unit")
    if not building:
        problems.append("building is empty")
    elif len(building) > MAX_BUILDING:
        problems.append(f"building is longer than {MAX_BUILDING} characters")
    if not unit:
        problems.append("unit is empty")
    elif len(unit) > MAX_UNIT:
        problems.append(f"unit is longer than {MAX_UNIT} characters")
    area = 0
    try:
        area = parse_area(_cell(record, columns, "area_m2"))
    except ValueError as exc:
        problems.append(str(exc))
    owners = parse_owner_names(_cell(record, columns, "owner_names"))
    if any(len(name) > MAX_OWNER for name in owners):
        problems.append(f"an owner name is longer than {MAX_OWNER} characters")
    if problems:
        raise ValueError("; ".join(problems))
    return UnitRow(line, building, unit, area, owners)


def parse_csv(text: str) -> Parsed:
    """All rows of the file with their line numbers, and every bad row's error."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _parse_records(reader)
    except csv.Error as exc:  # e.g. a quote left open to the end of the file
        raise ImportProblem(f"line {reader.line_num}: the file is not valid CSV ({exc}).")


def _parse_records(reader) -> Parsed:
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise ImportProblem("The file is empty or its first line is not a header row.")
    columns = header_columns(header)
    parsed, seen = Parsed(), {}
    line = reader.line_num + 1
    for record in reader:
        start, line = line, reader.line_num + 1  # a quoted cell may span lines
        if not any(cell.strip() for cell in record):
            continue  # Excel leaves rows of empty cells at the end
        try:
            row = parse_record(start, record, columns)
        except ValueError as exc:
            parsed.errors.append(RowError(start, str(exc)))
            continue
        key = (row.building, row.unit)
        if key in seen:
            parsed.errors.append(RowError(start, f"{row.building} {row.unit} is already "
                                                 f"on line {seen[key]}"))
            continue
        seen[key] = start
        parsed.rows.append(row)
    return parsed


def existing_units(community: Community | None) -> dict[tuple[str, str], int]:
    """(building name, unit number) → area of the units the community already has."""
    if community is None:
        return {}
    rows = db.session.execute(
        select(Building.name, Unit.number, Unit.area_centi_m2).join(Unit.building)
        .where(Building.community_id == community.id))
    return {(b, u): area for b, u, area in rows}


def check_against_database(rows: list[UnitRow], existing: dict) -> tuple[list, list[RowError]]:
    """Split rows into new ones and errors; same unit with the same area is dropped."""
    new, errors = [], []
    for row in rows:
        area = existing.get((row.building, row.unit))
        if area is None:
            new.append(row)
        elif area != row.area_centi_m2:
            errors.append(RowError(row.line, f"{row.building} {row.unit} already exists "
                                             f"with area {Decimal(area) / 100} m²"))
    return new, errors


def write_units(slug: str, community: Community | None, rows: list[UnitRow]) -> Summary:
    """Create the community if needed, then buildings, units and owner names."""
    summary = Summary()
    if community is None:
        community = Community(slug=slug, name=slug)
        db.session.add(community)
        summary.community_created = True
    buildings = {b.name: b for b in community.buildings}
    for row in rows:
        building = buildings.get(row.building)
        if building is None:
            building = buildings[row.building] = Building(community=community,
                                                          name=row.building)
            summary.buildings += 1
        unit = Unit(building=building, number=row.unit, area_centi_m2=row.area_centi_m2)
        unit.ownerships = [UnitOwnership(owner_name=name) for name in row.owners]
        db.session.add(unit)
        summary.units += 1
        summary.owners += len(row.owners)
    db.session.flush()
    return summary


def import_file(slug: str, raw: bytes) -> tuple[Summary | None, list[RowError]]:
    """Import the file's units into the community, all or nothing. Runs in a transaction."""
    parsed = parse_csv(decode(raw))
    with write_transaction():
        community = Community.by_slug(slug)
        new, db_errors = check_against_database(parsed.rows, existing_units(community))
        errors = sorted(parsed.errors + db_errors, key=lambda e: e.line)
        if errors:
            return None, errors
        summary = write_units(slug, community, new)
        summary.skipped = len(parsed.rows) - len(new)
    return summary, []


def _report(slug: str, summary: Summary) -> str:
    created = " (new community)" if summary.community_created else ""
    text = (f"{slug}{created}: {summary.buildings} buildings, {summary.units} units, "
            f"{summary.owners} owners created.")
    if summary.skipped:
        text += f" {summary.skipped} units already present with the same area were skipped."
    return text


@units_group.command("import")
@click.argument("community")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(community: str, file: Path) -> None:
    """Import units from a CSV file into COMMUNITY (a slug; created if it does not exist)."""
    if not SLUG_RE.fullmatch(community):
        fail(f"{community!r} is not a community slug (lowercase letters, digits, -).")
    try:
        summary, errors = import_file(community, file.read_bytes())
    except ImportProblem as exc:
        fail(str(exc))
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        fail(f"Nothing was imported: {len(errors)} bad row(s).")
    click.echo(_report(community, summary))
