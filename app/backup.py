"""`flask --app wsgi backup FILE` and `flask --app wsgi restore FILE [--force]`.

A backup is one tar.gz (app/backup_archive.py): every table as JSON lines read in one
snapshot (app/backup_rows.py), the whole uploads folder, and the secret key. It restores
on SQLite or PostgreSQL, whichever made it, into a database migrated to the same schema
revision. Restoring checks everything before it changes anything; the rows go in within
one transaction, and the uploads and the key only once that transaction has committed.
"""
from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, inspect, literal, select, text
from sqlalchemy.exc import SQLAlchemyError

from .backup_archive import (DATABASE, FORMAT, FORMAT_VERSION, KEY_MEMBER, UPLOADS,
                             ArchiveRefused, ArchiveWriter, unpack)
from .backup_rows import dump_table, header_problem, load_table, read_header
from .database import write_transaction
from .extensions import db
from .timeutil import utcnow

# Counters of what changed, for live pages and the page cache (deliberation/live.py, app/
# pagecache.py): any write leaves one, even emptying a database. Not data: never backed
# up, a database holding only these is empty, and a restore starts them afresh.
EPHEMERAL = {"change_marker"}
# Folders a restore makes inside the uploads folder while it works; never backed up.
WORK_PREFIXES = (".restore-", ".replaced-")
UPGRADE = "flask --app wsgi db upgrade"


class Refused(ArchiveRefused):
    """The command cannot go on; nothing was changed."""


# ---- what is where -------------------------------------------------------------------

def schema_revision(conn) -> str | None:
    """The migration revision the database is at (alembic_version), None without one."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return " ".join(sorted(heads)) or None


def upload_files(folder: Path) -> list[tuple[str, Path]]:
    """(name in the archive, path) of every regular file under the uploads folder."""
    found = []
    if not folder.is_dir():
        return found
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not (here == folder and d.startswith(WORK_PREFIXES))
                         and not (here / d).is_symlink())
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink():
                found.append((f"{UPLOADS}/{path.relative_to(folder).as_posix()}", path))
    return found


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.1f} kB"


# ---- backup --------------------------------------------------------------------------

@dataclass
class BackupReport:
    rows: int
    tables: int
    files: int
    file_bytes: int
    revision: str | None
    database: str
    seconds: float


def dump_database(folder: Path) -> tuple[str | None, list[dict]]:
    """Every table into `folder`, read in one transaction: REPEATABLE READ on PostgreSQL,
    one read transaction on SQLite (WAL keeps its snapshot while others write)."""
    conn = db.engine.connect()
    if db.engine.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ",
                                      postgresql_readonly=True)
    tables = []
    with conn, conn.begin():
        revision = schema_revision(conn)
        for table in _data_tables():
            member = f"{DATABASE}/{table.name}.jsonl"
            with open(folder / f"{table.name}.jsonl", "wb") as out:
                rows = dump_table(conn, table, out)
            tables.append({"name": table.name, "rows": rows, "member": member})
    return revision, tables


def make_backup(target: Path, *, force: bool = False) -> BackupReport:
    started = time.perf_counter()
    settings = current_app.config["SETTINGS"]
    if target.resolve().is_relative_to(settings.upload_dir.resolve()):
        raise ArchiveRefused("Write the backup outside the uploads folder: it would hold "
                             "itself.")
    writer = ArchiveWriter(target, force=force)
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".yishiting-backup-") as tmp:
            revision, tables = dump_database(Path(tmp))
            for t in tables:
                writer.add_file(t["member"], Path(tmp) / f"{t['name']}.jsonl")
        writer.add_bytes(KEY_MEMBER, current_app.config["SECRET_KEY"].encode("utf-8"))
        files = file_bytes = 0
        # After the database: a photo added meanwhile is only an extra file, never a row
        # pointing at a photo the archive lacks.
        for name, path in upload_files(settings.upload_dir):
            try:
                file_bytes += writer.add_file(name, path)
            except FileNotFoundError:
                continue  # deleted while we walked: it was being removed anyway
            files += 1
        kind = db.engine.dialect.name
        writer.finish({
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": utcnow().isoformat(), "revision": revision, "database": kind,
            "tables": tables, "rows": sum(t["rows"] for t in tables),
            "files": files, "file_bytes": file_bytes,
        })
    except BaseException:
        writer.abort()
        raise
    return BackupReport(sum(t["rows"] for t in tables), len(tables), files, file_bytes,
                        revision, kind, time.perf_counter() - started)


# ---- restore -------------------------------------------------------------------------

@dataclass
class RestoreReport:
    rows: int
    tables: int
    files: int
    manifest: dict
    seconds: float
    key_notes: list[tuple[bool, str]]  # (loud, line)


def check_schema(manifest: dict) -> None:
    theirs = manifest.get("revision")
    with db.engine.connect() as conn:
        ours = schema_revision(conn)
        present = set(inspect(conn).get_table_names())
    if ours is None and theirs is not None:
        raise Refused(f"The database has no schema yet. Run `{UPGRADE}` first, then "
                      "restore again.")
    if ours != theirs:
        raise Refused(
            f"The backup was made at schema revision {theirs or '(none)'}, and this "
            f"database is at {ours or '(none)'}. Restore into an empty database at "
            f"{theirs or '(none)'} (`{UPGRADE} {theirs}` if this version of Yishiting "
            f"knows it, then `{UPGRADE}` after the restore), or with the version of "
            "Yishiting that made the backup.")
    missing = [t.name for t in db.metadata.sorted_tables if t.name not in present]
    if missing:
        raise Refused(f"The database lacks tables ({', '.join(missing[:5])}). Run "
                      f"`{UPGRADE}` first, then restore again.")


def table_plan(manifest: dict, staging: Path) -> list[tuple]:
    """(table, file, rows) in dependency order, once each file's columns match ours."""
    listed = {t.get("name"): t for t in manifest.get("tables") or []
              if isinstance(t, dict) and t.get("name") not in EPHEMERAL}
    ours = _data_tables()
    problems = [f"table {t.name} is missing" for t in ours if t.name not in listed]
    problems += [f"table {name} is unknown here" for name in
                 sorted(set(listed) - {t.name for t in ours})]
    plan = []
    for table in ours:
        entry = listed.get(table.name)
        if entry is None:
            continue
        if entry.get("member") not in manifest["members"]:
            problems.append(f"table {table.name} has no file")
            continue
        path = staging / entry["member"]
        with open(path, "rb") as fh:
            try:
                problem = header_problem(table, read_header(fh))
            except ValueError:
                problem = f"table {table.name}: its file has no header"
        if problem:
            problems.append(problem)
        plan.append((table, path, entry.get("rows")))
    if problems:
        raise Refused("The backup does not fit this version of Yishiting: "
                      + "; ".join(problems[:5]) + ".")
    return plan


