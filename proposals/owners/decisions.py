"""Owners' decisions (业主表决): opening, online votes, signature sheets, conflicts, the
tally and applying the result to the idea. Plain functions; the caller commits (views
run in the request's transaction, the CLI in ``write_transaction``), and every refusal
is a ``DecisionRefused`` whose message can be shown as it is.

A decision counts against the register as it was when it opened (``DecisionUnit``).
Each owner has at most one online vote and one sheet vote; when both exist with
different choices the owner is a conflict until staff resolve it, and the rule counts
a conflict as taking part but not agreeing. Nothing is ever counted twice: the tally
receives one choice (or one conflict) per owner.

Times: a decision is "upcoming" before it opens, "open" until it closes, then for
three days in "grace" — signature sheets dated before the close, collected door to
door, may still be entered (audited as late) — and then "final": the result can be
applied and nothing changes any more.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app import audit
from app.community import Building, Unit
from app.extensions import db
from app.timeutil import utcnow
from proposals.models import StageChange
from proposals.moves import MoveRefused, move_idea

from . import rule
from .models import ConflictResolution, DecisionUnit, Owner, OwnersDecision, OwnerVote, \
    RegisterUnit

GRACE = timedelta(days=3)  # late sheets dated before the close (issue 6)
DEFAULT_LENGTH = timedelta(days=14)
LOCAL = ZoneInfo("Asia/Shanghai")  # the date on a paper sheet is a local date
MAX_TITLE, MAX_SHEET_REF, MAX_NOTE = 200, 100, 2000


class DecisionRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def format_area(centi: int) -> str:
    """Hundredths of a m² as a decimal string with two decimals, without floats."""
    sign = "-" if centi < 0 else ""
    whole, rest = divmod(abs(centi), 100)
    return f"{sign}{whole}.{rest:02d}"


def local_day_start(day: date) -> datetime:
    """The UTC instant at which `day` begins in Asia/Shanghai."""
    return datetime.combine(day, time(0), tzinfo=LOCAL).astimezone(timezone.utc)


# --- opening ----------------------------------------------------------------------------

def open_decision(community, matter: str, title: str, *, text: str = "", buildings=(),
                  closes_at: datetime | None = None, opens_at: datetime | None = None,
                  idea=None, actor=None) -> OwnersDecision:
    """Make a decision over the whole community or some of its buildings and freeze
    the register in that scope. Closes 14 days after it opens unless told otherwise."""
    if matter not in rule.MATTERS:
        raise DecisionRefused(_("Unknown matter “%(matter)s”: use one of %(matters)s.",
                                matter=matter, matters=", ".join(rule.MATTERS)))
    title = (title or "").strip()
    if not title:
        raise DecisionRefused(_("Give the decision a title."))
    if len(title) > MAX_TITLE:
        raise DecisionRefused(_("The title is too long (at most %(n)d characters).",
                                n=MAX_TITLE))
    now = utcnow()
    opens_at = opens_at or now
    closes_at = closes_at or opens_at + DEFAULT_LENGTH
    if closes_at <= opens_at:
        raise DecisionRefused(_("The decision must close after it opens."))
    if closes_at <= now:
        raise DecisionRefused(_("The closing time has already passed."))
    scope = list(dict.fromkeys(buildings))  # keep order, drop repeats
    if any(b.community_id != community.id for b in scope):
        raise DecisionRefused(_("Only buildings of this community can be in scope."))
    if idea is not None and idea.community_id != community.id:
        raise DecisionRefused(_("Only an idea of this community can be decided on."))

    query = (select(RegisterUnit.unit_id, RegisterUnit.owner_id, Unit.area_centi_m2)
             .join(Unit, Unit.id == RegisterUnit.unit_id).join(Unit.building)
             .where(Building.community_id == community.id).order_by(RegisterUnit.unit_id))
    if scope:
        query = query.where(Building.id.in_([b.id for b in scope]))
    snapshot = db.session.execute(query).all()
    if not snapshot:
        raise DecisionRefused(_("No units of the owners' register are in this scope: "
                                "import the register first."))

    decision = OwnersDecision(community_id=community.id, matter=matter, title=title,
                              text=text or "", opens_at=opens_at, closes_at=closes_at,
                              idea_id=getattr(idea, "id", None),
                              created_by_id=getattr(actor, "id", None))
    decision.buildings = scope
    decision.units = [DecisionUnit(unit_id=unit_id, owner_id=owner_id, area_centi=area)
                      for unit_id, owner_id, area in snapshot]
    db.session.add(decision)
    db.session.flush()
    audit.record("owners.decision_open", actor=actor, community=community, target=decision,
                 matter=matter, title=title, buildings=[b.name for b in scope],
                 units=len(snapshot), owners=len({row[1] for row in snapshot}),
                 opens_at=opens_at, closes_at=closes_at,
                 idea=getattr(idea, "id", None))
    return decision


def state(decision: OwnersDecision, now: datetime | None = None) -> str:
    """"upcoming", "open", "grace" (closed; late sheets still accepted) or "final"."""
    now = now or utcnow()
    if now < decision.opens_at:
        return "upcoming"
    if now < decision.closes_at:
        return "open"
    if now < decision.closes_at + GRACE:
        return "grace"
    return "final"


# --- votes ------------------------------------------------------------------------------

def _in_snapshot(decision: OwnersDecision, owner: Owner) -> None:
    found = db.session.scalar(select(DecisionUnit.id).where(
        DecisionUnit.decision_id == decision.id, DecisionUnit.owner_id == owner.id).limit(1))
    if found is None:
        raise DecisionRefused(_("Owner %(owner)s holds no unit in this decision's scope.",
                                owner=owner.register_id))


def _check_choice(choice: str) -> None:
    if choice not in rule.CHOICES:
        raise DecisionRefused(_("Choose agree, against or abstain."))


def _claim(decision: OwnersDecision, owner: Owner, channel: str,
           **fields) -> tuple[OwnerVote, bool]:
    """The owner's vote row of this channel, locked; True when this call created it.
    INSERT … ON CONFLICT DO NOTHING then SELECT … FOR UPDATE, as rounds.ballots._claim:
    a double click or two workers write the one row one after the other."""
    values = {"sheet_ref": "", "scan_filename": "", "cast_at": utcnow(), **fields,
              "decision_id": decision.id, "owner_id": owner.id, "channel": channel}
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = OwnerVote.__table__
    inserted = db.session.execute(
        dialect.insert(table).values(**values)
        .on_conflict_do_nothing(index_elements=["decision_id", "owner_id", "channel"])
        .returning(table.c.id)).scalar()
    vote = db.session.scalars(
        select(OwnerVote).where(OwnerVote.decision_id == decision.id,
                                OwnerVote.owner_id == owner.id, OwnerVote.channel == channel)
        .with_for_update().execution_options(populate_existing=True)).one()
    return vote, inserted is not None


def cast_online(decision: OwnersDecision, owner: Owner, user, choice: str) -> OwnerVote:
    """The owner's online choice, cast by the account staff linked to the owner;
    changeable until the close (the last one counts)."""
    current = state(decision)
    if current == "upcoming":
        raise DecisionRefused(_("Voting has not opened yet."))
    if current != "open":
        raise DecisionRefused(_("Voting on this decision has closed."))
    _check_choice(choice)
    if user is None or owner.user_id is None or owner.user_id != user.id:
        raise DecisionRefused(_("Your account is not linked to this owner in the register."))
    _in_snapshot(decision, owner)
    vote, created = _claim(decision, owner, "online", choice=choice, cast_by_id=user.id)
    before, dropped = None if created else vote.choice, False
    if not created and vote.choice != choice:
        vote.choice, vote.cast_by_id, vote.cast_at = choice, user.id, utcnow()
        # A resolution chose between two recorded choices; one of them has changed,
        # so it no longer says what this owner wants: the conflict (if any) is back.
        stale = db.session.scalar(select(ConflictResolution).where(
            ConflictResolution.decision_id == decision.id,
            ConflictResolution.owner_id == owner.id))
        if stale is not None:
            db.session.delete(stale)
            dropped = True
    db.session.flush()
    # Owners' decisions are signed, not secret: the choice is audited.
    audit.record("owners.online_vote", actor=user, community=decision.community,
                 target=decision, owner=owner.register_id, choice=choice, before=before,
                 resolution_dropped=dropped)
    return vote


def _sheet_date(signed_on) -> datetime | None:
    """A sheet's date (a local calendar date) as the instant that day began."""
    if signed_on is None or isinstance(signed_on, datetime):
        return signed_on
    return local_day_start(signed_on)


