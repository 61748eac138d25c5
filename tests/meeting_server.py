"""The real site under gunicorn, for tests/test_meeting_workers.py and bench/projector.py.

- `sqlite_database` / `postgres_database`: a fresh database the server alone uses (a file,
  or a schema of its own reached through libpq's `options=-csearch_path=…` in
  DATABASE_URL, since the environment has no other way to name a schema).
- `seed(env)`: migrations and a live meeting, done in a child process with the server's
  environment, so the test process never opens the server's database itself.
- `Server`: gunicorn with app/gunicorn_conf.py, in a process group of its own; stopping it
  ends the whole group. It listens on a socket we bind first (`fd://`), so there is no
  race for a free port. The access log names the worker (`<pid>`) of every request.
- `Browser`: the chair's HTTP session (cookies, CSRF token scraped from a page).
- `fetch` / `find_poller`: a poll on a new connection, and the htmx poller of a fragment.

Run as `python -m tests.meeting_server seed` it does the seeding and prints JSON.
"""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PASSWORD = "neighbour-pass-1"
SECRET_KEY = "meeting-server-fixed-secret-key-for-tests-and-bench"
IDEA_TITLE = "楼道加装扶手"
# <pid> of the worker, status, request line (with our probe tag), milliseconds taken.
ACCESS_FORMAT = '%(p)s %(s)s "%(r)s" %(M)s'
ACCESS_RE = re.compile(r'^<(\d+)> (\d{3}) "(\S+) (\S+) [^"]*" (\d+)$')


# --- databases ------------------------------------------------------------------------

@dataclass
class Database:
    url: str
    redis_url: str = ""
    cleanup: Callable[[], None] = lambda: None
    kind: str = "sqlite"


def sqlite_database(tmp: Path) -> Database:
    return Database(url=f"sqlite:///{tmp / 'server.db'}")


def postgres_database(base_url: str, redis_url: str = "") -> Database:
    """A fresh schema in `base_url`'s database, dropped by `cleanup`."""
    from sqlalchemy import create_engine, text

    from app.settings import normalise_database_url

    schema = f"srv_{os.getpid()}_{secrets.token_hex(3)}"
    engine = create_engine(normalise_database_url(base_url))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()

    joiner = "&" if "?" in base_url else "?"
    options = urllib.parse.quote(f"-csearch_path={schema}")
    return Database(url=f"{base_url}{joiner}options={options}", redis_url=redis_url,
                    cleanup=drop, kind="postgresql")