def _data_tables() -> list:
    return [t for t in db.metadata.sorted_tables if t.name not in EPHEMERAL]


def _has_rows(conn) -> list[str]:
    return [t.name for t in _data_tables()
            if conn.execute(select(literal(1)).select_from(t).limit(1)).first()]


def _not_empty(busy: list[str]) -> Refused:
    return Refused(f"The database is not empty (there are rows in {', '.join(busy[:5])}"
                   f"{' …' if len(busy) > 5 else ''}). Restore into an empty database, or "
                   "use --force to replace everything in it with the backup.")


def load_database(plan: list[tuple], *, force: bool) -> int:
    """Empty the tables (only with --force) and load the rows, in one transaction."""
    total = 0
    with write_transaction() as session:
        if force:
            for table in reversed(db.metadata.sorted_tables):
                session.execute(table.delete())
        else:
            busy = _has_rows(session)  # again, under the write lock
            if busy:
                raise _not_empty(busy)
            for table in db.metadata.sorted_tables:
                if table.name in EPHEMERAL:
                    session.execute(table.delete())
        for table, path, expected in plan:
            try:
                with open(path, "rb") as fh:
                    loaded = load_table(session, table, fh)
            except SQLAlchemyError as exc:
                reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                raise Refused(f"The database refused the rows of table {table.name}: "
                              f"{reason}") from exc
            if loaded != expected:
                raise Refused(f"Table {table.name} holds {loaded} rows, its manifest says "
                              f"{expected}: the backup is damaged.")
            total += loaded
        if db.engine.dialect.name == "postgresql":
            reset_sequences(session)
    return total


def reset_sequences(session) -> None:
    """Each serial or identity column's sequence goes on after the highest id restored,
    so the next idea does not collide with a restored one."""
    ours = {t.name: t for t in db.metadata.sorted_tables}
    quote = db.engine.dialect.identifier_preparer.quote
    rows = session.execute(text(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() "
        "AND (column_default LIKE :serial OR is_identity = 'YES')"),
        {"serial": "nextval(%"}).all()
    for name, column in rows:
        table = ours.get(name)
        if table is None:
            continue
        top = func.max(table.c[column])
        session.execute(select(func.setval(
            func.pg_get_serial_sequence(quote(name), column),
            func.coalesce(top, 1), top.is_not(None))).select_from(table))


def _has_files(folder: Path) -> bool:
    return bool(upload_files(folder))


