"""Reader and writer of the pabulib ``.pb`` format (pabulib.org/format).

Pure Python, no database.  Money (budget, costs) is kept as an exact integer
number of hundredths of the file's currency; more than two decimals are refused.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

VOTE_TYPES = ("approval", "cumulative", "ordinal", "choose-1")
SECTIONS = ("meta", "projects", "votes")


class PbFormatError(ValueError):
    """A malformed .pb file; ``line`` is the 1-based line number (or None)."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


def parse_money(text: str, line: int | None = None) -> int:
    """'123', '123.4', '123,45' -> hundredths (12300, 12340, 12345). Exact."""
    raw = text.strip().replace(",", ".")
    whole, dot, frac = raw.partition(".")
    if whole.startswith("-") or whole.startswith("+"):
        raise PbFormatError(f"amount must not be signed: {text!r}", line)
    frac = frac.rstrip("0")
    if not whole.isdigit() and not (whole == "" and dot and frac.isdigit()):
        raise PbFormatError(f"not an amount: {text!r}", line)
    if frac and not frac.isdigit():
        raise PbFormatError(f"not an amount: {text!r}", line)
    if len(frac) > 2:
        raise PbFormatError(f"more than two decimals: {text!r}", line)
    return int(whole or "0") * 100 + int((frac + "00")[:2])


def format_money(hundredths: int) -> str:
    whole, cents = divmod(hundredths, 100)
    return str(whole) if cents == 0 else f"{whole}.{cents:02d}".rstrip("0")


@dataclass
class PbProject:
    id: str
    cost: int  # hundredths
    fields: dict[str, str] = field(default_factory=dict)  # every column, raw text


@dataclass
class PbVote:
    voter_id: str
    projects: list[str]  # as listed (for ordinal: first choice first)
    points: list[int] | None = None  # cumulative only, aligned with projects
    fields: dict[str, str] = field(default_factory=dict)  # every column, raw text


