"""`flask --app wsgi owners import-units | new | import-votes | result`: the owners'
register and owners' decisions (业主表决) for staff who keep them in spreadsheets.

Every command exits 0 on success; when anything is refused it prints the reasons on
stderr (each bad line of a file with its number), exits 1, and has written nothing.
Files are UTF-8 (a BOM is accepted) or GB18030, columns found by the header row (see
register_csv). `owners result --json` prints exactly one JSON object on stdout.
"""
from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.community import Building, Community
from app.database import write_transaction
from app.extensions import db

from . import decisions as d
from . import rule
from .models import DecisionUnit, Owner, OwnersDecision
from .register import import_register
from .register_csv import RegisterError, decode, parse_units, parse_votes

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
BUILDING_SEPARATORS = re.compile(r"[,，、]")

owners_group = click.Group("owners", help="Owners' register and owners' decisions (业主表决).")


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _refuse_file(error: RegisterError) -> None:
    """Every bad line with its number, then the verdict."""
    for each in error.errors:
        click.echo(str(each), err=True)
    lines = [e for e in error.errors if e.line is not None]
    if lines:
        fail(f"Nothing was imported: {_n(len(lines), 'bad line')}.")
    fail("Nothing was imported.")


def _database_refused(exc: SQLAlchemyError) -> None:
    fail(f"The database refused the import ({exc.__class__.__name__}: "
         f"{str(getattr(exc, 'orig', exc)).strip()}). Nothing was imported.")


def _decision(decision_id: int) -> OwnersDecision:
    decision = db.session.get(OwnersDecision, decision_id)
    if decision is None:
        fail(f"There is no owners' decision {decision_id}.")
    return decision


def _local(moment: datetime) -> str:
    return moment.astimezone(d.LOCAL).strftime("%Y-%m-%d %H:%M")


@owners_group.command("import-units")
@click.argument("community")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_units_command(community: str, file: Path) -> None:
    """Replace COMMUNITY's owners' register with FILE.csv (the community is created if
    it does not exist). Columns unit, building, area_m2, owner_id, developer_unsold: one
    row per unit; an owner_id on several rows owns several units; all unsold units carry
    the developer's one owner_id. Open decisions keep the register they opened with."""
    if not SLUG_RE.fullmatch(community):
        fail(f"{community!r} is not a community slug (lowercase letters, digits, -).")
    try:
        rows = parse_units(decode(file.read_bytes()))
        summary = import_register(community, rows)
    except RegisterError as error:
        _refuse_file(error)
    except SQLAlchemyError as exc:
        _database_refused(exc)
    new = " (new community)" if summary.community_created else ""
    text = (f"{community}{new}: {_n(summary.units, 'unit')} held by "
            f"{_n(summary.owners, 'owner')} in the register (new: "
            f"{_n(summary.units_created, 'unit')}, {_n(summary.owners_created, 'owner')}; "
            f"{_n(summary.areas_changed, 'area')} changed).")
    if summary.units_dropped:
        text += f" No longer in the register: {_n(summary.units_dropped, 'unit')}."
    if summary.owners_without_units:
        text += (f" Known owners who now hold no unit: "
                 f"{summary.owners_without_units}.")
    click.echo(text)


def parse_closes(text: str) -> datetime:
    """An ISO date means the end of that day in Asia/Shanghai (votes all day long);
    a date and time without a zone is read as Shanghai time."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return d.local_day_start(day + timedelta(days=1))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO date (2025-06-30) or date and "
                                 f"time (2025-06-30T18:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=d.LOCAL)
    return moment.astimezone(timezone.utc)


@owners_group.command("new")
@click.argument("community")
@click.option("--matter", required=True,
              help=f"What is decided: {', '.join(rule.MATTERS)} "
                   f"({', '.join(sorted(rule.SPECIAL))} need three quarters, "
                   f"the others more than half).")
@click.option("--title", required=True, help="The question put to the owners.")
@click.option("--buildings", default="",
              help="Names of the buildings in scope, separated by commas (default: all).")
@click.option("--closes", "closes", default=None,
              help="Closing date (ISO, the end of that day in Shanghai time); "
                   "default 14 days from now.")
@with_appcontext
def new_command(community: str, matter: str, title: str, buildings: str,
                closes: str | None) -> None:
    """Open an owners' decision in COMMUNITY at once over the register as it is now.
    The last line printed is the decision's id."""
    try:
        closes_at = parse_closes(closes) if closes else None
    except click.BadParameter as exc:
        fail(f"--closes: {exc.message}")
    names = [n.strip() for n in BUILDING_SEPARATORS.split(buildings) if n.strip()]
    try:
        with write_transaction():
            place = Community.by_slug(community)
            if place is None:
                raise d.DecisionRefused(f"There is no community {community!r}.")
            known = {b.name: b for b in db.session.scalars(
                select(Building).where(Building.community_id == place.id))}
            unknown = [n for n in names if n not in known]
            if unknown:
                raise d.DecisionRefused(
                    f"{place.slug} has no building {', '.join(unknown)} "
                    f"(it has: {', '.join(sorted(known)) or 'none'}).")
            decision = d.open_decision(place, matter, title,
                                       buildings=[known[n] for n in names],
                                       closes_at=closes_at)
            decision_id, closes_at = decision.id, decision.closes_at
            units = len(decision.units)
            owners = len({u.owner_id for u in decision.units})
    except d.DecisionRefused as refused:
        fail(refused.message)
    scope = ", ".join(names) if names else "the whole community"
    click.echo(f"Owners' decision on {matter} (needs {rule.threshold_label(matter)}) over "
               f"{scope}: {_n(units, 'unit')}, {_n(owners, 'owner')}; "
               f"open until {_local(closes_at)}:")
    click.echo(str(decision_id))


