"""Pages under wrk on the city data set, against the app's own ceiling (not a test).

    .venv/bin/python bench/pages.py [--db sqlite|postgresql|both] [--quick] [--seconds 10]
                                    [--workers N] [--threads N] [--fresh] [--json-out PATH]

gunicorn as in production (app/gunicorn_conf.py, YISHITING_ENV=production; WEB_WORKERS
and WEB_THREADS as it reads them) on the `seed-scale` city set (`--quick`: town, 3 s a
page). For each page, anonymous, wrk on 127.0.0.1 with 32 connections for 10 s: req/s,
p50/p99 latency, and the ratio to `bare` (GET /_bare, a fixed string through the same
middleware, registered only with BENCH_BARE=1) measured on the same server just before.
Then the first-load weight of each page (bench/weight.py) and the largest worker's RSS.
PostgreSQL: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test), the
set loaded into a schema of its own and dropped afterwards; `both` skips it when it does
not answer. Never fails on a time: exits 1 only when a page is not 200 or wrk saw errors.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import shutil
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, weight  # noqa: E402
from tests.meeting_server import fetch  # noqa: E402

PAGES = ("bare", "home", "idea_list", "idea_list_search", "idea_page", "round_results",
         "projector_fragment")
# The page whose first load brings a fragment in: the projector's screen.
FIRST_LOAD = {"projector_fragment": "projector"}


def page_urls(manifest: dict) -> dict[str, str]:
    return {"bare": "/_bare", **{name: manifest["urls"][name] for name in PAGES[1:]}}


def check_pages(base: str, urls: dict[str, str]) -> None:
    for name, path in urls.items():
        status, body = fetch(base + path, timeout=60)
        if status != 200:
            raise harness.Broken(f"{name} {path} answered {status}: {body[:300]}")


def weights(base: str, manifest: dict) -> tuple[dict, dict]:
    page_kb, html_kb = {}, {}
    for name in PAGES[1:]:
        path = manifest["urls"][FIRST_LOAD.get(name, name)]
        try:
            got = weight.first_load(base, path)
        except RuntimeError as exc:
            raise harness.Broken(str(exc)) from None
        page_kb[name], html_kb[name] = got["page_weight_kb"], got["html_kb"]
    return page_kb, html_kb


def run_db(kind: str, args, tmp: Path) -> dict:
    data = harness.prepare(kind, args.preset, tmp, fresh=args.fresh)
    try:
        with harness.serving(data, tmp, args.workers, args.threads) as server:
            urls = page_urls(data.manifest)
            check_pages(server.base, urls)  # also warms each worker's caches a little
            rows, broken = [], []
            for name, path in urls.items():
                harness.settle(server)
                figures, out = harness.wrk(server.base + path, args.seconds)
                if (figures["non_2xx_3xx"] or figures["socket_errors"]
                        or not figures["requests"]):
                    broken.append(f"{kind} {name}: {figures['non_2xx_3xx']} non-2xx/3xx, "
                                  f"{figures['socket_errors']} socket errors\n{out}")
                rows.append(dict(name=name, db="none" if name == "bare" else kind, **figures))
                print(f"  {kind:<10} {name:<20} {figures['rps']:>8.1f} req/s  "
                      f"p50 {figures['p50_ms']:>8.2f} ms  p99 {figures['p99_ms']:>8.2f} ms",
                      flush=True)
            page_kb, html_kb = weights(server.base, data.manifest)
            rss = harness.worker_rss_mb(server)
    finally:
        data.cleanup()
    bare = rows[0]["rps"] or 1.0
    for row in rows:
        row["ratio"] = round(row["rps"] / bare, 3)
        row["bare_rps"] = bare
    return dict(db=kind, rows=rows, page_weight_kb=page_kb, html_kb=html_kb,
                worker_rss_mb=rss, broken=broken, workers=args.workers,
                threads=args.threads, preset=args.preset, seconds=args.seconds)


def report(runs: list[dict]) -> None:
    print(f"\n{'page':<20} {'db':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'ratio':>6}  (bare measured on each server)")
    for run in runs:
        for r in run["rows"]:
            print(f"{r['name']:<20} {r['db']:<10} {r['rps']:>8.1f} {r['p50_ms']:>8.2f} "
                  f"{r['p99_ms']:>8.2f} {r['ratio']:>6.2f}")
    first = runs[0]
    print("\nfirst load (gzip -9): " + ", ".join(
        f"{k} CSS+JS {v} KB / HTML {first['html_kb'][k]} KB"
        for k, v in first["page_weight_kb"].items()))
    for run in runs:
        print(f"largest gunicorn worker after the runs on {run['db']}: {run['worker_rss_mb']} MB "
              f"({run['workers']} workers x {run['threads']} threads)")


def combined(runs: list[dict]) -> dict:
    """results.json's page fields: one `bare` row (the first server's), every page of
    every database with its ratio to the bare of its own server."""
    pages = [runs[0]["rows"][0]] + [r for run in runs for r in run["rows"][1:]]
    keep = ("name", "db", "rps", "p50_ms", "p99_ms", "ratio", "bare_rps")
    return {"pages": [{k: r[k] for k in keep} for r in pages],
            "page_weight_kb": runs[0]["page_weight_kb"], "html_kb": runs[0]["html_kb"],
            "worker_rss_mb": runs[0]["worker_rss_mb"],
            "worker_rss_mb_by_db": {run["db"]: run["worker_rss_mb"] for run in runs},
            "pages_setup": {k: runs[0][k] for k in ("preset", "seconds", "workers", "threads")}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="town data set, 3 s a page")
    parser.add_argument("--seconds", type=float, help="per page (default 10, quick 3)")
    parser.add_argument("--preset", help="seed-scale preset (default city, quick town)")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--fresh", action="store_true", help="make the SQLite set again")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    workers, threads = harness.default_workers()
    args.workers, args.threads = args.workers or workers, args.threads or threads
    args.seconds = args.seconds or (3 if args.quick else 10)
    args.preset = args.preset or ("town" if args.quick else "city")
    if not harness.have_wrk():
        sys.exit("wrk is missing: `apt-get install wrk` (make bench does it)")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if args.db == "both" and not harness.pg_answers():
        print(f"PostgreSQL at {harness.pg_url()} does not answer: SQLite only", flush=True)
        kinds = ["sqlite"]
    runs = []
    for kind in kinds:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-pages-{kind}-"))
        try:
            runs.append(run_db(kind, args, tmp))
        except harness.Broken as exc:
            print(f"BROKEN: {exc}", file=sys.stderr)
            return 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    report(runs)
    result = combined(runs)
    if args.json_out:
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    broken = [b for run in runs for b in run["broken"]]
    for b in broken:
        print(f"BROKEN: {b}", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