def server_env(database: Database, tmp: Path, public_url: str, **extra) -> dict:
    """Everything the site reads, set explicitly: nothing comes from a stray .env file
    (load_dotenv never overrides a variable that is set, even to "")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN", "WEB_"))}
    env.update(DATABASE_URL=database.url, REDIS_URL=database.redis_url,
               SECRET_KEY=SECRET_KEY, PUBLIC_URL=public_url,
               INSTANCE_PATH=str(tmp / "instance"), UPLOAD_DIR=str(tmp / "uploads"),
               YISHITING_ENV="", HOST="127.0.0.1", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


# --- seeding ------------------------------------------------------------------------

@dataclass
class Seeded:
    slug: str
    meeting_id: int
    screen_token: str
    chair: str
    council: list[str]

    def path(self, rest: str = "") -> str:
        return f"/c/{self.slug}/meetings/{self.meeting_id}{rest}"

    @property
    def screen_path(self) -> str:
        return self.path(f"/screen/{self.screen_token}")


def seed(env: dict, timeout: float = 120) -> Seeded:
    done = subprocess.run([sys.executable, "-m", "tests.meeting_server", "seed"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{done.stdout}\n{done.stderr}")
    return Seeded(**json.loads(done.stdout.strip().splitlines()[-1]))


def _seed_main() -> None:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from deliberation.meetings import services
    from deliberation.meetings.setup import MeetingFields, add_item, create_meeting
    from app.timeutil import utcnow
    from tests.factories import Factory

    app = create_app()
    with app.app_context():
        upgrade()  # the migrations, as `flask db upgrade` runs them in production
        make = Factory(PASSWORD)
        community = make.community(slug="bench", name="压测居民区")
        chair = make.user(community, "chair", username="bench_chair", display_name="主持人老周")
        council = [make.user(community, "council", username=f"bench_council{i}")
                   for i in range(1, 4)]
        idea = make.idea(community, stage="deliberating", title=IDEA_TITLE)
        meeting = create_meeting(community, chair, MeetingFields(
            title="压测议事会", starts_at=utcnow(), place="居委会二楼会议室",
            chair_id=chair.id, council_ids=[u.id for u in council]))
        add_item(meeting, chair, kind="idea", idea=idea)
        services.start(meeting, chair)
        db.session.commit()
        print(json.dumps(dict(slug=community.slug, meeting_id=meeting.id,
                              screen_token=meeting.screen_token, chair=chair.username,
                              council=[u.username for u in council])))


# --- the server ---------------------------------------------------------------------

def listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@dataclass
class Server:
    """gunicorn as app/gunicorn_conf.py configures it, on `sock`, until `stop()`."""

    env: dict
    sock: socket.socket
    logdir: Path
    workers: int = 2
    threads: int | None = None
    proc: subprocess.Popen | None = None
    extra_args: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return "http://127.0.0.1:%d" % self.sock.getsockname()[1]

    @property
    def access_log(self) -> Path:
        return self.logdir / "access.log"

    def start(self, ready_timeout: float = 60) -> "Server":
        fd = self.sock.fileno()
        args = [str(GUNICORN), "--config", "app/gunicorn_conf.py", "--bind", f"fd://{fd}",
                "--workers", str(self.workers), "--access-logfile", str(self.access_log),
                "--access-logformat", ACCESS_FORMAT,
                "--error-logfile", str(self.logdir / "error.log"),
                # gunicorn ≥25 opens a control socket at one path per user by default;
                # each new server takes it over and unlinks it on exit. Ours need none.
                "--no-control-socket", *self.extra_args]
        if self.threads:
            args += ["--threads", str(self.threads)]
        self.proc = subprocess.Popen(args + ["wsgi:app"], cwd=ROOT, env=self.env,
                                     pass_fds=[fd], start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.errors()}")
            if len(self.worker_pids()) == self.workers and self._healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn not ready in {ready_timeout}s: {self.errors()}")

    def _healthy(self) -> bool:
        try:
            return fetch(self.base + "/healthz", timeout=2)[0] == 200
        except OSError:
            return False

    def errors(self) -> str:
        path = self.logdir / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def worker_pids(self) -> set[int]:
        return children(self.proc.pid) if self.proc else set()

    def stop(self) -> None:
        """SIGTERM to the whole group (gunicorn stops gracefully), SIGKILL if it lingers."""
        if self.proc is None or self.proc.returncode is not None:
            return  # never started, or already stopped (the test's watchdog, then teardown)
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass
        finally:
            self.sock.close()

    def requests(self) -> list[tuple[int, int, str, str, int]]:
        """(worker pid, status, method, path with query, ms) of each logged request."""
        if not self.access_log.exists():
            return []
        rows = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            m = ACCESS_RE.match(line.strip())
            if m:
                rows.append((int(m[1]), int(m[2]), m[3], m[4], int(m[5])))
        return rows


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def cpu_seconds(pids) -> float:
    """utime + stime of the given processes, in seconds (/proc/<pid>/stat)."""
    total, tick = 0, os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


# --- HTTP -----------------------------------------------------------------------------

HTMX = {"HX-Request": "true"}


def fetch(url: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, str]:
    """One GET on a new connection (so successive polls spread over the workers)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", target, headers={**(headers or {}), "Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Browser:
    """A signed-in person: a cookie jar, redirects not followed (a 303 is an answer)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
        self.token = ""

    def _open(self, request, timeout: float) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def get(self, path: str, headers: dict | None = None, timeout: float = 10):
        return self._open(urllib.request.Request(self.base + path, headers=headers or {}),
                          timeout)

    def csrf(self, path: str) -> str:
        status, html = self.get(path)
        match = CSRF_RE.search(html)
        if not match:
            raise AssertionError(f"no CSRF token on {path} ({status})")
        self.token = match.group(1)
        return self.token

    def post(self, path: str, data: dict | None = None, headers: dict | None = None,
             timeout: float = 10) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrf_token": self.token, **(data or {})}, doseq=True)
        request = urllib.request.Request(self.base + path, data=body.encode(), method="POST",
                                         headers={"X-CSRFToken": self.token, **(headers or {})})
        return self._open(request, timeout)

    def login(self, username: str, password: str = PASSWORD) -> "Browser":
        self.csrf("/login")
        status, body = self.post("/login", {"username": username, "password": password})
        if status != 303:
            raise AssertionError(f"login as {username} answered {status}: {body[:300]}")
        return self


# --- the live poller of a page ------------------------------------------------------

@dataclass
class Poller:
    url: str  # absolute, with ?v=
    version: str
    every: float  # seconds, from hx-trigger


class _Find(HTMLParser):
    def __init__(self, root_id: str):
        super().__init__()
        self.root_id, self.root, self.poller = root_id, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.root is None and a.get("id") == self.root_id:
            self.root = a
        if self.root is not None and self.poller is None and "/live" in (a.get("hx-get") or ""):
            self.poller = a


def find_poller(html: str, root_id: str, base: str) -> Poller:
    """The element `root_id` (its data-version) and the first htmx poller in it."""
    found = _Find(root_id)
    found.feed(html)
    if found.root is None or found.poller is None:
        raise AssertionError(f"no #{root_id} with a live poller in: {html[:500]}")
    trigger = found.poller.get("hx-trigger") or ""
    every = re.search(r"every\s+(\d+(?:\.\d+)?)(ms|s)", trigger)
    if not every:
        raise AssertionError(f"the poller has no 'every' trigger: {trigger!r}")
    seconds = float(every[1]) / (1000 if every[2] == "ms" else 1)
    return Poller(url=urllib.parse.urljoin(base, found.poller["hx-get"]),
                  version=found.root.get("data-version", ""), every=seconds)


def tagged(url: str, tag: str) -> str:
    """`url` with a `_probe` parameter the app ignores: finds the request in the log."""
    return f"{url}{'&' if '?' in url else '?'}_probe={tag}"


def probe_of(path: str) -> str | None:
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("_probe")
    return values[0] if values else None


if __name__ == "__main__":
    if sys.argv[1:] == ["seed"]:
        _seed_main()
    else:
        sys.exit("usage: python -m tests.meeting_server seed")