class _RowsRefused(Exception):
    def __init__(self, errors: list[RegisterError]):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


@owners_group.command("import-votes")
@click.argument("decision_id", metavar="DECISION", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signed-on", "signed_on", default=None,
              help="The date on the sheets (ISO date). Needed after the close: within "
                   "three days of it, sheets dated before the close can still be entered.")
@with_appcontext
def import_votes_command(decision_id: int, file: Path, signed_on: str | None) -> None:
    """Enter the signature sheets of FILE.csv into decision DECISION: columns owner_id,
    choice (agree, against, abstain or 同意, 反对, 弃权) and sheet_ref."""
    try:
        day = date.fromisoformat(signed_on) if signed_on else None
    except ValueError:
        fail(f"--signed-on: {signed_on!r} is not an ISO date (2025-06-30).")
    decision = _decision(decision_id)
    try:
        d.sheet_window(decision, day)  # refused for the whole file, not line by line
    except d.DecisionRefused as refused:
        fail(f"{refused.message} Nothing was imported.")
    known = set(db.session.scalars(select(Owner.register_id)
                                   .where(Owner.community_id == decision.community_id)))
    in_scope = set(db.session.scalars(
        select(Owner.register_id).join(DecisionUnit, DecisionUnit.owner_id == Owner.id)
        .where(DecisionUnit.decision_id == decision.id)))
    try:
        rows = parse_votes(decode(file.read_bytes()), known_owners=known, in_scope=in_scope)
    except RegisterError as error:
        _refuse_file(error)
    db.session.rollback()  # end the reads; the writes take the lock afresh
    counts = dict.fromkeys(rule.CHOICES, 0)
    try:
        with write_transaction():
            decision = db.session.get(OwnersDecision, decision_id)
            owners = {o.register_id: o for o in db.session.scalars(
                select(Owner).where(Owner.community_id == decision.community_id))}
            errors = []
            for row in rows:
                try:
                    d.enter_sheet(decision, owners[row.owner_id], row.choice,
                                  row.sheet_ref, staff=None, signed_on=day)
                except d.DecisionRefused as refused:
                    errors.append(RegisterError(refused.message, row.line))
                else:
                    counts[row.choice] += 1
            if errors:
                raise _RowsRefused(errors)  # rolls back the rows entered before
    except _RowsRefused as refused:
        first = refused.errors[0]
        _refuse_file(RegisterError(first.message, first.line, refused.errors))
    except SQLAlchemyError as exc:
        _database_refused(exc)
    click.echo(f"{_n(len(rows), 'signature sheet')} entered into decision {decision_id}: "
               f"{counts['agree']} agree, {counts['against']} against, "
               f"{counts['abstain']} abstain.")


@owners_group.command("result")
@click.argument("decision_id", metavar="DECISION", type=int)
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: status, matter, threshold, owners_total, "
                   "owners_participating, owners_agree, area_total, area_participating, "
                   "area_agree, quorum, passed, conflicts.")
@with_appcontext
def result_command(decision_id: int, as_json: bool) -> None:
    """The current tally of decision DECISION, open or closed; reads only.
    Counts are integers, areas decimal strings with two decimals ("1234.50")."""
    data = d.result_json(_decision(decision_id))
    db.session.rollback()  # read only: end the read transaction
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    verdict = ("passed" if data["passed"] else
               "not passed" if data["quorum"] else "no quorum")
    click.echo(f"Decision {decision_id} ({data['matter']}, needs {data['threshold']}), "
               f"{data['status']}: {verdict}.")
    click.echo(f"Taking part: {data['owners_participating']} of "
               f"{_n(data['owners_total'], 'owner')}, {data['area_participating']} of "
               f"{data['area_total']} m².")
    click.echo(f"Agreeing: {_n(data['owners_agree'], 'owner')}, {data['area_agree']} m².")
    if data["conflicts"]:
        click.echo(f"Conflicts to resolve: {data['conflicts']}.")
