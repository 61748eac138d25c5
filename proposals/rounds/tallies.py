"""Counting a closed round under both rules, in the background when it is big.

A round with at most `SYNC_LIMIT` counted ballots is counted on the spot: greedy is
instant and equal shares on a few thousand ballots takes well under a second. A bigger
round is counted once in a daemon thread and kept in a `Tally` row per (round, rule,
threshold), so no web worker waits on it and no page view counts it again. Entering or
confirming a paper ballot deletes the round's rows (`ballots._forget_tallies`), so a late
ballot is counted again. A thread that dies (the worker was recycled) stops beating; a
later request may start the count again once the heartbeat is `STALE_AFTER` old.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.database import write_transaction
from app.extensions import db
from app.timeutil import utcnow

from . import results
from .models import RULE_NAMES, Round, RoundEntry, Tally
from .services import RoundRefused

log = logging.getLogger(__name__)

SYNC_LIMIT = 5_000  # counted ballots up to which a request counts by itself
STALE_AFTER = timedelta(minutes=2)
HEARTBEAT_SECONDS = 20.0


@dataclass(frozen=True)
class TallyResult:
    rule: str
    selected: list[str]  # project ids in the order funded
    seconds: float
    ballots_counted: int


def threshold_key(rule: str, threshold: int | None) -> int:
    """Only greedy has a threshold; 0 stands for none."""
    return (threshold or 0) if rule == "greedy" else 0


def result_for(round_: Round, rule: str, threshold: int | None, *,
               election: results.Election | None = None,
               counted: int | None = None) -> TallyResult | None:
    """The result under `rule`, or None while it is being counted in the background.

    `election` and `counted` let a caller that needs both rules read the ballots once."""
    if counted is None:
        counted = results.ballots_counted(round_)
    key = threshold_key(rule, threshold)
    # Ballots of a round still open keep changing: never cache them.
    if counted <= SYNC_LIMIT or round_.state not in ("closed", "adopted"):
        election = election or results.election_of(round_)
        selected, seconds = results.count(election, rule, threshold=key or None)
        return TallyResult(rule, selected, seconds, len(election.ballots))
    row = _row(round_.id, rule, key)
    if row is not None and row.status == "done":
        return _from_row(row)
    if row is None or _restartable(row):
        tally_id = _claim(round_.id, rule, key)
        if tally_id is not None:
            _spawn(current_app._get_current_object(), tally_id)
    return None


def both(round_: Round) -> dict[str, TallyResult | None]:
    """Both rules' results of a round (greedy with the round's threshold)."""
    counted = results.ballots_counted(round_)
    election = results.election_of(round_) if counted <= SYNC_LIMIT else None
    return {rule: result_for(round_, rule, round_.threshold, election=election,
                             counted=counted) for rule in RULE_NAMES}


def still_counting(round_: Round) -> list[Tally]:
    """The rows of counts still under way (restarting dead ones); [] once all are known."""
    counted = results.ballots_counted(round_)
    if counted <= SYNC_LIMIT:
        return []
    waiting = [(rule, threshold_key(rule, round_.threshold)) for rule in RULE_NAMES
               if result_for(round_, rule, round_.threshold, counted=counted) is None]
    return [row for rule, key in waiting if (row := _row(round_.id, rule, key)) is not None]


def count_for_adoption(round_: Round) -> list[str]:
    """Count again for adoption, inside the caller's transaction. A big round takes its
    stored count, which a new ballot would have deleted in its own transaction."""
    counted = results.ballots_counted(round_)
    if counted <= SYNC_LIMIT:
        selected, _seconds = results.count(results.election_of(round_), round_.rule,
                                           threshold=threshold_key(round_.rule,
                                                                   round_.threshold) or None)
        return selected
    row = _row(round_.id, round_.rule, threshold_key(round_.rule, round_.threshold))
    if row is None or row.status != "done" or row.ballots_counted != counted:
        raise RoundRefused(_("The ballots are still being counted. The result can be "
                             "adopted once it is shown."))
    return _from_row(row).selected


# ---- per idea ------------------------------------------------------------------------

@dataclass
class IdeaLine:
    """One idea of a round with its votes and what each rule made of it."""
    entry: RoundEntry
    votes: int
    chosen: dict[str, bool]  # rule -> selected under it (False while unknown)

    @property
    def differs(self) -> bool:
        return len(set(self.chosen.values())) > 1


def idea_lines(round_: Round, totals: dict[int, int],
               outcomes: dict[str, TallyResult | None]) -> list[IdeaLine]:
    """Most votes first; ties: cheaper first, then the ballot's order."""
    picked = {rule: set(r.selected) if r else set() for rule, r in outcomes.items()}
    lines = [IdeaLine(e, totals.get(e.id, 0),
                      {rule: e.project_id in ids for rule, ids in picked.items()})
             for e in round_.entries]
    lines.sort(key=lambda line: (-line.votes, line.entry.cost_fen, line.entry.position,
                                 line.entry.id))
    return lines


