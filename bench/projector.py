"""N phones watching the projector screen while the chair runs the meeting (not a test).

Starts gunicorn as the README's production section does (app/gunicorn_conf.py: gthread,
WEB_THREADS threads; 2 workers on SQLite as on the community PC, 4 on PostgreSQL as in
"Deploying on PostgreSQL"), on a fresh database with a live meeting. Each simulated phone
holds one HTTP/1.1 keep-alive connection and polls the screen's live URL at the
screen's own interval (hx-trigger), swapping in the new poller on a 200 as htmx would.
Meanwhile the chair sends a console action every ~3 s (add a speaker, next, pause,
resume, stop, ...). For each action: the delay from the action's response to each
phone's first response showing the new version. Prints p50/p95 of those delays,
requests/s, the share of 204s, the server's CPU (utime+stime of the gunicorn master and
workers, % of one core) and our own client's CPU, then one JSON line for issue 10.
Never fails on time; exits 1 only when the run itself broke (server down, actions
refused).

    .venv/bin/python bench/projector.py [--phones 300] [--db sqlite|postgresql]
                                        [--watch screen|phone] [--actions 20] [--every 3]
"""
from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.meeting_server import (HTMX, Browser, Server, cpu_seconds, fetch,  # noqa: E402
                                  find_poller, listening_socket, postgres_database, seed,
                                  server_env, sqlite_database)

VERSION_RE = re.compile(r'data-version="([^"]*)"')
LIVE_RE = re.compile(r'hx-get="([^"]*/live\?[^"]*)"')
NAMES = ["王阿姨", "李师傅", "张老师", "陈大爷", "刘姐", "赵叔", "孙阿婆", "周小妹"]


def marker(version: str) -> int:
    """The change marker of a screen version "<marker>.<join window>"."""
    try:
        return int(version.split(".")[0])
    except ValueError:
        return -1


# --- one phone ----------------------------------------------------------------------

@dataclass
class Phone:
    url: str  # path and query of the live URL
    every: float
    seen: list[tuple[float, int]] = field(default_factory=list)  # (time, marker) on 200
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    late: float = 0.0  # how far behind schedule its polls went out, summed


async def _response(reader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.partition(":") for line in lines[1:] if line)}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection", "").lower() == "close"


