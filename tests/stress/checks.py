"""After the run, from the database itself (the server stopped): what was acknowledged
is there exactly once, what was refused is not, and every total equals a recount.

A try that got no answer (`LOST`: the worker died under it) may or may not have
committed. The checks allow exactly that and no more: its ballot is counted once or
not at all, never twice; when it came after the last acknowledged ballot, the ballot
counted may be its own. A refusal (4xx) or a 5xx wrote nothing.

The recounts read the raw rows with plain SQL, not through the code that keeps the
tallies, and compare with `proposals.rounds.results` / `tallies` and
`proposals.owners.decisions.current_tally`.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import text

from app.extensions import db
from proposals.counting import rules
from proposals.owners.decisions import current_tally
from proposals.owners.models import OwnersDecision
from proposals.rounds import results, tallies
from proposals.rounds.models import Round

from .client import ACK, ERROR, LOST, REFUSED, Attempt

SAVED_RE = re.compile(r"saved=(\d+)")


@dataclass
class Figures:
    ballots_sent: int = 0  # ballot POSTs, retries and twins included
    ballots_acked: int = 0
    ballots_refused: int = 0  # over the budget, as planned
    ballots_lost: int = 0
    ballots_5xx: int = 0
    double_taps: int = 0  # the same ballot POSTed twice at once
    double_taps_both_acked: int = 0
    voters_acked: int = 0
    voters_counted: int = 0
    ballots_counted: int = 0
    revisions_counted: int = 0
    ambiguous_voters: int = 0  # a lost try could have been the one counted
    comments_sent: int = 0
    comments_acked: int = 0
    comments_in_db: int = 0
    comments_twice: int = 0  # written twice: a lost answer, then the retry
    owner_votes_sent: int = 0
    owner_votes_acked: int = 0
    owners_counted: int = 0
    rate_limited: int = 0
    retries: int = 0


@dataclass
class Verdict:
    figures: Figures
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        if len(self.problems) < 40:
            self.problems.append(message)


def _by_voter(attempts: list[Attempt], kind: str) -> dict[int, list[Attempt]]:
    found = defaultdict(list)
    for a in attempts:
        if a.kind == kind:
            found[a.voter].append(a)
    return found


def _candidates(tries: list[Attempt]) -> tuple[set, bool]:
    """What may be in the database for one voter, and whether something must be.
    The last acknowledged try's payload, or that of a lost try sent after it."""
    acked = [a for a in tries if a.outcome == ACK]
    last = max(acked, key=lambda a: a.sent) if acked else None
    lost = [a.payload for a in tries if a.outcome == LOST
            and (last is None or a.sent >= last.sent)]
    return ({last.payload} if last else set()) | set(lost), last is not None


def _count_tries(f: Figures, attempts: list[Attempt]) -> None:
    twins = Counter(a.voter for a in attempts if a.twin and not a.retry)
    acked = Counter(a.voter for a in attempts if a.twin and a.outcome == ACK)
    f.double_taps = len(twins)
    f.double_taps_both_acked = sum(n == 2 for n in acked.values())
    for a in attempts:
        f.retries += a.retry
        f.rate_limited += a.status == 429
        if a.kind == "ballot":
            f.ballots_sent += 1
            f.ballots_acked += a.outcome == ACK
            f.ballots_refused += a.outcome == REFUSED
            f.ballots_lost += a.outcome == LOST
            f.ballots_5xx += a.outcome == ERROR
        elif a.kind == "comment":
            f.comments_sent += 1
            f.comments_acked += a.outcome == ACK
        else:
            f.owner_votes_sent += 1
            f.owner_votes_acked += a.outcome == ACK