@dataclass
class PbElection:
    meta: dict[str, str]
    projects: list[PbProject]
    votes: list[PbVote]
    project_columns: list[str] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=list)

    @property
    def budget(self) -> int:
        return parse_money(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")

    @property
    def costs(self) -> dict[str, int]:
        return {p.id: p.cost for p in self.projects}

    def max_length(self) -> int:
        if "max_length" in self.meta:
            return int(self.meta["max_length"])
        longest = max((len(v.projects) for v in self.votes), default=0)
        return max(longest, 1)

    def ballots(self) -> list[dict[str, int]]:
        """One {project id: weight} per voter: approval/choose-1 weigh 1,
        cumulative its points, ordinal max_length - rank (rank from 0)."""
        kind = self.vote_type
        if kind in ("approval", "choose-1"):
            return [dict.fromkeys(v.projects, 1) for v in self.votes]
        if kind == "cumulative":
            return [dict(zip(v.projects, v.points or [])) for v in self.votes]
        if kind == "ordinal":
            top = self.max_length()
            return [{p: top - r for r, p in enumerate(v.projects)} for v in self.votes]
        raise PbFormatError(f"unknown vote type {kind!r}")

    def selected(self) -> list[str] | None:
        """Ids whose `selected` column is 1, or None when there is no such column."""
        if "selected" not in self.project_columns:
            return None
        return [p.id for p in self.projects if p.fields.get("selected", "").strip() == "1"]


def _split_ids(text: str) -> list[str]:
    text = text.strip()
    if not text or text.lower() == "none":
        return []
    return [x.strip() for x in text.split(",")]


def parse(text: str) -> PbElection:
    """Parse the text of a .pb file; raises PbFormatError naming the line."""
    meta: dict[str, str] = {}
    projects: list[PbProject] = []
    votes: list[PbVote] = []
    pcols: list[str] = []
    vcols: list[str] = []
    section = None
    header: list[str] | None = None
    seen: set[str] = set()
    project_ids: set[str] = set()
    voter_ids: set[str] = set()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise PbFormatError(str(exc), reader.line_num) from None
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        first = row[0].strip().lower()
        if first in SECTIONS and len([c for c in row if c.strip()]) == 1:
            if first in seen:
                raise PbFormatError(f"section {first.upper()} repeated", line)
            seen.add(first)
            section, header = first, None
            continue
        if section is None:
            raise PbFormatError("content before the META section", line)
        if header is None:
            header = [c.strip() for c in row]
            need = {"meta": ["key", "value"], "projects": ["project_id", "cost"],
                    "votes": ["voter_id", "vote"]}[section]
            missing = [c for c in need if c not in header]
            if missing:
                raise PbFormatError(f"{section.upper()} header lacks {', '.join(missing)}", line)
            if section == "projects":
                pcols = header
            elif section == "votes":
                vcols = header
            continue
        if len(row) != len(header):
            raise PbFormatError(f"expected {len(header)} fields, found {len(row)}", line)
        fields = {k: v.strip() for k, v in zip(header, row)}
        if section == "meta":
            meta[fields["key"]] = fields["value"]
        elif section == "projects":
            pid = fields["project_id"]
            if not pid or pid in project_ids:
                raise PbFormatError(f"empty or repeated project_id {pid!r}", line)
            project_ids.add(pid)
            projects.append(PbProject(pid, parse_money(fields["cost"], line), fields))
        else:
            vid = fields["voter_id"]
            if not vid or vid in voter_ids:
                raise PbFormatError(f"empty or repeated voter_id {vid!r}", line)
            voter_ids.add(vid)
            chosen = _split_ids(fields["vote"])
            for pid in chosen:
                if pid not in project_ids:
                    raise PbFormatError(f"vote for unknown project {pid!r}", line)
            points = None
            kind = meta.get("vote_type", "approval")
            if len(set(chosen)) != len(chosen):
                if kind not in ("approval", "choose-1"):
                    raise PbFormatError("a project appears twice in one vote", line)
                # an approval ballot is a set (as in pabutools): keep the first
                chosen = list(dict.fromkeys(chosen))
            if kind not in VOTE_TYPES:
                raise PbFormatError(f"unknown vote type {kind!r}", line)
            if kind == "choose-1" and len(chosen) > 1:
                raise PbFormatError("choose-1 vote names more than one project", line)
            if kind == "cumulative":
                raw = _split_ids(fields.get("points", ""))
                if len(raw) != len(chosen):
                    raise PbFormatError("points do not match the projects voted for", line)
                try:
                    points = [int(x) for x in raw]
                except ValueError:
                    raise PbFormatError("points must be whole numbers", line) from None
                if any(x < 0 for x in points):
                    raise PbFormatError("points must not be negative", line)
            votes.append(PbVote(vid, chosen, points, fields))
    for name in SECTIONS:
        if name not in seen:
            raise PbFormatError(f"missing section {name.upper()}", reader.line_num)
    if "budget" not in meta:
        raise PbFormatError("META has no budget")
    parse_money(meta["budget"])
    kind = meta.get("vote_type", "approval")
    if kind not in VOTE_TYPES:
        raise PbFormatError(f"unknown vote type {kind!r}")
    return PbElection(meta, projects, votes, pcols, vcols)


def read(path) -> PbElection:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return parse(fh.read())


def write(election: PbElection, selected: list[str] | None = None) -> str:
    """Serialise to .pb text. ``selected`` (ids) fills the `selected` column."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["budget"] = format_money(election.budget)
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(len(election.votes))
    meta.setdefault("vote_type", "approval")
    w.writerow(["META"])
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])
    pcols = list(election.project_columns) or ["project_id", "cost"]
    for c in ("project_id", "cost"):
        if c not in pcols:
            pcols.insert(0 if c == "project_id" else 1, c)
    chosen = set(selected) if selected is not None else None
    if chosen is not None and "selected" not in pcols:
        pcols.append("selected")
    w.writerow(["PROJECTS"])
    w.writerow(pcols)
    for p in election.projects:
        row = dict(p.fields)
        row["project_id"], row["cost"] = p.id, format_money(p.cost)
        if chosen is not None:
            row["selected"] = "1" if p.id in chosen else "0"
        w.writerow([row.get(c, "") for c in pcols])
    vcols = list(election.vote_columns) or ["voter_id", "vote"]
    if election.vote_type == "cumulative" and "points" not in vcols:
        vcols.append("points")
    w.writerow(["VOTES"])
    w.writerow(vcols)
    for v in election.votes:
        row = dict(v.fields)
        row["voter_id"], row["vote"] = v.voter_id, ",".join(v.projects)
        if v.points is not None:
            row["points"] = ",".join(str(x) for x in v.points)
        w.writerow([row.get(c, "") for c in vcols])
    return out.getvalue()
