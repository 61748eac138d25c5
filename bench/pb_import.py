"""Time `flask pb import` (and a tally and an export) of a real .pb file. Not a test.

    .venv/bin/python bench/pb_import.py [FILE.pb] [--pg postgresql://postgres@127.0.0.1:5432/test]

Defaults to ../shared/pabulib/Poland_Lodz_2022.pb (90,494 ballots). Runs against a fresh
SQLite file in a temporary directory, and also against PostgreSQL (in a throw-away
schema) when --pg is given. The timings include everything the command does after the
interpreter has started: parsing, checking and writing in one transaction.
"""
from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.settings import Settings, normalise_database_url  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "pabulib" / "Poland_Lodz_2022.pb"


def settings(tmp: Path, url: str, schema: str | None) -> Settings:
    return Settings(database_url=url, secret_key=secrets.token_hex(16),
                    public_url="http://127.0.0.1:5000", instance_path=tmp / "instance",
                    upload_dir=tmp / "uploads", testing=True, rate_limits=False,
                    extra={"pg_schema": schema} if schema else {})


def run(label: str, app, path: Path, tmp: Path) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        db.create_all()
    started = time.perf_counter()
    result = runner.invoke(args=["pb", "import", str(path), "--community", "bench"])
    took = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"{label}: import failed: {result.stderr}")
    round_id = result.stdout.strip().splitlines()[-1]
    print(f"{label}: import {path.name}: {took:.1f} s (round {round_id})")
    for rule in ("greedy",):
        started = time.perf_counter()
        out = runner.invoke(args=["pb", "tally", round_id, "--rule", rule, "--json"])
        print(f"{label}: tally {rule}: {time.perf_counter() - started:.1f} s in all, "
              f"{out.stdout.strip()[:160]}")
    started = time.perf_counter()
    out = runner.invoke(args=["pb", "export", round_id, str(tmp / "out.pb")])
    print(f"{label}: export: {time.perf_counter() - started:.1f} s ({out.exit_code})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--pg", help="a PostgreSQL URL to time as well")
    args = parser.parse_args()
    if not args.file.exists():
        raise SystemExit(f"{args.file} is missing (the real files are in ../shared/pabulib)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        run("sqlite", create_app(settings(tmp, f"sqlite:///{tmp / 'bench.db'}", None)),
            args.file, tmp)
        if args.pg:
            url = normalise_database_url(args.pg)
            schema = f"bench_{secrets.token_hex(3)}"
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                app = create_app(settings(tmp, url, schema))
                run("postgresql", app, args.file, tmp)
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
            finally:
                with engine.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                engine.dispose()


if __name__ == "__main__":
    main()