def sheet_window(decision: OwnersDecision, signed_on: date | datetime | None = None,
                 now: datetime | None = None) -> tuple[str, datetime | None]:
    """May sheets with this date be entered now? (state, the date as an instant), or
    DecisionRefused. While open any time; in the three days of grace only a sheet dated
    before the close; never once final. A sheet dated on the closing day counts as
    dated before the close (the paper carries a day, not a time)."""
    now = now or utcnow()
    current = state(decision, now)
    if current == "upcoming":
        raise DecisionRefused(_("Voting has not opened yet."))
    if current == "final":
        raise DecisionRefused(_("The result of this decision is final: "
                                "no more sheets can be entered."))
    signed_at = _sheet_date(signed_on)
    if signed_at is not None:
        if signed_at > now:
            raise DecisionRefused(_("The sheet's date is in the future."))
        if signed_at < local_day_start(decision.opens_at.astimezone(LOCAL).date()):
            raise DecisionRefused(_("The sheet is dated before voting opened."))
    if current == "grace":
        if signed_at is None:
            raise DecisionRefused(_("Voting has closed: give the date on the sheet; only "
                                    "sheets dated before the close can still be entered."))
        if signed_at >= decision.closes_at:
            raise DecisionRefused(_("Voting has closed and this sheet is dated after the "
                                    "close: it cannot be counted."))
    return current, signed_at