def check_ballots(v: Verdict, seeded, attempts: list[Attempt], planned_over: set) -> dict:
    """Per voter, then globally; returns {voter: choices counted}."""
    rows = text("SELECT p.voter_key, p.revision, p.token, b.id, b.counted FROM participation p "
                "LEFT JOIN ballot b ON b.token = p.token WHERE p.round_id = :r")
    session = db.session
    parts = {}
    for key, revision, token, ballot_id, counted in session.execute(rows, {"r": seeded.round_id}):
        if key in parts:
            v.problem(f"voter {key} has two participations")
        parts[key] = (revision, token, ballot_id, counted)
    choices = defaultdict(set)
    for ballot_id, entry_id in session.execute(text(
            "SELECT c.ballot_id, c.entry_id FROM ballot_choice c JOIN ballot b "
            "ON b.id = c.ballot_id WHERE b.round_id = :r"), {"r": seeded.round_id}):
        choices[ballot_id].add(entry_id)
    ballots = session.execute(text("SELECT id, token, counted FROM ballot WHERE round_id = :r"),
                              {"r": seeded.round_id}).all()

    f, counted_choices = v.figures, {}
    for voter, tries in _by_voter(attempts, "ballot").items():
        may, must = _candidates(tries)
        acks = [a for a in tries if a.outcome == ACK]
        lost = sum(a.outcome == LOST for a in tries)
        f.voters_acked += must
        f.ambiguous_voters += len(may) > 1 or (not must and bool(may))
        for a in tries:
            if a.outcome == ACK and a.payload in planned_over:
                v.problem(f"voter {voter}: a ballot over the budget was accepted")
            if a.outcome == REFUSED and a.payload not in planned_over:
                v.problem(f"voter {voter}: a valid ballot was refused ({a.status}): "
                          f"{a.detail[:120]!r}")
        saved = [int(m.group(1)) for a in acks if (m := SAVED_RE.search(a.location))]
        if len(set(saved)) != len(saved):
            v.problem(f"voter {voter}: two acknowledgements of the same revision {saved}")
        row = parts.get(f"u{voter}")
        if row is None:
            if must:
                v.problem(f"voter {voter}: acknowledged ballot missing")
            continue
        revision, token, ballot_id, counted = row
        got = frozenset(choices.get(ballot_id, ()))
        if ballot_id is None or not counted:
            v.problem(f"voter {voter}: participation without a counted ballot")
            continue
        if not may:
            v.problem(f"voter {voter}: counted though no try was acknowledged or lost")
        elif got not in may:
            v.problem(f"voter {voter}: counted {sorted(got)}, expected one of "
                      f"{[sorted(c) for c in may]}")
        # Each acknowledged save is one revision; a lost try may have added one.
        if not len(acks) <= revision <= len(acks) + lost or (saved and max(saved) > revision):
            v.problem(f"voter {voter}: revision {revision} for {len(acks)} acknowledged "
                      f"and {lost} lost tries (saved={saved})")
        counted_choices[voter] = got
        f.revisions_counted += revision
    strangers = set(parts) - {f"u{voter}" for voter in _by_voter(attempts, "ballot")}
    if strangers:
        v.problem(f"counted for voters who sent nothing: {sorted(strangers)[:5]}")
    f.voters_counted = len(parts)
    f.ballots_counted = sum(1 for _id, _t, c in ballots if c)
    tokens = {t for _r, t, _b, _c in parts.values()}
    orphans = [b for b, t, _c in ballots if t not in tokens]
    if orphans or len(ballots) != len(parts):
        v.problem(f"{len(ballots)} ballots for {len(parts)} participations "
                  f"({len(orphans)} without one)")
    if any(not choices.get(b) for b, _t, _c in ballots):
        v.problem("a ballot with no choices")
    return counted_choices


def check_tally(v: Verdict, seeded, counted_choices: dict) -> dict:
    """The site's totals and both rules' results against a recount of the raw rows."""
    round_ = db.session.get(Round, seeded.round_id)
    project_of = {e.id: e.project_id for e in round_.entries}
    recount = Counter()
    ballots = defaultdict(dict)
    for ballot_id, entry_id, weight in db.session.execute(text(
            "SELECT c.ballot_id, c.entry_id, c.weight FROM ballot_choice c JOIN ballot b "
            "ON b.id = c.ballot_id WHERE b.round_id = :r AND b.counted"),
            {"r": seeded.round_id}):
        recount[entry_id] += weight
        ballots[ballot_id][project_of[entry_id]] = weight
    expected = Counter(e for chosen in counted_choices.values() for e in chosen)
    site = results.vote_totals(round_)
    totals = {e: recount.get(e, 0) for e in site}
    if site != totals:
        v.problem(f"the site's vote totals {site} differ from the recount {totals}")
    if {e: expected.get(e, 0) for e in site} != totals:
        v.problem(f"the recount {totals} differs from what the voters were told {expected}")
    if results.ballots_counted(round_) != len(ballots):
        v.problem(f"ballots counted {results.ballots_counted(round_)} != raw {len(ballots)}")
    costs = {e.project_id: e.cost_fen for e in round_.entries}
    outcome = {}
    for rule, result in tallies.both(round_).items():
        options = ({"threshold": round_.threshold} if rule == "greedy"
                   else {"unit": round_.share_step})
        mine = rules.count(rule, round_.budget_fen, costs, list(ballots.values()), **options)
        if result is None or result.selected != mine:
            v.problem(f"{rule}: the site selects {result and result.selected}, "
                      f"the recount {mine}")
        outcome[rule] = mine
    return dict(votes=dict(sorted(totals.items())), **outcome)