def _merge(src: Path, dst: Path) -> None:
    """Move the tree `src` into `dst` by renames (both inside the uploads folder, so on
    one file system even when that folder is a mount point)."""
    if src.is_dir() and dst.is_dir():
        for child in src.iterdir():
            _merge(child, dst / child.name)
    else:
        os.replace(src, dst)


def place_uploads(folder: Path, staged: Path, *, force: bool) -> None:
    old = None
    if force:
        old = folder / f"{WORK_PREFIXES[1]}{secrets.token_hex(4)}"
        old.mkdir()
        for entry in folder.iterdir():
            if not entry.name.startswith(WORK_PREFIXES):
                os.replace(entry, old / entry.name)
    if staged.is_dir():
        _merge(staged, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def restore_key(key: str) -> list[tuple[bool, str]]:
    """Write the key where Settings reads it when SECRET_KEY is not set; what to say."""
    settings = current_app.config["SETTINGS"]
    path = settings.instance_path / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".secret_key.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    os.replace(tmp, path)
    from_env = os.environ.get("SECRET_KEY")
    if from_env and from_env != key:
        return [(True, "WARNING: SECRET_KEY is set in the environment and differs from the "
                       "backup's secret key. The site will go on signing with the "
                       "environment's key, so sessions and signed links made before the "
                       "backup will NOT be accepted. To keep them, set SECRET_KEY to the "
                       f"restored key, now in {path}.")]
    if current_app.config["SECRET_KEY"] != key:
        return [(False, f"The backup's secret key is in {path}: restart the site so that "
                        "it signs with it.")]
    return [(False, "The secret key is the one the site already uses.")]


def restore_archive(archive: Path, *, force: bool = False) -> RestoreReport:
    started = time.perf_counter()
    folder = current_app.config["SETTINGS"].upload_dir
    made_folder = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f"{WORK_PREFIXES[0]}{secrets.token_hex(4)}"
    staging.mkdir()
    done = False
    try:
        manifest = unpack(archive, staging)
        key = (staging / KEY_MEMBER).read_text("utf-8").strip() \
            if (staging / KEY_MEMBER).is_file() else ""
        if not key:
            raise Refused("The backup holds no secret key: it is damaged.")
        check_schema(manifest)
        plan = table_plan(manifest, staging)
        if not force:
            with db.engine.connect() as conn:
                busy = _has_rows(conn)
            if busy:
                raise _not_empty(busy)
        if not force and _has_files(folder):
            raise Refused(f"The uploads folder {folder} is not empty. Restore into an "
                          "empty site, or use --force to replace its contents with the "
                          "backup's.")
        rows = load_database(plan, force=force)
        done = True  # from here on the restore has happened: the files follow the rows
        place_uploads(folder, staging / UPLOADS, force=force)
        notes = restore_key(key)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if made_folder and not done:
            shutil.rmtree(folder, ignore_errors=True)
    return RestoreReport(rows, len(plan), manifest.get("files", 0), manifest,
                         time.perf_counter() - started, notes)


# ---- commands ------------------------------------------------------------------------

def _fail(message: str, tail: str) -> None:
    click.echo(f"{message} {tail}", err=True)
    sys.exit(1)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_command(file: Path, force: bool) -> None:
    """Write the database, the uploads and the secret key to one archive FILE (tar.gz)."""
    try:
        r = make_backup(file, force=force)
    except ArchiveRefused as refused:
        _fail(refused.message, "No backup was written.")
    except SQLAlchemyError as exc:
        _fail(f"The database could not be read ({exc.__class__.__name__}: "
              f"{str(getattr(exc, 'orig', exc)).strip()}).", "No backup was written.")
    click.echo(f"Backed up {r.rows:,} rows of {r.tables} tables and {r.files:,} files "
               f"({_size(r.file_bytes)}) from {r.database} at schema revision "
               f"{r.revision or '(none)'} to {file} in {r.seconds:.2f} s.")
    click.echo("The archive holds every password hash and the secret key: keep it where "
               "only the site's administrators can read it.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace everything in a database and uploads folder that are not empty.")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Restore a backup FILE into an empty database at the same schema revision."""
    try:
        r = restore_archive(file, force=force)
    except ArchiveRefused as refused:
        _fail(refused.message, "Nothing was restored.")
    except SQLAlchemyError as exc:
        _fail(f"The database could not be used ({exc.__class__.__name__}: "
              f"{str(getattr(exc, 'orig', exc)).strip()}).", "Nothing was restored.")
    m = r.manifest
    click.echo(f"Restored {r.rows:,} rows of {r.tables} tables and {r.files:,} files from "
               f"{file} (made {m.get('created_at')} on {m.get('database')}, schema revision "
               f"{m.get('revision') or '(none)'}) in {r.seconds:.2f} s.")
    for loud, line in r.key_notes:
        click.echo(line, err=loud)
