"""Reading the owners' register and paper vote sheets from CSV, for 业主表决 (art. 278).

Pure Python, no database and no Flask: ``parse_units`` and ``parse_votes`` turn the text
of a staff spreadsheet into rows, or raise ``RegisterError`` naming the line; the CLI
commands (``owners import-units``, ``owners import-votes``) write the rows later, and only
when nothing was refused.

Files are read the way ``app.units_import`` reads the units register: UTF-8 (a BOM is
accepted) or, as Excel writes on Chinese Windows, GB18030; comma-separated, quoted fields
allowed; columns found by the header row in any order, names matched case-insensitively
with spaces trimmed, unknown columns ignored; the same Chinese names for building, unit
and area (楼组/楼, 房号/房屋, 面积), and 业主编号 (owner_id), 开发商未售
(developer_unsold), 表决意见 (choice), 表决票编号 (sheet_ref). All five units columns are
required, developer_unsold too (its cells may be empty). Every cell is trimmed; rows
whose cells are all empty (Excel leaves them at the end) are skipped. Line numbers are
physical lines (1-based, the header is line 1; \r\n, \r and \n each end one), a row's
number being the line its first cell is on.

All or nothing: every bad line is collected, then one ``RegisterError`` is raised. It
names the first bad line; ``.errors`` holds one error per bad line (all of its problems
joined by "; "), in line order, for a CLI to print them all; when there are several,
the raised error's message ends with how many more lines are bad and which.

Decisions, because areas and heads decide the quorum and the majorities:

* ``area_m2`` is read exactly into hundredths of a square metre. A value that needs more
  than two decimals is refused, never rounded ("85.500" needs two and is 8550, as in
  ``app.units_import``). Zero, negative and non-numeric areas are refused, and so is more
  than 100,000 m² (the units import's typo guard). A comma is accepted only as a
  thousands separator in correct groups ("1,085.25" is 108525; Excel writes it so when
  the cell is formatted that way); "85,5" is refused, not guessed. Full-width digits and
  points (typed with a Chinese input method) are read as ASCII ones.
* ``developer_unsold`` is 1/0, true/false, yes/no or 是/否 (any case); empty means 0.
* Identifiers are kept as written (trimmed), but two spellings that differ only in case,
  full/half width or spaces ("A001", "a001", "Ａ００１", "A 001") are refused rather than
  taken for two owners (which would add a head to the count) or silently merged. The
  same comparison finds duplicate units ("1号楼"/"１号楼") and owners voting twice.
* A vote's owner must match a known owner exactly; when only the spelling differs the
  message says which id the register has.
* A value beyond the header's width (usually an unquoted comma) is refused.
* A file without data rows is refused; so are NUL bytes (the file is UTF-16 or not
  text) and an .xlsx workbook.
* The CSV is read strictly (spaces before a quoted value are skipped), so that a quote
  left open is refused on the line it opens instead of swallowing the lines after it
  into one cell; the price is that text or spaces after a closing quote (``"a" ,``),
  which Excel never writes, are refused too, with the line named.
* Several vote rows may share a ``sheet_ref`` (a batch or a form number may be used
  that way); only an empty one is refused.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

CHOICES = ("agree", "against", "abstain")
CHOICE_WORDS = {
    "agree": "agree", "同意": "agree",
    "against": "against", "反对": "against",
    "abstain": "abstain", "弃权": "abstain",
}
TRUE_WORDS = frozenset({"1", "true", "yes", "是"})
FALSE_WORDS = frozenset({"0", "false", "no", "否", ""})

UNIT_COLUMNS = ("building", "unit", "area_m2", "owner_id", "developer_unsold")
VOTE_COLUMNS = ("owner_id", "choice", "sheet_ref")
UNIT_ALIASES = {
    "building": "building", "楼组": "building", "楼": "building",
    "unit": "unit", "房号": "unit", "房屋": "unit",
    "area_m2": "area_m2", "面积": "area_m2",
    "owner_id": "owner_id", "业主编号": "owner_id",
    "developer_unsold": "developer_unsold", "开发商未售": "developer_unsold",
}
VOTE_ALIASES = {
    "owner_id": "owner_id", "业主编号": "owner_id",
    "choice": "choice", "表决意见": "choice",
    "sheet_ref": "sheet_ref", "表决票编号": "sheet_ref",
}

MAX_AREA_CENTI = 100_000 * 100  # as app.units_import: far above any flat, a typo guard
MAX_BUILDING, MAX_UNIT = 100, 40  # the lengths of the units import's columns
MAX_OWNER_ID, MAX_SHEET_REF = 100, 100  # typo guards until the models fix them

AREA_RE = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.(?P<frac>[0-9]*))?")
LINE_BREAK = re.compile(rb"\r\n|\r|\n")  # as io.StringIO(newline="") splits lines
TEXT_LINE_BREAK = re.compile(r"\r\n|\r|\n")
UTF8_BOM = b"\xef\xbb\xbf"


class RegisterError(ValueError):
    """A refused file; ``line`` is the 1-based physical line, or None for the whole file.

    ``errors`` lists one RegisterError per bad line (itself alone when it is the only
    one); the message of the first names how many more lines are bad.
    """

    def __init__(self, message: str, line: int | None = None,
                 errors: Iterable[RegisterError] = ()):
        self.line = line
        self.message = message
        self.errors: tuple[RegisterError, ...] = tuple(errors) or (self,)
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True)
class UnitRow:
    line: int
    building: str
    unit: str
    area_centi: int  # hundredths of a square metre, exact
    owner_id: str
    developer_unsold: bool


@dataclass(frozen=True)
class VoteRow:
    line: int
    owner_id: str
    choice: str  # one of CHOICES
    sheet_ref: str


# --- bytes to text ----------------------------------------------------------------------

def _line_of(raw: bytes, position: int) -> int:
    return len(LINE_BREAK.findall(raw, 0, position)) + 1


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else GB18030, else RegisterError.

    When neither reads, the error names the first bad byte of the encoding that read
    further (that is most likely the file's encoding, with one damaged spot); a file
    that starts with a UTF-8 BOM is held to UTF-8.
    """
    if raw.startswith(b"PK\x03\x04"):
        raise RegisterError("the file is an Excel workbook (.xlsx), not CSV: "
                            "save it as CSV (UTF-8) and import that")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RegisterError("the file is UTF-16 text (Excel's \"Unicode Text\"): "
                            "save it as CSV (UTF-8) and import that")
    if b"\x00" in raw:
        raise RegisterError("the file contains NUL bytes, so it is not CSV text "
                            "(perhaps UTF-16 or a workbook): save it as CSV (UTF-8)",
                            _line_of(raw, raw.index(b"\x00")))
    bom = len(UTF8_BOM) if raw.startswith(UTF8_BOM) else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:  # its position counts from after the BOM
        failures = [("UTF-8", bom + exc.start)]
    if not bom:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            failures.append(("GB18030", exc.start))
    name, position = max(failures, key=lambda failure: failure[1])
    raise RegisterError(f"the file is neither UTF-8 nor GB18030 text: byte "
                        f"0x{raw[position]:02X} cannot be read as {name}",
                        _line_of(raw, position))


