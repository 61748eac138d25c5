"""What bench/pages.py and bench/ballots.py share: the data set, gunicorn, wrk.

- `prepare(kind, preset)`: the `seed-scale` data set on SQLite (the file
  `instance/scale-<preset>.db`, reused while its schema is at the migrations' head) or
  on PostgreSQL (a schema of its own in BENCH_DATABASE_URL, dropped by `cleanup()`).
- `serving(...)`: gunicorn with app/gunicorn_conf.py (tests/meeting_server.Server) in
  production mode, with the `/_bare` ceiling route (BENCH_BARE=1).
- `wrk(...)`: one wrk run, parsed (req/s, p50/p99, errors, non-2xx/3xx).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.meeting_server import (Database, Server, fetch, listening_socket,  # noqa: E402
                                  postgres_database, server_env)

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
FLASK = ROOT / ".venv" / "bin" / "flask"


class Broken(RuntimeError):
    """The run itself failed (a page not 200, wrk errors): the script exits 1."""


# --- the data set ---------------------------------------------------------------------

@dataclass
class DataSet:
    kind: str  # "sqlite" or "postgresql"
    database: Database
    manifest: dict

    def cleanup(self) -> None:
        self.database.cleanup()


def pg_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)


def pg_answers(url: str | None = None) -> bool:
    """Whether PostgreSQL at `url` takes a connection (in 3 s)."""
    parts = urllib.parse.urlsplit(url or pg_url())
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 3):
            pass
    except OSError:
        return False
    try:
        import psycopg
        with psycopg.connect(url or pg_url(), connect_timeout=3):
            return True
    except Exception:
        return False


def _head_revision() -> str:
    from alembic.script import ScriptDirectory
    return ScriptDirectory(str(ROOT / "app" / "migrations")).get_current_head()


def _sqlite_revision(path: Path) -> str | None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.Error, TypeError):
        return None


def _seed_scale(url: str, preset: str, manifest: Path, tmp: Path) -> dict:
    """`flask seed-scale`, its output shown; the site's own database is never opened
    (the command's app is pointed at the target too)."""
    env = server_env(Database(url=url), tmp, "http://127.0.0.1:8000")
    print(f"seed-scale --preset {preset} → {manifest} …", flush=True)
    done = subprocess.run([str(FLASK), "--app", "wsgi", "seed-scale", "--preset", preset,
                           "--database", url, "--force", "--manifest", str(manifest)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    tail = done.stdout.strip().splitlines()[-1:] or [""]
    if done.returncode != 0:
        raise Broken(f"seed-scale failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    print(f"  {tail[0]}", flush=True)
    return json.loads(manifest.read_text(encoding="utf-8"))


def sqlite_file(preset: str, tmp: Path, fresh: bool = False) -> tuple[Path, dict]:
    """instance/scale-<preset>.db and its manifest, made again when missing, when the
    migrations moved on since, or when `fresh`."""
    path = ROOT / "instance" / f"scale-{preset}.db"
    manifest = Path(str(path) + ".manifest.json")
    if not fresh and manifest.exists() and _sqlite_revision(path) == _head_revision():
        print(f"data set: {path} (reused; --fresh makes it again)", flush=True)
        return path, json.loads(manifest.read_text(encoding="utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, _seed_scale(f"sqlite:///{path}", preset, manifest, tmp)


def prepare(kind: str, preset: str, tmp: Path, *, fresh: bool = False,
            copy: bool = False) -> DataSet:
    """The data set on `kind`. `copy`: a SQLite copy in `tmp` the run may write to."""
    if kind == "sqlite":
        path, manifest = sqlite_file(preset, tmp, fresh)
        if copy:
            target = tmp / path.name
            shutil.copyfile(path, target)
            path = target
        return DataSet(kind, Database(url=f"sqlite:///{path}"), manifest)
    database = postgres_database(pg_url(), os.environ.get("REDIS_URL", ""))
    try:
        manifest = _seed_scale(database.url, preset, tmp / "pg.manifest.json", tmp)
    except BaseException:
        database.cleanup()
        raise
    return DataSet(kind, database, manifest)


# --- the server -----------------------------------------------------------------------

def default_workers() -> tuple[int, int]:
    """WEB_WORKERS and WEB_THREADS as app/gunicorn_conf.py reads them."""
    from app import gunicorn_conf
    return gunicorn_conf.workers, gunicorn_conf.threads


def bench_env(data: DataSet, tmp: Path, base: str, threads: int) -> dict:
    """The server's environment: production, the /_bare route, a fixed SECRET_KEY (so
    sessions minted beforehand by a child process with this env are valid)."""
    return server_env(data.database, tmp, base, YISHITING_ENV="production", BENCH_BARE="1",
                      WEB_THREADS=str(threads))


@contextmanager
def serving(data: DataSet, tmp: Path, workers: int, threads: int):
    sock = listening_socket()
    base = "http://127.0.0.1:%d" % sock.getsockname()[1]
    env = bench_env(data, tmp, base, threads)
    server = Server(env, sock, tmp, workers=workers, threads=threads)
    try:
        server.start()
        yield server
    finally:
        if server.proc:
            server.stop()
        else:
            sock.close()


def settle(server: Server, most: float = 120) -> None:
    """Wait until the server is idle again: after wrk stops, the workers still serve what
    its 32 connections had queued, which would be charged to the next page."""
    deadline, quick = time.monotonic() + most, 0
    while time.monotonic() < deadline and quick < 3:
        started = time.monotonic()
        try:
            fetch(server.base + "/_bare", timeout=most)
        except OSError:
            pass
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0
        time.sleep(0.2)


def worker_rss_mb(server: Server) -> float:
    """The largest resident set of the server's workers, in MB."""
    sizes = []
    for pid in server.worker_pids():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if found:
            sizes.append(int(found[1]) / 1024)
    return round(max(sizes, default=0.0), 1)


# --- wrk ------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(out: str) -> dict:
    def grab(pattern, default=0.0):
        found = re.search(pattern, out, re.M)
        return found.group(1) if found else default

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    return dict(
        rps=round(float(grab(r"^Requests/sec:\s+([\d.]+)")), 1),
        requests=int(grab(r"^\s*(\d+) requests in", 0)),
        p50_ms=round(_ms(grab(r"^\s+50%\s+(\S+)", "0us")), 2),
        p99_ms=round(_ms(grab(r"^\s+99%\s+(\S+)", "0us")), 2),
        non_2xx_3xx=int(grab(r"Non-2xx or 3xx responses: (\d+)", 0)),
        socket_errors=sum(int(x) for x in socket_errors.groups()) if socket_errors else 0,
    )


def wrk(url: str, seconds: float, connections: int = 32, threads: int = 2,
        script: Path | None = None, env: dict | None = None) -> tuple[dict, str]:
    """One wrk run (--latency, a 30 s timeout so slow answers are measured, not
    dropped): its parsed figures and its whole output."""
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
            "--timeout", "30s"]
    if script:
        args += ["-s", str(script)]
    done = subprocess.run(args + [url], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=seconds + 120)
    if done.returncode != 0 or "Requests/sec" not in done.stdout:
        raise Broken(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return parse_wrk(done.stdout), done.stdout


def have_wrk() -> bool:
    return shutil.which("wrk") is not None
