"""A voter's phone, as the stress test drives it: one cookie jar per voter, one new
connection per request (so requests spread over the workers and a killed worker takes
its requests with it), redirects not followed (the 303 is the acknowledgement), and one
retry of a request that got no answer or a 5xx, as a person pressing "send" again would.

Every try is written down as an `Attempt`, whatever came back, so the checks can say
what the server acknowledged and what it may or may not have done.
"""
from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TIMEOUT = 60.0  # gunicorn's own timeout: a slower answer would be cut by the server anyway

# What an HTTP try came to.
ACK = "ack"          # the success answer (a 303 to where a saved thing is shown)
REFUSED = "refused"  # an answer saying no (4xx): nothing was written
ERROR = "error"      # a 5xx: the request's transaction was rolled back
LOST = "lost"        # no answer (connection reset by the kill, timeout): unknown


@dataclass
class Attempt:
    kind: str  # "ballot", "comment", "owner"
    voter: int  # user id
    payload: object  # frozenset of entry ids, a comment's body, an owner's choice
    outcome: str
    status: int | None
    sent: float  # seconds since the run started
    answered: float
    retry: bool = False  # the second try of a failed request
    twin: bool = False  # one of a double submission (the same POST twice at once)
    location: str = ""
    detail: str = ""


@dataclass
class Counter:
    """Answers (or losses) so far, for the killer to know when "the middle" is."""
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self) -> int:
        with self.lock:
            self.done += 1
            return self.done


class Phone:
    def __init__(self, port: int, voter: int, cookie_name: str, cookie: str,
                 started: float, counter: Counter, log: list[Attempt]):
        self.port, self.voter, self.started = port, voter, started
        self.counter, self.log = counter, log
        self.jar = {cookie_name: cookie}
        self.lock = threading.Lock()
        self.token = ""

    def _cookie_header(self) -> str:
        with self.lock:
            return "; ".join(f"{k}={v}" for k, v in self.jar.items())

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.msg.get_all("Set-Cookie") or []:
            parsed = SimpleCookie()
            parsed.load(header)
            with self.lock:
                for name, morsel in parsed.items():
                    if morsel.value:
                        self.jar[name] = morsel.value
                    else:
                        self.jar.pop(name, None)

    def _send(self, method: str, path: str, body: bytes | None):
        """(status, Location, text) or raises OSError / http.client errors."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            headers = {"Cookie": self._cookie_header(), "Connection": "close",
                       "Accept-Language": "en"}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            self._keep_cookies(response)
            return response.status, response.getheader("Location") or "", text
        finally:
            conn.close()

    def _now(self) -> float:
        return time.monotonic() - self.started

    def get_token(self, path: str) -> bool:
        """The CSRF token from a page; one retry. False when the page never came."""
        for _try in range(2):
            try:
                status, _location, text = self._send("GET", path, None)
            except (OSError, http.client.HTTPException):
                status, text = None, ""
            self.counter.add()
            match = CSRF_RE.search(text) if status == 200 else None
            if match:
                self.token = match.group(1)
                return True
        return False

    def post(self, kind: str, path: str, fields: list[tuple[str, str]], payload,
             acked: re.Pattern, *, twin: bool = False, barrier=None) -> list[Attempt]:
        """POST with the token; retry once after no answer or a 5xx."""
        body = urllib.parse.urlencode([("csrf_token", self.token), *fields]).encode()
        tries = []
        for retry in (False, True):
            if barrier is not None and not retry:
                barrier.wait(timeout=TIMEOUT)  # the twins leave together
            sent = self._now()
            try:
                status, location, text = self._send("POST", path, body)
            except (OSError, http.client.HTTPException) as exc:
                status, location, text = None, "", f"{type(exc).__name__}: {exc}"
            if status is None:
                outcome = LOST
            elif status >= 500:
                outcome = ERROR
            elif status == 303 and acked.search(location):
                outcome = ACK
            else:
                outcome = REFUSED
            attempt = Attempt(kind, self.voter, payload, outcome, status, sent, self._now(),
                              retry=retry, twin=twin, location=location,
                              detail=text[:300] if outcome != ACK else "")
            self.counter.add()
            tries.append(attempt)
            self.log.append(attempt)  # list.append is atomic: one log for every phone
            if outcome not in (LOST, ERROR):
                break
        return tries