# --- text to records --------------------------------------------------------------------

def _records(text: str) -> list[tuple[int, list[str]]]:
    """Every non-blank record with the line it starts on; cells trimmed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = len(TEXT_LINE_BREAK.findall(text, 0, text.index("\x00"))) + 1
        raise RegisterError("the text contains a NUL character", line)
    # strict: a quote left open is an error, not the rest of the file in one cell
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, skipinitialspace=True)
    records = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise RegisterError("a quoted value starts on this line and its closing "
                                    "quote \" is missing", start) from None
            if "expected after" in str(exc):
                raise RegisterError("only a comma may follow a closing quote \" (not spaces "
                                    "or text); a quote inside a value is written \"\" "
                                    "within a quoted value", reader.line_num) from None
            raise RegisterError(f"the line is not valid CSV ({exc})",
                                reader.line_num) from None
        cells = [cell.strip() for cell in record]
        if any(cells):
            records.append((start, cells))


def _header(records, aliases: dict[str, str], required: Iterable[str]):
    """(header line, width, {column: position}) or RegisterError on the header's line."""
    if not records:
        raise RegisterError("the file is empty: the first line must be the header row "
                            f"({', '.join(required)})")
    line, header = records[0]
    columns: dict[str, int] = {}
    for position, name in enumerate(header):
        key = aliases.get(name.lower())
        if key is None:
            continue
        if key in columns:
            raise RegisterError(f"the header names the column {key} twice "
                                f"({header[columns[key]]!r} and {name!r})", line)
        columns[key] = position
    missing = [name for name in required if name not in columns]
    if missing:
        raise RegisterError(
            f"the header row lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (found: {', '.join(h for h in header if h) or 'nothing'})",
            line)
    return line, len(header), columns


def _cell(cells: list[str], columns: dict[str, int], key: str) -> str:
    position = columns[key]
    return cells[position] if position < len(cells) else ""


