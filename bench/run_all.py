"""`make bench`: every benchmark in turn, then bench/results.json and bench/results.md.

    .venv/bin/python bench/run_all.py [--quick] [--tally-cap 600] [--skip tally ...]

In order: pages.py on SQLite and PostgreSQL (when BENCH_DATABASE_URL, default the local
postgresql://postgres@127.0.0.1:5432/test, answers), ballots.py on SQLite, projector.py
(300 phones, SQLite), tally.py (pabutools capped at --tally-cap seconds a run). Each runs
as its own process with its output shown; the results files are rewritten after each,
so a run stopped half-way still leaves what it measured. `--quick`: the town set, 3 s a
page, 50 phones and 5 actions, one small .pb file with a 60 s cap. Exits 1 when any
benchmark broke (its figures are then missing), never because of a time.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.results_md import markdown  # noqa: E402

PY = sys.executable
QUICK_PB = ROOT.parent / "shared" / "pabulib" / "Poland_Warszawa_2026_Wesola.pb"


def run(args: list[str]) -> tuple[int, list[str]]:
    """Run a benchmark, echoing its output; its exit code and stdout lines."""
    print(f"\n$ {' '.join(Path(a).name if a == PY else a for a in args)}", flush=True)
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    return proc.wait(), lines


def last_json(lines: list[str], key: str) -> dict | list | None:
    for line in reversed(lines):
        if line.startswith("{") and f'"{key}"' in line:
            try:
                return json.loads(line)[key]
            except (ValueError, KeyError):
                return None
    return None


def steps(opts, tmp: Path):
    quick = ["--quick"] if opts.quick else []
    pages_json = tmp / "pages.json"
    yield "pages", [PY, "bench/pages.py", "--db", "both", "--json-out", str(pages_json),
                    *quick], lambda lines: json.loads(pages_json.read_text())
    yield "ballots", [PY, "bench/ballots.py", "--db", "sqlite", *quick], \
        lambda lines: last_json(lines, "ballots")
    projector = ["--phones", "50", "--actions", "5"] if opts.quick else []
    yield "projector", [PY, "bench/projector.py", "--db", "sqlite", *projector], \
        lambda lines: last_json(lines, "projector")
    cap = opts.tally_cap or (60 if opts.quick else 600)
    files = ["--files", str(QUICK_PB)] if opts.quick else []
    yield "tally", [PY, "bench/tally.py", "--cap", f"{cap:g}", *files], \
        lambda lines: last_json(lines, "tally")


def results_of(found: dict, meta: dict) -> dict:
    pages = found.get("pages") or {}
    ballots = found.get("ballots") or {}
    projector = found.get("projector") or {}
    return {
        "pages": pages.get("pages", []),
        "ballots_per_s": ballots.get("ballots_per_s"),
        "tally": found.get("tally") or [],
        "projector": {k: projector.get(k) for k in ("p50_ms", "p95_ms", "clients")}
        if projector else {},
        "page_weight_kb": pages.get("page_weight_kb", {}),
        "html_kb": pages.get("html_kb", {}),
        "worker_rss_mb": pages.get("worker_rss_mb"),
        "details": {"ballots": ballots, "projector": projector,
                    "pages_setup": pages.get("pages_setup"),
                    "worker_rss_mb_by_db": pages.get("worker_rss_mb_by_db")},
        "run": meta,
    }


def write(results: dict, out: Path) -> None:
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")
    (out / "results.md").write_text(markdown(results), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tally-cap", type=float)
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=("pages", "ballots", "projector", "tally"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench",
                        help="folder for results.json and results.md (default bench/)")
    opts = parser.parse_args()
    if not harness.have_wrk():
        sys.exit("wrk is missing: `apt-get install wrk` (make bench does it)")
    started = time.monotonic()
    meta = {"quick": opts.quick, "cores": os.cpu_count(),
            "load_average_at_start": round(os.getloadavg()[0], 1),
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "broken": []}
    found: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        for name, args, parse in steps(opts, Path(tmp)):
            if name in opts.skip:
                continue
            code, lines = run(args)
            try:
                found[name] = parse(lines)
            except (OSError, ValueError):
                found[name] = None
            if code != 0 or found[name] is None:
                meta["broken"].append(f"{name} (exit {code})")
            meta["minutes"] = round((time.monotonic() - started) / 60, 1)
            write(results_of(found, meta), opts.out)
    print(f"\n{(opts.out / 'results.md')} and results.json written in {meta['minutes']} min"
          + (f"; BROKEN: {', '.join(meta['broken'])}" if meta["broken"] else ""))
    return 1 if meta["broken"] else 0


if __name__ == "__main__":
    sys.exit(main())