def enter_sheet(decision: OwnersDecision, owner: Owner, choice: str, sheet_ref: str, *,
                staff, signed_on: date | datetime | None = None,
                scan_filename: str = "") -> OwnerVote:
    """Staff type in one owner's signature sheet (代录入), audited with its reference;
    when, see sheet_window. One sheet per owner."""
    current, signed_at = sheet_window(decision, signed_on)
    _check_choice(choice)
    ref = (sheet_ref or "").strip()
    if not ref or len(ref) > MAX_SHEET_REF:
        raise DecisionRefused(_("Give the reference of the signature sheet."))
    _in_snapshot(decision, owner)
    vote, created = _claim(decision, owner, "sheet", choice=choice, sheet_ref=ref,
                           sheet_signed_on=signed_at, scan_filename=scan_filename or "",
                           cast_by_id=getattr(staff, "id", None))
    if not created:
        raise DecisionRefused(_("A signature sheet (%(ref)s) has already been entered for "
                                "owner %(owner)s.", ref=vote.sheet_ref,
                                owner=owner.register_id))
    audit.record("owners.sheet_vote", actor=staff, community=decision.community,
                 target=decision, owner=owner.register_id, choice=choice, sheet_ref=ref,
                 signed_on=signed_at, late=current == "grace")
    return vote


# --- counting ---------------------------------------------------------------------------

def _choices(decision: OwnersDecision) -> tuple[dict[int, str], set[int]]:
    """One choice per owner who voted, and the unresolved conflicts."""
    by_owner: dict[int, set[str]] = {}
    for owner_id, choice in db.session.execute(
            select(OwnerVote.owner_id, OwnerVote.choice)
            .where(OwnerVote.decision_id == decision.id)):
        by_owner.setdefault(owner_id, set()).add(choice)
    resolved = dict(db.session.execute(
        select(ConflictResolution.owner_id, ConflictResolution.choice)
        .where(ConflictResolution.decision_id == decision.id)).all())
    choices, conflicted = {}, set()
    for owner_id, given in by_owner.items():
        if owner_id in resolved:
            choices[owner_id] = resolved[owner_id]
        elif len(given) == 1:  # one vote, or online and sheet agree
            choices[owner_id] = next(iter(given))
        else:
            conflicted.add(owner_id)
    return choices, conflicted


def conflicts(decision: OwnersDecision) -> list[int]:
    """Owners (ids) whose online vote and sheet differ and who are not resolved."""
    return sorted(_choices(decision)[1])


def resolve_conflict(decision: OwnersDecision, owner: Owner, choice: str, staff,
                     note: str) -> ConflictResolution:
    """Staff settle which of an owner's two recorded choices stands (after asking them)."""
    if decision.applied_at is not None:
        raise DecisionRefused(_("The result of this decision has been applied."))
    if owner.id not in conflicts(decision):
        raise DecisionRefused(_("Owner %(owner)s has no conflict to resolve.",
                                owner=owner.register_id))
    recorded = set(db.session.scalars(select(OwnerVote.choice).where(
        OwnerVote.decision_id == decision.id, OwnerVote.owner_id == owner.id)))
    # Only a signed record may stand: staff choose one of the two, never a third.
    if choice not in recorded:
        raise DecisionRefused(_("Choose one of the two choices the owner recorded."))
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise DecisionRefused(_("Say how the conflict was resolved (at most %(n)d "
                                "characters).", n=MAX_NOTE))
    resolution = ConflictResolution(decision_id=decision.id, owner_id=owner.id,
                                    choice=choice, note=note,
                                    resolved_by_id=getattr(staff, "id", None))
    db.session.add(resolution)
    db.session.flush()
    audit.record("owners.conflict_resolved", actor=staff, community=decision.community,
                 target=decision, owner=owner.register_id, choice=choice, note=note)
    return resolution