def fold_id(text: str) -> str:
    """The comparison key of an identifier: width, case and spaces do not matter."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


class _Problems:
    """Problems by line; raises one RegisterError for the first bad line, if any."""

    def __init__(self) -> None:
        self.by_line: dict[int, list[str]] = {}

    def add(self, line: int, message: str) -> None:
        self.by_line.setdefault(line, []).append(message)

    def raise_any(self) -> None:
        if not self.by_line:
            return
        errors = [RegisterError("; ".join(messages), line)
                  for line, messages in sorted(self.by_line.items())]
        first, rest = errors[0], errors[1:]
        if not rest:
            raise first
        shown = ", ".join(str(e.line) for e in rest[:10])
        more = ", …" if len(rest) > 10 else ""
        raise RegisterError(f"{first.message} (and {len(rest)} more bad "
                            f"line{'s' if len(rest) > 1 else ''}: {shown}{more})",
                            first.line, errors)


def _check_width(problems: _Problems, line: int, cells: list[str], width: int) -> None:
    extra = [cell for cell in cells[width:] if cell]
    if extra:
        problems.add(line, f"the row has values beyond the header's {width} columns "
                           f"({', '.join(repr(c) for c in extra)}); a value containing a "
                           f"comma must be quoted")


def _check_id(problems: _Problems, line: int, name: str, value: str, limit: int) -> bool:
    if not value:
        problems.add(line, f"{name} is empty")
        return False
    if len(value) > limit:
        problems.add(line, f"{name} is longer than {limit} characters")
        return False
    return True


# --- values -----------------------------------------------------------------------------

def parse_area(text: str) -> int:
    """Square metres as written ("85.5", "1,085.25") to hundredths, exactly, or ValueError."""
    written = text.strip()
    if not written:
        raise ValueError("area_m2 is empty")
    value = unicodedata.normalize("NFKC", written).strip()
    negative = value.startswith("-")
    match = AREA_RE.fullmatch(value[1:] if negative else value)
    if match is None or not (match["whole"] or match["frac"]):
        hint = (" (a comma may only separate thousands: write 85.5, not 85,5)"
                if "," in value else "")
        raise ValueError(f"area_m2 {written!r} is not a number of square metres{hint}")
    frac = (match["frac"] or "").rstrip("0")
    if len(frac) > 2:
        raise ValueError(f"area_m2 {written!r} has more than two decimals "
                         f"(areas are not rounded: write the register's figure)")
    centi = int((match["whole"] or "0").replace(",", "")) * 100 + int(frac.ljust(2, "0"))
    if centi == 0:
        raise ValueError(f"area_m2 {written!r} is zero; it must be more than zero")
    if negative:
        raise ValueError(f"area_m2 {written!r} is negative; it must be more than zero")
    if centi > MAX_AREA_CENTI:
        raise ValueError(f"area_m2 {written!r} is too large for a unit "
                         f"(more than {MAX_AREA_CENTI // 100:,} m²)")
    return centi


def parse_flag(text: str) -> bool:
    """developer_unsold: 1/true/yes/是 or 0/false/no/否/empty, or ValueError."""
    value = unicodedata.normalize("NFKC", text).strip().casefold()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(f"developer_unsold {text.strip()!r} is not 1 or 0 "
                     f"(also accepted: true/false, yes/no, 是/否; empty means 0)")


def parse_choice(text: str) -> str:
    """agree/against/abstain or 同意/反对/弃权 (any case) to the English word, or ValueError."""
    choice = CHOICE_WORDS.get(unicodedata.normalize("NFKC", text).strip().casefold())
    if choice is None:
        if not text.strip():
            raise ValueError("choice is empty")
        raise ValueError(f"choice {text.strip()!r} is not one of agree, against, abstain "
                         f"(同意, 反对, 弃权)")
    return choice


# --- the two files ----------------------------------------------------------------------

def parse_units(text: str) -> list[UnitRow]:
    """The owners' register: one row per unit, or RegisterError naming the bad lines."""
    records = _records(text)
    _, width, columns = _header(records, UNIT_ALIASES, UNIT_COLUMNS)
    problems = _Problems()
    rows: list[UnitRow] = []
    units: dict[tuple[str, str], tuple[int, str, str]] = {}  # key → line, as written
    spellings: dict[str, tuple[int, str]] = {}  # folded owner_id → first line, as written
    owners: list[tuple[int, str, bool]] = []  # line, owner_id, developer_unsold
    for line, cells in records[1:]:
        _check_width(problems, line, cells, width)
        building, unit = _cell(cells, columns, "building"), _cell(cells, columns, "unit")
        owner_id = _cell(cells, columns, "owner_id")
        ok = _check_id(problems, line, "building", building, MAX_BUILDING)
        ok &= _check_id(problems, line, "unit", unit, MAX_UNIT)
        if ok:
            key = (fold_id(building), fold_id(unit))
            if key in units:
                first, b, u = units[key]
                same = "" if (b, u) == (building, unit) else f" (written {b} {u} there)"
                problems.add(line, f"unit {building} {unit} is already on line "
                                   f"{first}{same}: one row per unit, co-owners share "
                                   f"its one owner_id")
                ok = False
            else:
                units[key] = (line, building, unit)
        owner_ok = _check_id(problems, line, "owner_id", owner_id, MAX_OWNER_ID)
        if owner_ok:
            first = spellings.setdefault(fold_id(owner_id), (line, owner_id))
            if first[1] != owner_id:
                problems.add(line, f"owner_id {owner_id!r} is written {first[1]!r} on line "
                                   f"{first[0]}: write one owner's id the same way on "
                                   f"every row")
                owner_ok = False
        ok &= owner_ok
        try:
            area = parse_area(_cell(cells, columns, "area_m2"))
        except ValueError as exc:
            problems.add(line, str(exc))
            ok = False
        try:
            developer = parse_flag(_cell(cells, columns, "developer_unsold"))
        except ValueError as exc:
            problems.add(line, str(exc))
            ok = False
        else:
            if owner_ok:
                owners.append((line, owner_id, developer))
        if ok:
            rows.append(UnitRow(line, building, unit, area, owner_id, developer))
    _check_developer(problems, owners)
    problems.raise_any()
    if not rows:
        raise RegisterError("the file has a header row but no units")
    return rows