def check_comments(v: Verdict, seeded, attempts: list[Attempt]) -> None:
    rows = db.session.execute(text(
        "SELECT c.body, c.author_id FROM comment c JOIN thread t ON t.id = c.thread_id "
        "WHERE t.idea_id = :i"), {"i": seeded.idea_id}).all()
    written = Counter((body, author) for body, author in rows)
    f = v.figures
    for voter, tries in _by_voter(attempts, "comment").items():
        body = tries[0].payload
        n, lost = written.get((body, voter), 0), sum(a.outcome == LOST for a in tries)
        acked = any(a.outcome == ACK for a in tries)
        f.comments_in_db += n
        # Every try carries the form's key: a lost answer followed by a retry still
        # leaves one comment (app/once.py). Unacknowledged tries may have been written.
        low, high = (1 if acked else 0), (1 if acked or lost else 0)
        if not low <= n <= high:
            v.problem(f"voter {voter}: comment written {n} times (acknowledged={acked}, "
                      f"lost tries={lost})")
        f.comments_twice += n > 1


def check_owner_votes(v: Verdict, seeded, attempts: list[Attempt]) -> dict:
    session = db.session
    owner_of = dict(session.execute(text(
        "SELECT user_id, id FROM owner WHERE user_id IS NOT NULL")).all())
    votes = defaultdict(list)
    for owner_id, choice in session.execute(text(
            "SELECT owner_id, choice FROM owner_vote WHERE decision_id = :d "
            "AND channel = 'online'"), {"d": seeded.decision_id}):
        votes[owner_id].append(choice)
    for voter, tries in _by_voter(attempts, "owner").items():
        may, must = _candidates(tries)
        got = votes.get(owner_of[voter], [])
        if len(got) > 1:
            v.problem(f"voter {voter}: {len(got)} online votes for one owner")
        elif not got and must:
            v.problem(f"voter {voter}: acknowledged owner's vote missing")
        elif got and got[0] not in may:
            v.problem(f"voter {voter}: owner's vote {got[0]}, expected one of {sorted(may)}")
    voted = {u for u, o in owner_of.items() if o in votes}
    if voted - set(_by_voter(attempts, "owner")):
        v.problem("owners' votes from voters who sent none")
    v.figures.owners_counted = len(votes)

    area = defaultdict(int)
    for owner_id, a in session.execute(text(
            "SELECT owner_id, area_centi FROM decision_unit WHERE decision_id = :d"),
            {"d": seeded.decision_id}):
        area[owner_id] += a
    part = set(votes)
    agree = {o for o, c in votes.items() if c[0] == "agree"}
    recount = dict(owners_total=len(area), owners_participating=len(part),
                   owners_agree=len(agree), area_total=sum(area.values()),
                   area_participating=sum(area[o] for o in part),
                   area_agree=sum(area[o] for o in agree), conflicts=0)
    t = current_tally(session.get(OwnersDecision, seeded.decision_id))
    site = {k: getattr(t, k) for k in recount}
    if site != recount:
        v.problem(f"the decision's tally {site} differs from the recount {recount}")
    return dict(recount, result=t.result)


def check(seeded, attempts: list[Attempt], planned_over: set) -> tuple[Verdict, dict]:
    """Every check, inside an app context of the site's own database."""
    v = Verdict(Figures())
    _count_tries(v.figures, attempts)
    if v.figures.rate_limited:
        v.problem(f"{v.figures.rate_limited} requests were rate-limited (429)")
    counted = check_ballots(v, seeded, attempts, planned_over)
    tally = check_tally(v, seeded, counted)
    check_comments(v, seeded, attempts)
    tally["owners"] = check_owner_votes(v, seeded, attempts)
    return v, tally
