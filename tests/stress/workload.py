"""What the voters do, and the worker that dies in the middle of it.

Every voter opens the ballot (the CSRF token comes from that page) and sends a ballot.
Some send it twice at once (a double tap), some revise it (a second, different ballot),
a few then try a ballot over the budget (refused: the earlier one must stand), some
comment on the idea, and most vote as owners (a few change their mind). A voter's steps
run in order; the voters run side by side in a pool of 32 threads. When 40% of the
planned requests have been answered, one gunicorn worker gets SIGKILL.
"""
from __future__ import annotations

import itertools
import os
import random
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .client import Attempt, Counter, Phone

THREADS = 32
KILL_AT = 0.40  # share of the planned requests answered when a worker is killed
SHARE_TWIN, SHARE_REVISE, SHARE_OVER_BUDGET = 0.10, 0.20, 0.05
SHARE_COMMENT, SHARE_OWNER, SHARE_OWNER_CHANGE = 0.15, 0.70, 0.10
CHOICES = ("agree", "against", "abstain")
STANCES = ("support", "oppose", "suggest")


@dataclass
class Plan:
    voter: int
    cookie: str
    first: frozenset[int]
    twin: bool = False
    second: frozenset[int] | None = None
    over_budget: frozenset[int] | None = None
    comment: str | None = None
    owner: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return (2 + self.twin + (self.second is not None) + (self.over_budget is not None)
                + (self.comment is not None) + len(self.owner))


def ballots_within(entries: dict[int, int], budget: int) -> tuple[list, list]:
    """Every non-empty choice of entries, split into those within the budget and over it."""
    ids = sorted(entries)
    fits, over = [], []
    for size in range(1, len(ids) + 1):
        for combo in itertools.combinations(ids, size):
            (fits if sum(entries[i] for i in combo) <= budget else over).append(
                frozenset(combo))
    return fits, over


def plan(voters: list[tuple[int, str]], entries: dict[int, int], budget: int,
         seed: int = 9) -> list[Plan]:
    rng = random.Random(seed)
    fits, over = ballots_within(entries, budget)
    plans = []
    for voter, cookie in voters:
        p = Plan(voter, cookie, rng.choice(fits), twin=rng.random() < SHARE_TWIN)
        if rng.random() < SHARE_REVISE:
            p.second = rng.choice([b for b in fits if b != p.first])
        if rng.random() < SHARE_OVER_BUDGET:
            p.over_budget = rng.choice(over)
        if rng.random() < SHARE_COMMENT:
            p.comment = f"压测留言 stress-{voter}-{rng.getrandbits(32):08x}：支持加装充电桩。"
        if rng.random() < SHARE_OWNER:
            p.owner.append(rng.choice(CHOICES))
            if rng.random() < SHARE_OWNER_CHANGE:
                p.owner.append(rng.choice([c for c in CHOICES if c != p.owner[0]]))
        plans.append(p)
    rng.shuffle(plans)
    return plans


@dataclass
class Kill:
    pid: int | None = None
    at_seconds: float | None = None
    at_answers: int | None = None
    of_planned: int = 0


@dataclass
class Run:
    attempts: list[Attempt]
    no_token: list[int]  # voters whose ballot page never came (twice): nothing sent
    kill: Kill
    seconds: float
    planned: int


class Paths:
    def __init__(self, seeded):
        base = f"/c/{seeded.slug}"
        self.ballot = f"{base}/rounds/{seeded.round_id}/ballot"
        self.comment = f"{base}/ideas/{seeded.idea_id}/comments"
        self.vote = f"{base}/owners/{seeded.decision_id}/vote"
        self.ballot_ack = re.compile(r"/ballot/done\?saved=\d+")
        self.comment_ack = re.compile(rf"/ideas/{seeded.idea_id}#comment-\d+$")
        self.vote_ack = re.compile(rf"/owners/{seeded.decision_id}$")


def _ballot(phone: Phone, paths: Paths, choice: frozenset[int], *, twin: bool = False):
    """One ballot; a twin is the same POST sent twice at once (same cookie and token)."""
    fields = [("entry", str(i)) for i in sorted(choice)]
    if not twin:
        phone.post("ballot", paths.ballot, fields, choice, paths.ballot_ack)
        return
    barrier = threading.Barrier(2)
    other = threading.Thread(target=phone.post, args=("ballot", paths.ballot, fields, choice,
                                                      paths.ballot_ack),
                             kwargs=dict(twin=True, barrier=barrier))
    other.start()
    phone.post("ballot", paths.ballot, fields, choice, paths.ballot_ack, twin=True,
               barrier=barrier)
    other.join()


def _voter(p: Plan, paths: Paths, make_phone, no_token: list[int]) -> None:
    phone = make_phone(p.voter, p.cookie)
    if not phone.get_token(paths.ballot):
        no_token.append(p.voter)
        return
    _ballot(phone, paths, p.first, twin=p.twin)
    if p.comment is not None:
        stance = STANCES[p.voter % len(STANCES)]
        # The form's key (drawn with the page in a browser) makes a retry harmless.
        fields = [("stance", stance), ("body", p.comment), ("once", f"stress-{p.voter:08d}")]
        phone.post("comment", paths.comment, fields, p.comment, paths.comment_ack)
    if p.second is not None:
        _ballot(phone, paths, p.second)
    for choice in p.owner:
        phone.post("owner", paths.vote, [("choice", choice)], choice, paths.vote_ack)
    if p.over_budget is not None:
        _ballot(phone, paths, p.over_budget)


def _killer(server, counter: Counter, kill: Kill, started: float, done: threading.Event):
    """SIGKILL one worker (a child of the gunicorn master) once KILL_AT of the planned
    requests have been answered; gunicorn starts a new one."""
    target = int(kill.of_planned * KILL_AT)
    while not done.is_set() and counter.done < target:
        time.sleep(0.01)
    if done.is_set():
        return
    pid = random.Random(kill.of_planned).choice(sorted(server.worker_pids()))
    os.kill(pid, signal.SIGKILL)
    kill.pid, kill.at_answers = pid, counter.done
    kill.at_seconds = time.monotonic() - started


def run(server, seeded, plans: list[Plan]) -> Run:
    port = server.sock.getsockname()[1]
    paths, counter, log, no_token = Paths(seeded), Counter(), [], []
    started = time.monotonic()
    kill = Kill(of_planned=sum(p.requests for p in plans))

    def make_phone(voter: int, cookie: str) -> Phone:
        return Phone(port, voter, seeded.cookie_name, cookie, started, counter, log)

    done = threading.Event()
    killer = threading.Thread(target=_killer, args=(server, counter, kill, started, done),
                              daemon=True)
    killer.start()
    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(_voter, p, paths, make_phone, no_token) for p in plans]:
            future.result()
    done.set()
    killer.join(timeout=5)
    return Run(sorted(log, key=lambda a: a.sent), no_token, kill,
               time.monotonic() - started, kill.of_planned)