def _check_developer(problems: _Problems, owners: list[tuple[int, str, bool]]) -> None:
    """Unsold units all carry the developer's one owner_id, and only they carry it.

    The first unsold row names the developer; every row that disagrees is refused.
    """
    unsold = [(line, owner_id) for line, owner_id, developer in owners if developer]
    if not unsold:
        return
    first_line, developer_id = unsold[0]
    for line, owner_id in unsold[1:]:
        if owner_id != developer_id:
            problems.add(line, f"developer_unsold is 1 but owner_id is {owner_id!r}, while "
                               f"line {first_line} gives the developer's owner_id as "
                               f"{developer_id!r}: all unsold units carry the developer's "
                               f"one owner_id")
    for line, owner_id, developer in owners:
        if not developer and owner_id == developer_id:
            problems.add(line, f"owner_id {owner_id!r} is the developer's (unsold units, "
                               f"e.g. line {first_line}) but developer_unsold is 0 here: "
                               f"mark the unit 1, or give its buyer their own owner_id")


def parse_votes(text: str, known_owners: set[str] | None = None,
                in_scope: set[str] | None = None) -> list[VoteRow]:
    """Paper votes entered by staff: one row per owner, or RegisterError naming lines.

    ``known_owners``: the register's owner ids (an id outside it is refused);
    ``in_scope``: the owners the decision concerns (anyone else is refused).
    """
    records = _records(text)
    _, width, columns = _header(records, VOTE_ALIASES, VOTE_COLUMNS)
    known_folded = {fold_id(o): o for o in known_owners} if known_owners is not None else {}
    problems = _Problems()
    rows: list[VoteRow] = []
    seen: dict[str, tuple[int, str]] = {}  # folded owner_id → line, as written
    for line, cells in records[1:]:
        _check_width(problems, line, cells, width)
        owner_id = _cell(cells, columns, "owner_id")
        sheet_ref = _cell(cells, columns, "sheet_ref")
        ok = _check_id(problems, line, "owner_id", owner_id, MAX_OWNER_ID)
        if ok:
            folded = fold_id(owner_id)
            if folded in seen:
                first, written = seen[folded]
                same = "" if written == owner_id else f" (written {written!r} there)"
                problems.add(line, f"owner {owner_id} already voted on line {first}{same}: "
                                   f"one vote per owner (co-owners of a unit cast one)")
                ok = False
            else:
                seen[folded] = (line, owner_id)
            if known_owners is not None and owner_id not in known_owners:
                spelt = known_folded.get(folded)
                hint = f" (the register has {spelt!r})" if spelt else ""
                problems.add(line, f"owner_id {owner_id!r} is not in the owners' "
                                   f"register{hint}")
                ok = False
            elif in_scope is not None and owner_id not in in_scope:
                problems.add(line, f"owner {owner_id} is not in this decision's scope "
                                   f"(their units are not concerned)")
                ok = False
        try:
            choice = parse_choice(_cell(cells, columns, "choice"))
        except ValueError as exc:
            problems.add(line, str(exc))
            ok = False
        ok &= _check_id(problems, line, "sheet_ref", sheet_ref, MAX_SHEET_REF)
        if ok:
            rows.append(VoteRow(line, owner_id, choice, sheet_ref))
    problems.raise_any()
    if not rows:
        raise RegisterError("the file has a header row but no votes")
    return rows
