"""Between a pabulib election (proposals.counting.pabulib) and the database.

Import: the whole file is parsed and checked first (every problem names its line),
then written in one transaction, so a bad file or a failure half-way leaves nothing.
Ballots go in with Core bulk inserts in chunks: Łódź 2022 has 90,494 voters and
325,964 choices, far too many for one ORM object each.

Export: a round back to .pb text with the parser's writer. An imported round gives
back its own META, project columns and voter ids; a round held on the site gets a
META made from the round and voter ids 1..n in ballot-id order (ballot ids are
random, so the numbering says nothing about who voted or when).
"""
from __future__ import annotations

import csv
import io
import json
import secrets
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from app import audit
from app.accounts.models import User
from app.community import Community
from app.extensions import db
from app.timeutil import utcnow
from proposals.models import Idea, StageChange

from ..counting import pabulib as pb
from ..counting.pabulib import PbElection, PbFormatError, PbProject, PbVote
from .models import Ballot, BallotChoice, Participation, Round, RoundEntry
from .results import vote_totals

SYSTEM_USERNAME = "pabulib_import"
SYSTEM_DISPLAY_NAME = "pabulib 导入"
# Not an argon2 hash, so no password can ever match it (verify_secret says False).
SYSTEM_PASSWORD_HASH = "!pabulib-import: this account cannot sign in"
MAX_INT = 2**31 - 1  # Integer columns (lengths, points): 32 bits on PostgreSQL
MAX_FEN = 2**63 - 1  # money columns are 64-bit everywhere (app/money.py)
MAX_PROJECT_ID, MAX_VOTER_ID = 64, 80 - len("pb:")
CHUNK = 5000
SHANGHAI = ZoneInfo("Asia/Shanghai")
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y")


class PbImportRefused(Exception):
    """The file is well formed but cannot go in (e.g. a name taken by a person)."""


# --- reading and checking -------------------------------------------------------------

def read_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise PbFormatError("the file is not UTF-8 text", line) from None


def parse_file(path: Path) -> PbElection:
    """The parsed and checked election; PbFormatError names the line."""
    text = read_text(path.read_bytes())
    election = pb.parse(text)
    check(election, Lines(text))
    return election


class Lines:
    """Line of each META key and of each project and vote, counted as pb.parse counts.
    Worked out only when a problem found after parsing needs its line named."""

    def __init__(self, text: str):
        self.text = text
        self._where: dict | None = None

    def _scan(self) -> dict:
        if self._where is None:
            where: dict = {"meta": {}, "projects": [], "votes": []}
            reader = csv.reader(io.StringIO(self.text.lstrip("\ufeff")), delimiter=";")
            section, header = None, None
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                first = row[0].strip().lower()
                if first in pb.SECTIONS and len([c for c in row if c.strip()]) == 1:
                    section, header = first, None
                elif header is None:
                    header = [c.strip() for c in row]
                elif section == "meta" and "key" in header:
                    where["meta"][row[header.index("key")].strip()] = reader.line_num
                elif section in ("projects", "votes"):
                    where[section].append(reader.line_num)
            self._where = where
        return self._where

    def meta(self, key: str) -> int | None:
        return self._scan()["meta"].get(key)

    def project(self, index: int) -> int:
        return self._scan()["projects"][index]

    def vote(self, index: int) -> int:
        return self._scan()["votes"][index]