# ---- the stored counts ---------------------------------------------------------------

def _row(round_id: int, rule: str, key: int) -> Tally | None:
    return db.session.scalar(select(Tally).where(
        Tally.round_id == round_id, Tally.rule == rule, Tally.threshold_key == key)
        .execution_options(populate_existing=True))


def _from_row(row: Tally) -> TallyResult:
    return TallyResult(row.rule, json.loads(row.selected_json or "[]"), row.seconds or 0.0,
                       row.ballots_counted)


def _restartable(row: Tally) -> bool:
    limit = utcnow() - STALE_AFTER
    if row.status in ("queued", "running"):
        return row.heartbeat_at is None or row.heartbeat_at < limit
    return row.status == "failed" and (row.finished_at is None or row.finished_at < limit)


def _claim(round_id: int, rule: str, key: int) -> int | None:
    """Queue a count: insert its row, or take over a dead or failed one. The id when this
    request should start the thread; None when another request already did."""
    now = utcnow()
    table = Tally.__table__
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    with write_transaction():
        inserted = db.session.execute(
            dialect.insert(table).values(
                round_id=round_id, rule=rule, threshold_key=key, status="queued",
                progress="", selected_json="", error="", ballots_counted=0, heartbeat_at=now)
            .on_conflict_do_nothing(index_elements=["round_id", "rule", "threshold_key"])
            .returning(table.c.id)).scalar()
        if inserted is not None:
            return inserted
        limit = now - STALE_AFTER
        # Compare and set: of two requests seeing the same dead row, one takes it over.
        return db.session.execute(
            update(table).where(
                table.c.round_id == round_id, table.c.rule == rule,
                table.c.threshold_key == key,
                or_(and_(table.c.status.in_(("queued", "running")),
                         or_(table.c.heartbeat_at.is_(None), table.c.heartbeat_at < limit)),
                    and_(table.c.status == "failed",
                         or_(table.c.finished_at.is_(None), table.c.finished_at < limit))))
            .values(status="queued", progress="", error="", heartbeat_at=now,
                    started_at=None, finished_at=None)
            .returning(table.c.id)).scalar()


def _spawn(app, tally_id: int) -> None:
    threading.Thread(target=_run, args=(app, tally_id), name=f"tally-{tally_id}",
                     daemon=True).start()


def _set(app, tally_id: int, *, only_if: str, **values) -> bool:
    """Update our row in a transaction of its own; False when it is gone (a new ballot
    deleted it) or no longer in the state we expect."""
    with app.app_context(), write_transaction():
        table = Tally.__table__
        done = db.session.execute(update(table).where(
            table.c.id == tally_id, table.c.status == only_if).values(**values))
        return done.rowcount == 1


def _run(app, tally_id: int) -> None:
    """The thread: its own app context, so its own session and connection."""
    try:
        with app.app_context():
            now = utcnow()
            if not _set(app, tally_id, only_if="queued", status="running", progress="reading",
                        started_at=now, heartbeat_at=now):
                return
            row = db.session.get(Tally, tally_id)
            if row is None:
                return
            rule, key = row.rule, row.threshold_key
            round_ = db.session.get(Round, row.round_id)
            election = results.election_of(round_)
            db.session.commit()  # end the read: no snapshot held while counting
            _set(app, tally_id, only_if="running", progress="counting")
            stop = threading.Event()
            beat = threading.Thread(target=_beat, args=(app, tally_id, stop), daemon=True,
                                    name=f"tally-{tally_id}-heartbeat")
            beat.start()
            try:
                selected, seconds = results.count(election, rule, threshold=key or None)
            finally:
                stop.set()
            _set(app, tally_id, only_if="running", status="done", progress="",
                 selected_json=json.dumps(selected), seconds=seconds,
                 ballots_counted=len(election.ballots), finished_at=utcnow(),
                 heartbeat_at=utcnow())
    except Exception as exc:  # noqa: BLE001 - whatever went wrong is shown on the page
        log.exception("counting tally %s failed", tally_id)
        try:
            _set(app, tally_id, only_if="running", status="failed", progress="",
                 error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=utcnow())
        except Exception:  # noqa: BLE001
            log.exception("could not record the failure of tally %s", tally_id)


def _beat(app, tally_id: int, stop: threading.Event) -> None:
    """Say "still alive" while the count runs; the rules give no progress of their own."""
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            if not _set(app, tally_id, only_if="running", heartbeat_at=utcnow()):
                return
        except Exception:  # noqa: BLE001 - a busy database skips one beat
            log.warning("heartbeat of tally %s skipped", tally_id, exc_info=True)
