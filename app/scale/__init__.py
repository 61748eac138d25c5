"""`flask --app wsgi seed-scale`: a city's worth of data for benchmarks, made in minutes.

    flask --app wsgi seed-scale --preset city|town|tiny [--database URL] [--force]
                                [--seed N] [--manifest PATH]

The data goes to a database of its own (`instance/scale-<preset>.db` unless `--database`
names one), never to the site's unless named. The schema is made by the migrations, as
`flask db upgrade` makes it. A database holding any row is refused unless `--force`
empties it first. The same preset and seed give the same rows, every time. Next to the
database, `<file>.manifest.json` names what the benchmarks open (see `generate._targets`).
"""
from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app.extensions import db
from app.settings import normalise_database_url

from .bulk import empty, row_counts
from .generate import Result, generate
from .presets import PRESETS


class Refused(Exception):
    pass


def target_url(preset: str, database: str | None) -> str:
    if database:
        return normalise_database_url(database)
    folder = current_app.config["SETTINGS"].instance_path
    return f"sqlite:///{Path(folder) / f'scale-{preset}.db'}"


def manifest_path(url: str, given: Path | None) -> Path:
    if given is not None:
        return given
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database + ".manifest.json")
    raise Refused("This database is not a file: give --manifest PATH for the manifest.")


@click.command("seed-scale")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default="city", show_default=True)
@click.option("--database", "database", help="Target database URL (default: a new SQLite "
              "file instance/scale-<preset>.db).")
@click.option("--force", is_flag=True, help="Empty a target that already holds data.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the manifest (needed when the target is not a file).")
@with_appcontext
def seed_scale_command(preset: str, database: str | None, force: bool, seed: int,
                       manifest: Path | None) -> None:
    """Generate a large, deterministic data set for benchmarks."""
    url = target_url(preset, database)
    settings = current_app.config["SETTINGS"]
    if settings.production and force and url == settings.database_url:
        raise click.ClickException("Refusing to empty the site's own database: this site "
                                   "runs with production settings.")
    try:
        where = manifest_path(url, manifest)
        result, urls = load(url, preset, seed, force)
    except Refused as exc:
        raise click.ClickException(str(exc)) from None
    data = {"preset": preset, "seed": seed, "database": make_url(url).render_as_string(
        hide_password=True), "seconds": round(result.seconds, 1), "rows": result.counts,
        **result.targets, "urls": urls}
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report(result, where)


def load(url: str, preset: str, seed: int, force: bool) -> tuple[Result, dict]:
    """Make the schema in the target, refuse or empty what is there, then generate."""
    from app import create_app
    settings = current_app.config["SETTINGS"]
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    target = create_app(dataclasses.replace(settings, database_url=url, extra={}))
    with target.app_context():
        with db.engine.connect() as conn:
            rows = sum(row_counts(conn).values())
        if rows and not force:
            raise Refused(f"The target database already holds {rows} rows: nothing changed. "
                          "Give --force to empty it first, or another --database.")
        started = time.perf_counter()
        make_schema()
        schema_seconds = time.perf_counter() - started
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # Our own target: a power cut during the load costs only the load.
                conn.connection.dbapi_connection.execute("PRAGMA synchronous=OFF")
            with conn.begin():
                if rows:
                    empty(conn)
                result = generate(conn, PRESETS[preset], seed)
        result.phases.insert(0, ("schema (migrations)", schema_seconds))
        result.seconds += schema_seconds
        with target.test_request_context():
            urls = page_urls(result.targets)
        db.engine.dispose()
    return result, urls


def make_schema() -> None:
    """The schema as `flask db upgrade` makes it; a database made by create_all (as the
    tests make theirs) is completed the same way."""
    from flask_migrate import upgrade
    with db.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
    if names and "alembic_version" not in names:
        db.create_all()
    else:
        upgrade()


def page_urls(t: dict) -> dict:
    slug = t["community"]["slug"]
    search = t["idea_list_search"]
    screen = t["projector_fragment"]
    return {
        "home": url_for("proposals.home", slug=slug),
        "idea_list": url_for("proposals.idea_list", slug=slug),
        "idea_list_search": url_for("proposals.idea_list", slug=slug, q=search["q"],
                                    stage=search["stage"]),
        "idea_page": url_for("proposals.idea_page", slug=slug,
                             idea_id=t["idea_page"]["idea_id"]),
        "round_results": url_for("rounds.results", slug=slug,
                                 round_id=t["round_results"]["round_id"]),
        "projector_fragment": url_for("meetings.screen_live", slug=slug,
                                      meeting_id=screen["meeting_id"], token=screen["token"]),
        "projector": url_for("meetings.screen", slug=slug, meeting_id=screen["meeting_id"],
                             token=screen["token"]),
        "ballot": url_for("rounds.ballot", slug=slug, round_id=t["ballot"]["round_id"]),
    }


def report(result: Result, manifest: Path) -> None:
    if result.skipped:
        click.echo("Not written (the migrations do not have them yet): "
                   + ", ".join(result.skipped), err=True)
    for name, seconds in result.phases:
        click.echo(f"  {name:<48} {seconds:7.1f} s")
    click.echo(f"  {'total':<48} {result.seconds:7.1f} s")
    rows = sorted(result.counts.items(), key=lambda kv: -kv[1])
    click.echo("Rows: " + ", ".join(f"{name} {n:,}" for name, n in rows) + ".")
    click.echo(f"{sum(result.counts.values()):,} rows in {result.seconds:.1f} s; "
               f"manifest: {manifest}")

