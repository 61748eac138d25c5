"""`flask --app wsgi pb import | tally | export`: rounds in the pabulib .pb format.

For researchers and for checking our counts against pabutools: import a city's file as a
closed round, count it with either rule, and write a round back out. Messages go to
stderr; `pb tally --json` prints one JSON object and nothing else on stdout.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from app.database import write_transaction
from app.extensions import db

from ..counting.pabulib import PbFormatError, format_money
from . import pbio
from .models import RULE_NAMES, Round
from .results import count, election_of

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")

pb_group = click.Group("pb", help="Import, count and export budget rounds as pabulib .pb files.")


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        fail(f"There is no round {round_id}.")
    return round_


@pb_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--community", "slug", default="pabulib", show_default=True,
              help="Slug of the community the round goes into (created if missing).")
@with_appcontext
def import_command(file: Path, slug: str) -> None:
    """Import FILE.pb as a closed round with an idea per project and the file's ballots.

    Vote types approval, cumulative, ordinal and choose-1. The whole file is checked
    before anything is written; a bad file is refused with its line number and nothing
    is created. The last line printed is the new round's id.
    """
    if not SLUG_RE.fullmatch(slug):
        fail(f"{slug!r} is not a community slug (lowercase letters, digits, -).")
    try:
        election = pbio.parse_file(file)
    except PbFormatError as exc:
        fail(f"{file.name}: {exc}. Nothing was imported.")
    try:
        with write_transaction():
            round_, created = pbio.import_election(election, slug, file.name)
            round_id = round_.id
    except pbio.PbImportRefused as exc:
        fail(f"{exc} Nothing was imported.")
    except SQLAlchemyError as exc:
        fail(f"The database refused the import ({exc.__class__.__name__}: "
             f"{str(getattr(exc, 'orig', exc)).strip()}). Nothing was imported.")
    new = " (new community)" if created else ""
    click.echo(f"{file.name}: {len(election.projects)} projects, {len(election.votes)} "
               f"ballots ({election.vote_type}) imported into {slug}{new} as round:")
    click.echo(str(round_id))


@pb_group.command("tally")
@click.argument("round_id", metavar="ROUND", type=int)
@click.option("--rule", type=click.Choice(RULE_NAMES), required=True,
              help="greedy (most votes first) or equal-shares (Method of Equal Shares, "
                   "cost utilities, Add1 completion).")
@click.option("--threshold", type=click.IntRange(min=1), default=None,
              help="greedy only: fund only projects with at least N votes (none unless given).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: rule, selected, spent, budget, seconds.")
@with_appcontext
def tally_command(round_id: int, rule: str, threshold: int | None, as_json: bool) -> None:
    """Count round ROUND with a rule; reads only, writes nothing.

    With --json, stdout holds exactly one object {"rule", "selected", "spent", "budget",
    "seconds"}: selected are the project ids as text in the order funded; spent and
    budget are numbers in the round's currency units (yuan, or the file's currency) with
    up to two exact decimals, e.g. 1234.5, written from integer hundredths without
    floats; seconds is the time of the counting alone, not of start-up or reading.
    """
    if threshold is not None and rule != "greedy":
        fail("--threshold applies to greedy only; equal-shares has no threshold.")
    round_ = _round(round_id)
    election = election_of(round_)
    selected, seconds = count(election, rule, threshold=threshold)
    db.session.rollback()  # read only: end the read transaction
    spent = sum(election.costs[p] for p in selected)
    if as_json:
        click.echo(tally_json(rule, selected, spent, election.budget, seconds))
        return
    click.echo(f"{rule}: {len(selected)} selected, spent {format_money(spent)} "
               f"of {format_money(election.budget)} in {seconds:.3f} s")
    click.echo(" ".join(selected))


def tally_json(rule: str, selected: list[str], spent: int, budget: int, seconds: float) -> str:
    """Money as JSON numbers written from hundredths with format_money, never via float."""
    return ('{"rule": %s, "selected": %s, "spent": %s, "budget": %s, "seconds": %s}'
            % (json.dumps(rule), json.dumps(selected, ensure_ascii=False),
               format_money(spent), format_money(budget), json.dumps(round(seconds, 6))))


@pb_group.command("export")
@click.argument("round_id", metavar="ROUND", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(round_id: int, file: Path) -> None:
    """Write round ROUND to FILE.pb; `selected` is filled once its result is adopted.

    A round held on the site numbers its voters 1..n (nothing that identifies anyone);
    knapsack rounds are written as approval with max_sum_cost, approval with a limit k
    as approval with max_length k.
    """
    round_ = _round(round_id)
    text = pbio.export_text(round_)
    db.session.rollback()
    try:
        file.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        fail(f"Cannot write {file}: {exc.strerror or exc}.")
    click.echo(f"Round {round_id} written to {file}.")