def current_tally(decision: OwnersDecision) -> rule.Tally:
    units = [rule.RegisterUnit(str(unit_id), area, str(owner_id))
             for unit_id, owner_id, area in db.session.execute(
                 select(DecisionUnit.unit_id, DecisionUnit.owner_id, DecisionUnit.area_centi)
                 .where(DecisionUnit.decision_id == decision.id))]
    choices, conflicted = _choices(decision)
    return rule.tally(units, {str(o): c for o, c in choices.items()}, decision.matter,
                      conflicts={str(o) for o in conflicted})


def result_json(decision: OwnersDecision) -> dict:
    """The tally as `owners result --json` prints it: counts as integers, areas as
    decimal strings with two decimals."""
    t = current_tally(decision)
    return {
        "status": "open" if state(decision) == "open" else "closed",
        "matter": decision.matter,
        "threshold": rule.threshold_label(decision.matter),
        "owners_total": t.owners_total,
        "owners_participating": t.owners_participating,
        "owners_agree": t.owners_agree,
        "area_total": format_area(t.area_total),
        "area_participating": format_area(t.area_participating),
        "area_agree": format_area(t.area_agree),
        "quorum": t.quorum,
        "passed": t.passed,
        "conflicts": t.conflicts,
    }


# --- applying the result ----------------------------------------------------------------

def result_sentence(decision: OwnersDecision, t: rule.Tally) -> str:
    """The result with its figures, for the idea's public timeline."""
    outcome = {"passed": _("passed"), "not_passed": _("not passed"),
               "no_quorum": _("no quorum (owners taking part held less than two thirds "
                              "of the area or numbered less than two thirds)")}[t.result]
    line = _("three quarters") if decision.matter in rule.SPECIAL else _("more than half")
    return _("Owners' decision “%(title)s”: %(outcome)s. Taking part: %(part)d of "
             "%(total)d owners, %(area_part)s of %(area_total)s m². Agreeing: %(agree)d "
             "owners, %(area_agree)s m² (needed: %(line)s of those taking part, by area "
             "and by owners).", title=decision.title, outcome=outcome,
             part=t.owners_participating, total=t.owners_total,
             area_part=format_area(t.area_participating),
             area_total=format_area(t.area_total), agree=t.owners_agree,
             area_agree=format_area(t.area_agree), line=line)


def apply_result(decision: OwnersDecision, staff) -> StageChange | None:
    """Record the final result and carry it to the linked idea's timeline."""
    db.session.refresh(decision, with_for_update=True)  # one applier at a time
    if decision.applied_at is not None:
        raise DecisionRefused(_("The result of this decision has already been applied."))
    if state(decision) != "final":
        raise DecisionRefused(_("The result is final three days after the close, when "
                                "late signature sheets can no longer be entered."))
    open_conflicts = conflicts(decision)
    if open_conflicts:
        raise DecisionRefused(_("Resolve the conflicting votes first (%(n)d owners).",
                                n=len(open_conflicts)))
    t = current_tally(decision)
    decision.result, decision.applied_at = t.result, utcnow()
    decision.applied_by_id = getattr(staff, "id", None)
    idea, change = decision.idea, None
    if idea is not None:
        reason = result_sentence(decision, t)
        if t.passed and idea.stage == "planned":
            try:
                change = move_idea(idea, "noticed", actor=staff, cause=decision,
                                   reason=reason)
            except MoveRefused as refused:
                decision.result, decision.applied_at, decision.applied_by_id = "", None, None
                raise DecisionRefused(refused.message) from None
        else:
            # Not a move: the idea stays where it is (planned, for staff to move to
            # not_adopted if they choose), but the result belongs on its public
            # timeline, so it is written as an entry whose stage does not change.
            change = StageChange(idea=idea, from_stage=idea.stage, to_stage=idea.stage,
                                 actor_id=getattr(staff, "id", None), reason=reason,
                                 cause_type=decision.cause_kind, cause_id=decision.id,
                                 cause_label=decision.title[:200])
            db.session.add(change)
    db.session.flush()
    audit.record("owners.decision_applied", actor=staff, community=decision.community,
                 target=decision, result=t.result, idea=getattr(idea, "id", None),
                 owners_participating=t.owners_participating,
                 owners_agree=t.owners_agree, owners_total=t.owners_total,
                 area_participating=format_area(t.area_participating),
                 area_agree=format_area(t.area_agree),
                 area_total=format_area(t.area_total))
    return change