async def watch(phone: Phone, host: str, port: int, until: dict, start_in: float) -> None:
    """Poll like the screen's htmx poller, on one kept-alive connection (reopened if the
    server closes it), until `until["at"]` (set once the chair is done)."""
    await asyncio.sleep(start_in)
    conn, due = None, time.monotonic()
    while time.monotonic() < until["at"]:
        phone.late += max(0.0, time.monotonic() - due)
        try:
            if conn is None:
                conn = await asyncio.open_connection(host, port)
            reader, writer = conn
            writer.write((f"GET {phone.url} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                          f"HX-Request: true\r\n\r\n").encode())
            status, body, closing = await asyncio.wait_for(_response(reader), 10)
            got = time.monotonic()
            if closing:
                writer.close()
                conn = None
            _took(phone, status, body, got)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
            phone.failed += 1
            if conn is not None:
                conn[1].close()
            conn = None
        due = max(due + phone.every, time.monotonic())
        await asyncio.sleep(due - time.monotonic())
    if conn is not None:
        conn[1].close()


def _took(phone: Phone, status: int, body: bytes, got: float) -> None:
    if status == 204:
        phone.not_modified += 1
        return
    if status != 200:
        phone.failed += 1
        return
    phone.ok += 1
    text = body.decode("utf-8", "replace")
    version, live = VERSION_RE.search(text), LIVE_RE.search(text)
    if version and live:
        phone.seen.append((got, marker(version.group(1))))
        phone.url = html.unescape(live.group(1))


# --- the chair ----------------------------------------------------------------------

def actions(n: int):
    """A valid sequence of console actions: add, next, pause, resume, stop, and again."""
    for i in range(n):
        step = i % 5
        if step == 0:
            name = f"{NAMES[(i // 5) % len(NAMES)]}{i // 5 + 1}"
            yield "/console/speaker", {"name": name, "stance": random.choice(["support", "oppose"])}
        else:
            yield ("/console/next", "/console/pause", "/console/resume", "/console/stop")[step - 1], {}


def _action_marker(chair: Browser, fragment: str, live_path: str) -> int:
    """The version an action produced: the console fragment's, else a look at the screen."""
    found = VERSION_RE.search(fragment)
    if found and marker(found.group(1)) >= 0:
        return marker(found.group(1))
    status, text = fetch(chair.base + live_path.split("?")[0] + "?v=none", HTMX)
    found = VERSION_RE.search(text)
    return marker(found.group(1)) if found else -1


async def chair_acts(chair: Browser, meeting_path: str, live_path: str, count: int,
                     every: float, log: list) -> None:
    for path, data in actions(count):
        await asyncio.sleep(every * random.uniform(0.85, 1.15))
        sent = time.monotonic()
        status, body = await asyncio.to_thread(chair.post, meeting_path + path, data, HTMX)
        answered = time.monotonic()
        mark = await asyncio.to_thread(_action_marker, chair, body, live_path)
        log.append(dict(path=path, status=status, sent=sent, answered=answered, marker=mark))


# --- the run ------------------------------------------------------------------------

def delays_of(log: list, phones: list[Phone]) -> tuple[list[float], int]:
    """Seconds from each action's answer to each phone's first sight of its version."""
    delays, missed = [], 0
    for action in log:
        if action["status"] not in (200, 303) or action["marker"] < 0:
            continue
        for phone in phones:
            first = next((t for t, m in phone.seen
                          if t >= action["sent"] and m >= action["marker"]), None)
            if first is None:
                missed += 1
            else:
                delays.append(max(0.0, first - action["answered"]))
    return delays, missed


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used (/proc/stat), to tell how much
    of it went to others: on a shared machine the figures mean little while it is busy."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run(server: Server, seeded, args) -> dict:
    chair = Browser(server.base).login(seeded.chair)
    chair.csrf(seeded.path("/console"))
    page_path, root = ((seeded.screen_path, "screen-live") if args.watch == "screen"
                       else (seeded.path(), "meeting-live"))
    status, page = fetch(server.base + page_path)
    if status != 200:
        raise SystemExit(f"{page_path} answered {status}")
    poller = find_poller(page, root, server.base)
    live_path = urllib.parse.urlsplit(poller.url)
    live_path = f"{live_path.path}?{live_path.query}"
    host, port = "127.0.0.1", server.sock.getsockname()[1]
    warmup, grace = 3.0, max(5.0, 2 * args.every)  # the last action's news still travels
    until = {"at": float("inf")}
    phones = [Phone(url=live_path, every=poller.every) for _ in range(args.phones)]
    pids = {server.proc.pid} | server.worker_pids()
    cpu0, wall0, me0 = cpu_seconds(pids), time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    busy0 = machine_busy_seconds()
    log: list = []
    tasks = [asyncio.create_task(watch(p, host, port, until, random.uniform(0, poller.every)))
             for p in phones]
    await asyncio.sleep(warmup)
    await chair_acts(chair, seeded.path(), live_path, args.actions, args.every, log)
    until["at"] = time.monotonic() + grace
    await asyncio.gather(*tasks)
    wall = time.monotonic() - wall0
    cpu = cpu_seconds(pids | server.worker_pids()) - cpu0
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    mine = (me1.ru_utime + me1.ru_stime) - (me0.ru_utime + me0.ru_stime)
    others = machine_busy_seconds() - busy0 - cpu - mine
    return summarise(log, phones, wall, cpu, mine, others, args)


def summarise(log, phones, wall, cpu, mine, others, args) -> dict:
    delays, missed = delays_of(log, phones)
    answered = sum(p.ok + p.not_modified for p in phones)
    sent = answered + sum(p.failed for p in phones)
    polls = sum(p.ok + p.not_modified + p.failed for p in phones)
    return dict(
        db=args.db, watch=args.watch, clients=args.phones, workers=args.workers, threads=args.threads,
        actions=len(log), actions_refused=sum(1 for a in log if a["status"] not in (200, 303)),
        action_ms=statistics.median([(a["answered"] - a["sent"]) * 1000 for a in log] or [0]),
        p50_ms=round(pct(delays, 0.50) * 1000), p95_ms=round(pct(delays, 0.95) * 1000),
        max_ms=round(max(delays, default=float("nan")) * 1000), sightings=len(delays),
        missed=missed, requests=sent, rps=round(answered / wall, 1),
        share_204=round(sum(p.not_modified for p in phones) / max(1, answered), 3),
        failed=sum(p.failed for p in phones), seconds=round(wall, 1),
        server_cpu_pct=round(100 * cpu / wall, 1), client_cpu_pct=round(100 * mine / wall, 1),
        others_cpu_pct=round(100 * max(0.0, others) / wall, 1), cores=os.cpu_count(),
        client_late_ms=round(1000 * sum(p.late for p in phones) / max(1, polls), 1))


def report(r: dict) -> None:
    print(f"{r['clients']} phones polling the {r['watch']} page, {r['db']}, gunicorn {r['workers']} workers "
          f"x {r['threads']} threads, {r['seconds']} s")
    print(f"  {r['actions']} chair actions ({r['actions_refused']} refused), "
          f"median answer {r['action_ms']:.0f} ms")
    print(f"  delay action -> phone sees it: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
          f"max {r['max_ms']} ms ({r['sightings']} sightings, {r['missed']} missed)")
    print(f"  {r['rps']} requests/s answered, {r['share_204'] * 100:.1f}% 204, "
          f"{r['failed']} failed")
    print(f"  server CPU {r['server_cpu_pct']}% of one core; this client {r['client_cpu_pct']}% "
          f"(its polls went out {r['client_late_ms']} ms late on average); other processes "
          f"{r['others_cpu_pct']}% ({r['cores']} cores)")
    print(json.dumps({"projector": {k: r[k] for k in (
        "p50_ms", "p95_ms", "clients", "db", "watch", "rps", "share_204", "server_cpu_pct")}}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--watch", choices=("screen", "phone"), default="screen",
                        help="poll the projector's live URL (the worst case: its fragment "
                             "draws the QR code), or the meeting page's, as phones do")
    parser.add_argument("--actions", type=int, default=20)
    parser.add_argument("--every", type=float, default=3.0, help="seconds between actions")
    parser.add_argument("--workers", type=int, help="default 2 (sqlite) or 4 (postgresql)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
    args = parser.parse_args()
    args.workers = args.workers or (2 if args.db == "sqlite" else 4)
    tmp = Path(tempfile.mkdtemp(prefix="bench-projector-"))
    if args.db == "sqlite":
        database = sqlite_database(tmp)
    else:
        database = postgres_database(
            os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
            os.environ.get("REDIS_URL", ""))
    sock = listening_socket()
    base = "http://127.0.0.1:%d" % sock.getsockname()[1]
    env = server_env(database, tmp, base, YISHITING_ENV="production",
                     WEB_THREADS=str(args.threads))
    server = Server(env, sock, tmp, workers=args.workers, threads=args.threads)
    try:
        seeded = seed(env)
        server.start()
        result = asyncio.run(run(server, seeded, args))
    finally:
        if server.proc:
            server.stop()
        else:
            sock.close()
        database.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    report(result)
    return 1 if result["actions_refused"] or not result["sightings"] else 0


if __name__ == "__main__":
    sys.exit(main())
