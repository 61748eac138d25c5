"""Ballots saved per second, 32 connections, thousands of signed-in voters (not a test).

    .venv/bin/python bench/ballots.py [--db sqlite|postgresql] [--quick] [--seconds 10]
                                      [--voters 6000] [--workers N] [--threads N]
                                      [--json-out PATH]

The manifest's open round of the `seed-scale` city set (a copy of the SQLite file, or a
schema of its own on PostgreSQL at BENCH_DATABASE_URL), under gunicorn as in production
(app/gunicorn_conf.py, production rate limits on: 30 ballots a minute a person, kept per
worker without Redis). Before timing, `--voters` voters (at least 5,000 on the city set;
`--quick`: the town set's, 3 s) get a session cookie and CSRF token minted directly
(bench/ballot_voters.py), so nobody logs in while the clock runs. Then wrk with
bench/ballots.lua (wrk's own C client, so the load generator takes little of the 2
cores) sends POST /c/<slug>/rounds/<id>/ballot for 10 s over 32 connections, cycling
through the voters, each ballot within the budget. Counted as saved: a 303 to
…/ballot/done. Anything else (422, 429, 5xx, socket errors) is an error; the script
exits 1 when there was any, never because of a time.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

WRK_THREADS = 2
SAVED_RE = re.compile(r"BALLOTS saved=(\d+) refused=(\d+) limited=(\d+) other=(\d+)")


def mint(data: harness.DataSet, tmp: Path, threads: int, count: int) -> tuple[Path, dict]:
    manifest = tmp / "ballot.manifest.json"
    manifest.write_text(json.dumps(data.manifest, ensure_ascii=False), encoding="utf-8")
    out = tmp / "voters.tsv"
    env = harness.bench_env(data, tmp, "http://127.0.0.1:8000", threads)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "ballot_voters.py"),
                           str(manifest), str(out), str(count)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise harness.Broken(f"minting voters failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return out, json.loads(done.stdout.strip().splitlines()[-1])


def run(args, tmp: Path) -> dict:
    data = harness.prepare(args.db, args.preset, tmp, copy=True)
    try:
        voters_file, minted = mint(data, tmp, args.threads, args.voters)
        print(f"{minted['voters']} voters signed in beforehand ({minted['ballots']} "
              f"different ballots within the budget)", flush=True)
        path = data.manifest["urls"]["ballot"]
        with harness.serving(data, tmp, args.workers, args.threads) as server:
            figures, out = harness.wrk(
                server.base + path, args.seconds, connections=32, threads=WRK_THREADS,
                script=ROOT / "bench" / "ballots.lua",
                env={"BALLOT_VOTERS": str(voters_file), "BALLOT_PATH": path,
                     "BALLOT_THREADS": str(WRK_THREADS)})
            rss = harness.worker_rss_mb(server)
    finally:
        data.cleanup()
    counted = SAVED_RE.search(out)
    if not counted:
        raise harness.Broken(f"wrk's script reported nothing:\n{out}")
    saved, refused, limited, other = (int(x) for x in counted.groups())
    odd = re.search(r"BALLOTS odd answer: (.*)", out)
    if odd:
        print(f"  an answer that was not a saved ballot: {odd[1]}", flush=True)
    return dict(db=args.db, voters=minted["voters"], seconds=args.seconds,
                workers=args.workers, threads=args.threads, saved=saved,
                ballots_per_s=round(saved / args.seconds, 1), refused=refused,
                rate_limited=limited, other=other, socket_errors=figures["socket_errors"],
                p50_ms=figures["p50_ms"], p99_ms=figures["p99_ms"], worker_rss_mb=rss)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="town data set, 3 s")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--preset")
    parser.add_argument("--voters", type=int, default=6000,
                        help="voters to cycle through (at most the round's eligible)")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    workers, threads = harness.default_workers()
    args.workers, args.threads = args.workers or workers, args.threads or threads
    args.seconds = args.seconds or (3 if args.quick else 10)
    args.preset = args.preset or ("town" if args.quick else "city")
    if not harness.have_wrk():
        sys.exit("wrk is missing: `apt-get install wrk` (make bench does it)")
    if args.db == "postgresql" and not harness.pg_answers():
        sys.exit(f"PostgreSQL at {harness.pg_url()} does not answer")
    tmp = Path(tempfile.mkdtemp(prefix="bench-ballots-"))
    try:
        r = run(args, tmp)
    except harness.Broken as exc:
        print(f"BROKEN: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    errors = r["refused"] + r["rate_limited"] + r["other"] + r["socket_errors"]
    print(f"{r['voters']} voters, {r['db']}, gunicorn {r['workers']} workers x {r['threads']} "
          f"threads, 32 connections, {r['seconds']:g} s")
    print(f"  {r['ballots_per_s']} ballots saved per second ({r['saved']} saved), "
          f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms")
    print(f"  errors {errors}: refused {r['refused']}, rate-limited {r['rate_limited']}, "
          f"other {r['other']}, socket {r['socket_errors']}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"ballots": r}, indent=1) + "\n")
    print(json.dumps({"ballots": r}))
    return 1 if errors or not r["saved"] else 0


if __name__ == "__main__":
    sys.exit(main())
