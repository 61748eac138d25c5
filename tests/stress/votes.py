"""Votes under stress (issue 9): the real site under gunicorn — app/gunicorn_conf.py with 4
workers, production rate limits on — gets every voter's ballot at once, with revisions,
double submissions, comments and owners' votes, and loses a worker to SIGKILL in the
middle; then the database is read directly (tests/stress/checks.py).

SQLite: 1,000 voters, no Redis (rate limits kept per worker, as such a site runs).
PostgreSQL (TEST_DATABASE_URL): 300 voters, a schema of its own, REDIS_URL if set.

Run alone: `.venv/bin/python -m tests.stress.votes [sqlite|postgresql] [VOTERS]`;
pytest runs it through tests/stress/test_votes_under_stress.py. The figures are printed
and written to test-artifacts/stress-<backend>.txt.
"""
from __future__ import annotations

import os
import resource
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.meeting_server import (ROOT, Server, fetch, listening_socket, postgres_database,
                                  server_env, sqlite_database)

from . import checks, workload
from .seed import seed

VOTERS = {"sqlite": 1000, "postgresql": 300}
WORKERS = 4
WHOLE_RUN_SECONDS = 400
ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class Report:
    backend: str
    voters: int
    verdict: checks.Verdict
    tally: dict
    run: workload.Run
    replaced_by: set[int]
    timings: dict[str, float]

    def text(self) -> str:
        f, k, t = self.verdict.figures, self.run.kill, self.timings
        lost = sum(a.outcome == checks.LOST for a in self.run.attempts)
        lines = [
            f"votes under stress — {self.backend}: {self.voters} voters, gunicorn "
            f"{WORKERS} workers (app/gunicorn_conf.py), production rate limits",
            f"  requests planned {self.run.planned}, POSTs tried {len(self.run.attempts)} "
            f"(retries {f.retries}), no answer {lost}, 429s {f.rate_limited}, "
            f"ballot page never came {len(self.run.no_token)}",
            f"  worker {k.pid} killed (SIGKILL) at {k.at_seconds or 0:.1f} s, after "
            f"{k.at_answers} of {k.of_planned} planned requests; replaced by "
            f"{sorted(self.replaced_by)}",
            f"  ballots: sent {f.ballots_sent} / acknowledged {f.ballots_acked} / refused "
            f"{f.ballots_refused} (over budget) / no answer {f.ballots_lost} / 5xx "
            f"{f.ballots_5xx}; double taps {f.double_taps} (both acknowledged "
            f"{f.double_taps_both_acked}); voters acknowledged {f.voters_acked}, counted "
            f"{f.voters_counted}, ballots counted {f.ballots_counted}, revisions "
            f"{f.revisions_counted}, undecidable (a lost try) {f.ambiguous_voters}",
            f"  tally: votes per entry {self.tally['votes']}; greedy selects "
            f"{self.tally['greedy']}, equal shares {self.tally['equal-shares']}"
            + ("" if self.verdict.problems else ": the site's figures equal the recount"),
            f"  comments: sent {f.comments_sent} / acknowledged {f.comments_acked} / in the "
            f"database {f.comments_in_db} (written twice after a lost answer: "
            f"{f.comments_twice})",
            f"  owners' votes: sent {f.owner_votes_sent} / acknowledged "
            f"{f.owner_votes_acked} / owners counted {f.owners_counted}; tally "
            f"{self.tally['owners']}",
            "  seconds: " + ", ".join(f"{name} {s:.1f}" for name, s in t.items()),
        ]
        lines += [f"  PROBLEM: {p}" for p in self.verdict.problems]
        return "\n".join(lines)


def _replacement(server: Server, killed: int | None, before: set[int],
                 wait: float = 15) -> set[int]:
    """The new worker(s) gunicorn started after the kill; empty if none came."""
    deadline = time.monotonic() + wait
    while True:
        pids = server.worker_pids()
        if (killed not in pids and len(pids) == WORKERS) or time.monotonic() > deadline:
            return pids - before
        time.sleep(0.1)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (seeding, gunicorn)."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                   resource.getrusage(resource.RUSAGE_CHILDREN)))


def _verify(env: dict, seeded, run: workload.Run, over: set):
    from app import create_app
    from app.extensions import db
    from app.settings import Settings

    app = create_app(Settings.from_env(env))
    with app.app_context():
        try:
            return checks.check(seeded, run.attempts, over)
        finally:
            db.session.remove()
            db.engine.dispose()


def stress(backend: str, tmp: Path, voters: int | None = None) -> Report:
    voters = voters or VOTERS[backend]
    timings, started, cpu = {}, time.monotonic(), _cpu()
    if backend == "sqlite":
        database = sqlite_database(tmp)
    else:
        database = postgres_database(os.environ["TEST_DATABASE_URL"],
                                     os.environ.get("REDIS_URL", ""))
    sock = listening_socket()
    server = None
    try:
        env = server_env(database, tmp, "http://127.0.0.1:%d" % sock.getsockname()[1])
        # The production rate limits: none set in the environment may loosen them.
        env = {k: v for k, v in env.items() if not k.startswith("RATE_LIMIT_")}
        seeded = seed(env, voters)
        timings["seeding"] = time.monotonic() - started
        mark = time.monotonic()
        server = Server(env, sock, tmp, workers=WORKERS).start()
        # Nothing may hang: past this the server group is stopped and every request fails.
        watchdog = threading.Timer(WHOLE_RUN_SECONDS, server.stop)
        watchdog.daemon = True
        watchdog.start()
        before = server.worker_pids()
        timings["gunicorn start"] = time.monotonic() - mark
        entries = {int(e): cost for e, cost in seeded.entries.items()}
        plans = workload.plan(seeded.voters, entries, seeded.budget_fen)
        mark = time.monotonic()
        run = workload.run(server, seeded, plans)
        timings["requests"] = time.monotonic() - mark
        replaced = _replacement(server, run.kill.pid, before)
        try:
            healthy = fetch(server.base + "/healthz")[0] == 200
        except OSError:
            healthy = False
        watchdog.cancel()
        server.stop()
        mark = time.monotonic()
        over = {p.over_budget for p in plans if p.over_budget is not None}
        verdict, tally = _verify(env, seeded, run, over)
        timings["checks"] = time.monotonic() - mark
        if not healthy:
            verdict.problem("the site did not answer /healthz after the run")
        if run.kill.pid is None or not replaced:
            verdict.problem("no worker was killed and replaced")
    finally:
        if server is not None:
            server.stop()
        else:
            sock.close()
        database.cleanup()
    timings["total"] = time.monotonic() - started
    timings["CPU of every process"] = _cpu() - cpu
    report = Report(backend, voters, verdict, tally, run, replaced, timings)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"stress-{backend}.txt").write_text(report.text() + "\n")
    return report


def main(argv: list[str]) -> int:
    backend = argv[0] if argv else "sqlite"
    voters = int(argv[1]) if len(argv) > 1 else None
    with tempfile.TemporaryDirectory(prefix="stress-") as tmp:
        report = stress(backend, Path(tmp), voters)
    print(report.text())
    if os.environ.get("STRESS_DUMP"):
        print(asdict(report.verdict.figures))
    return 1 if report.verdict.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