def _meta_int(e: PbElection, key: str, lines: Lines, lowest: int, limit: int) -> int | None:
    raw = e.meta.get(key, "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.to_integral_value() \
            or not lowest <= value <= limit:
        raise PbFormatError(f"{key} must be a whole number of at least {lowest}, not {raw!r}",
                            lines.meta(key))
    return int(value)


def _money(amount: int, what: str, limit: int, line) -> None:
    if amount > limit:
        raise PbFormatError(f"{what} {pb.format_money(amount)} is more than this database "
                            f"can hold ({pb.format_money(limit)})", line() if line else None)


def check(e: PbElection, lines: Lines) -> None:
    """What pb.parse lets through but a round cannot hold; PbFormatError naming the line."""
    limit = MAX_INT
    _money(e.budget, "the budget", MAX_FEN, lambda: lines.meta("budget"))
    if e.meta.get("max_sum_cost", "").strip():
        _money(pb.parse_money(e.meta["max_sum_cost"], lines.meta("max_sum_cost")),
               "max_sum_cost", MAX_FEN, lambda: lines.meta("max_sum_cost"))
    top = _meta_int(e, "max_length", lines, 1, limit)
    _meta_int(e, "min_length", lines, 0, limit)
    if e.meta.get("rule", "").strip() == "greedy-threshold":
        _meta_int(e, "min_project_score_threshold", lines, 0, limit)
    for i, p in enumerate(e.projects):
        if len(p.id) > MAX_PROJECT_ID:
            raise PbFormatError(f"project_id longer than {MAX_PROJECT_ID} characters",
                                lines.project(i))
        _money(p.cost, "the cost", MAX_FEN, lambda: lines.project(i))
    for i, v in enumerate(e.votes):
        problem = None
        if len(v.voter_id) > MAX_VOTER_ID:
            problem = f"voter_id longer than {MAX_VOTER_ID} characters"
        elif v.points and max(v.points) > limit:
            problem = "points too large"
        elif e.vote_type == "ordinal" and top is not None and len(v.projects) > top:
            problem = f"an ordinal vote ranks more than max_length ({top}) projects"
        if problem:
            raise PbFormatError(problem, lines.vote(i))


# --- what the round looks like --------------------------------------------------------

def _date(raw: str, end: bool) -> datetime | None:
    raw = raw.strip()
    if raw.isdigit() and len(raw) == 4:  # a year only (Amsterdam)
        day = datetime(int(raw) + (1 if end else 0), 1, 1, tzinfo=timezone.utc)
        return day
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(raw, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
        return day + timedelta(days=1) if end else day  # the end day is a voting day
    return None


def voting_period(meta: dict[str, str]) -> tuple[datetime, datetime]:
    """From date_begin/date_end when they read as dates, always ended by now."""
    now = utcnow()
    opens, closes = _date(meta.get("date_begin", ""), False), _date(meta.get("date_end", ""), True)
    if opens is None or closes is None or opens >= closes:
        return now - timedelta(days=2), now - timedelta(days=1)
    if closes > now:
        closes = now - timedelta(days=1)
        opens = min(opens, closes - timedelta(days=1))
    return opens, closes


def rule_of(meta: dict[str, str]) -> tuple[str, int | None]:
    """The round's rule and greedy threshold from META rule (the original stays in META)."""
    name = meta.get("rule", "").strip()
    if name == "greedy-threshold":
        raw = meta.get("min_project_score_threshold", "").strip()
        return "greedy", int(Decimal(raw)) if raw else None
    if name.startswith("equalshares"):
        return "equal-shares", None
    return "greedy", None


def round_fields(e: PbElection, source: str) -> dict:
    meta = e.meta
    title = next((meta[k].strip() for k in ("description", "subunit", "unit")
                  if meta.get(k, "").strip()), source)
    rule, threshold = rule_of(meta)
    opens, closes = voting_period(meta)
    as_int = {k: int(Decimal(meta[k])) for k in ("max_length", "min_length")
              if meta.get(k, "").strip()}
    max_sum = meta.get("max_sum_cost", "").strip()
    return dict(title=title[:100], description=f"pabulib: {source}"[:2000],
                budget_fen=e.budget, opens_at=opens, closes_at=closes, unit="person",
                ballot_kind=e.vote_type, max_choices=as_int.get("max_length"),
                min_choices=as_int.get("min_length"),
                max_sum_cost_fen=pb.parse_money(max_sum) if max_sum else None,
                rule=rule, threshold=threshold, share_step=100,
                paper_needs_confirmation=False,
                pb_meta_json=json.dumps(meta, ensure_ascii=False))


# --- writing --------------------------------------------------------------------------

def system_author() -> User:
    """The disabled account that authors imported ideas (Idea.author_id is required)."""
    user = User.by_username(SYSTEM_USERNAME)
    if user is None:
        user = User(username=SYSTEM_USERNAME, display_name=SYSTEM_DISPLAY_NAME,
                    password_hash=SYSTEM_PASSWORD_HASH, disabled=True)
        db.session.add(user)
        db.session.flush()
    elif user.password_hash != SYSTEM_PASSWORD_HASH or not user.disabled:
        raise PbImportRefused(f"The username {SYSTEM_USERNAME!r} belongs to a person; "
                              "imported ideas cannot be put in their name.")
    return user


def _chunks(rows, size: int = CHUNK):
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _bulk(model, rows) -> None:
    for chunk in _chunks(rows):
        db.session.execute(insert(model.__table__), chunk)


def import_election(e: PbElection, slug: str, source: str) -> tuple[Round, bool]:
    """Write a checked election as a closed round of the community `slug` (created when
    missing). The caller holds the write transaction. Returns the round and whether the
    community was created."""
    fields = round_fields(e, source)
    community = Community.by_slug(slug)
    created = community is None
    if created:
        community = Community(slug=slug, name=slug)
        db.session.add(community)
    author = system_author()
    round_ = Round(community=community, **fields)
    db.session.add(round_)
    db.session.flush()
    reason = f"从 pabulib 文件 {source} 导入。"
    ideas = []
    for p in e.projects:
        name = p.fields.get("name", "").strip()
        idea = Idea(community=community, author_id=author.id,
                    title=(name or f"Project {p.id}")[:80],
                    description=p.fields.get("description", "").strip(), category="other",
                    estimated_cost_fen=p.cost, stage="in_round")
        idea.timeline.append(StageChange(
            from_stage=None, to_stage="in_round", reason=reason, cause_type="round",
            cause_id=round_.id, cause_label=round_.title))
        ideas.append(idea)
    db.session.add_all(ideas)
    db.session.flush()
    entries = [RoundEntry(round_id=round_.id, idea_id=idea.id, project_id=p.id,
                          cost_fen=p.cost, position=i + 1,
                          pb_fields_json=json.dumps(
                              {k: v for k, v in p.fields.items()
                               if k not in ("project_id", "cost")}, ensure_ascii=False))
               for i, (p, idea) in enumerate(zip(e.projects, ideas))]
    db.session.add_all(entries)
    db.session.flush()
    _write_ballots(round_, e, {en.project_id: en.id for en in entries})
    audit.record("round.import", community=community, target=round_, file=source,
                 projects=len(e.projects), ballots=len(e.votes))
    return round_, created


def _write_ballots(round_: Round, e: PbElection, entry_of: dict[str, int]) -> None:
    now = utcnow()
    ballot_ids = [secrets.token_hex(16) for _ in e.votes]
    ordinal = e.vote_type == "ordinal"
    _bulk(Participation, (
        dict(round_id=round_.id, voter_key="pb:" + v.voter_id, user_id=None, unit_id=None,
             channel="import", paper_ref="", revision=1, token=None, created_at=now,
             updated_at=now) for v in e.votes))
    _bulk(Ballot, (dict(id=bid, round_id=round_.id, token=None, counted=True,
                        pb_voter_id=v.voter_id) for bid, v in zip(ballot_ids, e.votes)))
    _bulk(BallotChoice, (
        dict(ballot_id=bid, entry_id=entry_of[pid], weight=weight,
             rank=rank if ordinal else None)
        for bid, ballot in zip(ballot_ids, e.ballots())
        for rank, (pid, weight) in enumerate(ballot.items())))


# --- export ---------------------------------------------------------------------------

def _site_meta(round_: Round) -> dict[str, str]:
    day = lambda t: t.astimezone(SHANGHAI).strftime("%d.%m.%Y")  # noqa: E731
    rule = {"greedy": "greedy-threshold" if round_.threshold else "greedy",
            "equal-shares": "equalshares/add1"}.get(round_.rule, round_.rule)
    meta = {"description": round_.title, "country": "China",
            "unit": round_.community.name, "instance": str(
                round_.opens_at.astimezone(SHANGHAI).year),
            "budget": pb.format_money(round_.budget_fen), "vote_type": "approval",
            "rule": rule, "date_begin": day(round_.opens_at), "date_end": day(round_.closes_at)}
    if round_.threshold:
        meta["min_project_score_threshold"] = str(round_.threshold)
    if round_.ballot_kind == "knapsack":
        meta["max_sum_cost"] = pb.format_money(round_.max_sum_cost_fen or round_.budget_fen)
    elif round_.max_choices:
        meta["max_length"] = str(round_.max_choices)
    if round_.min_choices:
        meta["min_length"] = str(round_.min_choices)
    meta.update(language="zh", currency="CNY")
    return meta


def _votes(round_: Round, kind: str, entries: list[RoundEntry]) -> list[PbVote]:
    pid = {e.id: e.project_id for e in entries}
    place = {e.id: i for i, e in enumerate(entries)}
    ballots = db.session.execute(
        select(Ballot.id, Ballot.pb_voter_id)
        .where(Ballot.round_id == round_.id, Ballot.counted.is_(True))
        .order_by(Ballot.id)).all()
    chosen: dict[str, list] = {bid: [] for bid, _v in ballots}
    for bid, eid, weight, rank in db.session.execute(
            select(BallotChoice.ballot_id, BallotChoice.entry_id, BallotChoice.weight,
                   BallotChoice.rank)
            .join(Ballot, Ballot.id == BallotChoice.ballot_id)
            .where(Ballot.round_id == round_.id, Ballot.counted.is_(True))):
        key = rank if kind == "ordinal" and rank is not None else place[eid]
        chosen[bid].append((key, pid[eid], weight))
    if ballots and all(v is not None for _b, v in ballots):
        # An imported file's own (public) voter ids, in the file's order.
        order = {key[3:]: n for n, key in db.session.execute(
            select(Participation.id, Participation.voter_key)
            .where(Participation.round_id == round_.id, Participation.channel == "import"))}
        ballots.sort(key=lambda b: (order.get(b[1], len(order)), b[1]))
        names = [v for _b, v in ballots]
    else:
        names = [str(n) for n in range(1, len(ballots) + 1)]
    votes = []
    for name, (bid, _v) in zip(names, ballots):
        picks = sorted(chosen[bid])
        votes.append(PbVote(name, [p for _k, p, _w in picks],
                            [w for _k, _p, w in picks] if kind == "cumulative" else None))
    return votes


def election_for_export(round_: Round) -> PbElection:
    entries = list(round_.entries)
    if round_.pb_meta_json:
        meta = json.loads(round_.pb_meta_json)
        meta["budget"] = pb.format_money(round_.budget_fen)
        kind = meta["vote_type"] = round_.ballot_kind
        fields = [json.loads(e.pb_fields_json or "{}") for e in entries]
    else:
        meta, kind = _site_meta(round_), "approval"
        totals = vote_totals(round_)
        fields = [{"votes": str(totals.get(e.id, 0)), "name": e.idea.title} for e in entries]
    columns = ["project_id", "cost"] + [c for c in (fields[0] if fields else {})
                                        if c not in ("project_id", "cost")]
    projects = [PbProject(e.project_id, e.cost_fen, {**f, "project_id": e.project_id})
                for e, f in zip(entries, fields)]
    vote_columns = ["voter_id", "vote"] + (["points"] if kind == "cumulative" else [])
    return PbElection(meta, projects, _votes(round_, kind, entries), columns, vote_columns)


def export_text(round_: Round) -> str:
    """The round as .pb text; `selected` is filled (1/0) once the result is adopted."""
    selected = [e.project_id for e in round_.entries if e.won] if round_.adopted else None
    return pb.write(election_for_export(round_), selected=selected)

