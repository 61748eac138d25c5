"""Notices (公示): which ideas may be put on notice, opening a notice, residents'
objections and staff's answers, the photo of the posted notice, and finishing a notice
(the due moves to funded, by staff or by `flask tick`).

Plain functions; the caller commits (views and `tick` run them in `write_transaction`).
Every refusal is a `NoticeRefused` whose message can be shown as it is. Ideas change
stage only through `proposals.moves.move_idea`, which checks the stage table again.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _, ngettext
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.permissions import is_staff, is_verified_resident
from app.timeutil import utcnow
from proposals.models import Idea, StageChange
from proposals.moves import MoveRefused, move_idea
from proposals.owners.models import OwnersDecision
from proposals.rounds.models import Round

from .models import KINDS, Notice, NoticeIdea, Objection

MIN_DAYS, MAX_DAYS = 1, 60
MAX_TITLE = 120
MAX_TEXT = 5000
MAX_REASON = 1000
MAX_ANSWER = 2000


class NoticeRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- candidates -------------------------------------------------------------------------

@dataclass
class Candidate:
    """Noticed ideas that may go on one notice together."""

    kind: str  # "round", "decision" or "plan"
    ideas: list[Idea]
    round: Round | None = None
    decision: OwnersDecision | None = None
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        if self.kind == "round":
            return f"round-{self.round.id}"
        if self.kind == "decision":
            return f"decision-{self.decision.id}"
        return f"plan-{self.ideas[0].id}"

    @property
    def label(self) -> str:
        if self.kind == "round":
            return self.round.title
        if self.kind == "decision":
            return self.decision.title
        return self.ideas[0].title


def _pending_clause():
    """Ideas on a notice that is not finished and has not returned them."""
    return (select(NoticeIdea.idea_id).join(Notice, Notice.id == NoticeIdea.notice_id)
            .where(Notice.finished_at.is_(None), NoticeIdea.result == ""))


def candidates(community) -> list[Candidate]:
    """Noticed ideas on no unfinished notice, grouped by what put them in notice: an
    adopted round (its winners together), a passed owners' decision, or staff's move
    of a plan funded outside a round (one idea each)."""
    ideas = db.session.scalars(
        select(Idea).where(Idea.community_id == community.id, Idea.stage == "noticed",
                           Idea.id.not_in(_pending_clause()))
        .options(selectinload(Idea.costing)).order_by(Idea.id)).all()
    if not ideas:
        return []
    # The latest move into notice says what caused it.
    cause: dict[int, tuple[str, int | None]] = {}
    for idea_id, kind, cause_id in db.session.execute(
            select(StageChange.idea_id, StageChange.cause_type, StageChange.cause_id)
            .where(StageChange.idea_id.in_([i.id for i in ideas]),
                   StageChange.to_stage == "noticed")
            .order_by(StageChange.id)):
        cause[idea_id] = (kind, cause_id)
    rounds = {r.id: r for r in db.session.scalars(select(Round).where(
        Round.community_id == community.id, Round.adopted_at.is_not(None),
        Round.id.in_([c for k, c in cause.values() if k == "round" and c])))}
    decisions = {d.id: d for d in db.session.scalars(select(OwnersDecision).where(
        OwnersDecision.community_id == community.id, OwnersDecision.result == "passed",
        OwnersDecision.applied_at.is_not(None),
        OwnersDecision.id.in_([c for k, c in cause.values() if k == "decision" and c])))}
    by_round: dict[int, Candidate] = {}
    found: list[Candidate] = []
    for idea in ideas:
        kind, cause_id = cause.get(idea.id, ("", None))
        round_ = rounds.get(cause_id) if kind == "round" else None
        decision = decisions.get(cause_id) if kind == "decision" else None
        if round_ is not None and idea.id in round_.winners:
            if round_.id not in by_round:
                by_round[round_.id] = Candidate("round", [], round=round_)
                found.append(by_round[round_.id])
            by_round[round_.id].ideas.append(idea)
        elif decision is not None and decision.idea_id == idea.id:
            found.append(Candidate("decision", [idea], decision=decision))
        else:
            found.append(Candidate("plan", [idea]))
    return found


def candidate(community, key: str) -> Candidate | None:
    """The candidate named by `key` (e.g. "round-3"), if it is (still) one."""
    return next((c for c in candidates(community) if c.key == key), None)


# --- opening ------------------------------------------------------------------------------

def check_days(days) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise NoticeRefused(_("A notice runs for %(a)d to %(b)d days.", a=MIN_DAYS, b=MAX_DAYS))
    return days


def _check_words(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise NoticeRefused(_("Give the notice a title."))
    if len(title) > MAX_TITLE:
        raise NoticeRefused(_("The title is too long (at most %(n)d characters).", n=MAX_TITLE))
    if not text:
        raise NoticeRefused(_("Write the text of the notice: what is decided and why."))
    if len(text) > MAX_TEXT:
        raise NoticeRefused(_("The text is too long (at most %(n)d characters).", n=MAX_TEXT))
    return title, text


def _check_ideas(community, kind: str, ideas, round_, decision) -> list[Idea]:
    ideas = list(dict.fromkeys(ideas))
    if not ideas:
        raise NoticeRefused(_("Choose at least one idea to put on notice."))
    if any(i.community_id != community.id for i in ideas):
        raise NoticeRefused(_("Only ideas of this community can be put on its notice."))
    # Lock the ideas: two members of staff cannot put one idea on two notices at once.
    ids = [i.id for i in ideas]
    db.session.execute(select(Idea.id).where(Idea.id.in_(ids)).with_for_update())
    for idea in ideas:
        db.session.refresh(idea)
        if idea.stage != "noticed":
            raise NoticeRefused(_("“%(title)s” is not in public notice stage.", title=idea.title))
    pending = set(db.session.scalars(_pending_clause().where(NoticeIdea.idea_id.in_(ids))))
    if pending:
        title = next(i.title for i in ideas if i.id in pending)
        raise NoticeRefused(_("“%(title)s” is already on a notice that is not finished.",
                              title=title))
    if kind == "round":
        if round_ is None or round_.community_id != community.id:
            raise NoticeRefused(_("Name the round whose result is noticed."))
        if not round_.adopted:
            raise NoticeRefused(_("The round's result has not been adopted."))
        if any(i.id not in round_.winners for i in ideas):
            raise NoticeRefused(_("Only the winners of the round can be on its notice."))
    elif round_ is not None:
        raise NoticeRefused(_("Only a round's notice names a round."))
    if kind == "decision":
        if decision is None or decision.community_id != community.id:
            raise NoticeRefused(_("Name the owners' decision that is noticed."))
        if not decision.passed or decision.applied_at is None:
            raise NoticeRefused(_("Only a passed owners' decision whose result is applied "
                                  "can be noticed."))
        if [i.id for i in ideas] != [decision.idea_id]:
            raise NoticeRefused(_("Only the idea of the owners' decision can be on its "
                                  "notice."))
    elif decision is not None:
        raise NoticeRefused(_("Only a decision's notice names an owners' decision."))
    return ideas


def open_notice(community, actor, kind: str, *, ideas, title: str, text: str,
                days: int | None = None, round=None, decision=None) -> Notice:
    """Open a notice now, running `days` days (the community's default if None)."""
    if not is_staff(actor, community):
        raise NoticeRefused(_("Only staff can open a public notice."))
    if kind not in KINDS:
        raise NoticeRefused(_("Unknown kind of notice."))
    days = check_days(community.notice_days if days is None else days)
    title, text = _check_words(title, text)
    ideas = _check_ideas(community, kind, ideas, round, decision)
    now = utcnow()
    notice = Notice(community_id=community.id, kind=kind, title=title, text=text,
                    round_id=getattr(round, "id", None),
                    decision_id=getattr(decision, "id", None), opens_at=now,
                    closes_at=now + timedelta(days=days), created_by_id=actor.id,
                    items=[NoticeIdea(idea_id=i.id) for i in ideas])
    db.session.add(notice)
    db.session.flush()
    audit.record("notice.open", actor=actor, community=community, target=notice, kind=kind,
                 title=title, days=days, ideas=[i.id for i in ideas],
                 round=notice.round_id, decision=notice.decision_id, closes_at=notice.closes_at)
    return notice


# --- the period ---------------------------------------------------------------------------

def is_open(notice: Notice, now: datetime | None = None) -> bool:
    return notice.finished_at is None and not notice.is_over_at(now or utcnow())


def time_left(notice: Notice, now: datetime | None = None) -> str:
    """"3 days left", "5 hours left"; "" once the period is over."""
    left = notice.closes_at - (now or utcnow())
    if left <= timedelta(0):
        return ""
    if left >= timedelta(days=1):
        days = math.ceil(left / timedelta(days=1))
        return ngettext("%(num)d day left", "%(num)d days left", days)
    hours = math.ceil(left / timedelta(hours=1))
    return ngettext("%(num)d hour left", "%(num)d hours left", hours)


def unanswered(notice: Notice) -> int:
    return sum(1 for o in notice.objections if not o.answered)


def is_due(notice: Notice, now: datetime | None = None) -> bool:
    return (notice.finished_at is None and notice.is_over_at(now or utcnow())
            and notice.all_answered)


def not_due_because(notice: Notice, now: datetime | None = None) -> list[str]:
    """What still stands between the notice and funding, in words for staff."""
    now = now or utcnow()
    if notice.finished_at is not None:
        return [_("This notice is finished.")]
    reasons = []
    if not notice.is_over_at(now):
        reasons.append(_("The period is not over: %(left)s.", left=time_left(notice, now)))
    waiting = unanswered(notice)
    if waiting:
        reasons.append(ngettext("%(num)d objection is not answered yet.",
                                "%(num)d objections are not answered yet.", waiting))
    return reasons


# --- objections ---------------------------------------------------------------------------

def _item(notice: Notice, idea) -> NoticeIdea | None:
    return next((item for item in notice.items if item.idea_id == getattr(idea, "id", None)),
                None)


def file_objection(notice: Notice, user, idea, reason: str) -> Objection:
    """A verified resident of the notice's community objects to one of its ideas."""
    if not is_verified_resident(user, notice.community):
        raise NoticeRefused(_("Only verified residents of %(community)s can object.",
                              community=notice.community.name))
    if not is_open(notice):
        raise NoticeRefused(_("The notice period is over: objections are no longer taken."))
    reason = (reason or "").strip()
    if not reason:
        raise NoticeRefused(_("Say why you object: staff answer it publicly."))
    if len(reason) > MAX_REASON:
        raise NoticeRefused(_("The reason is too long (at most %(n)d characters).",
                              n=MAX_REASON))
    item = _item(notice, idea)
    if item is None:
        raise NoticeRefused(_("Choose an idea of this notice."))
    if item.result or idea.stage != "noticed":
        raise NoticeRefused(_("“%(title)s” is no longer in public notice.", title=idea.title))
    # A double click sends the same objection twice: keep one.
    same = db.session.scalar(select(Objection).where(
        Objection.notice_id == notice.id, Objection.author_id == user.id,
        Objection.idea_id == idea.id, Objection.reason == reason))
    if same is not None:
        return same
    objection = Objection(notice=notice, idea_id=idea.id, author_id=user.id, reason=reason)
    db.session.add(objection)
    db.session.flush()
    return objection


def answer_objection(objection: Objection, staff, answer: str, upheld: bool) -> Objection:
    """Staff answer an objection publicly, once. Upheld, it sends the idea back to
    planned with the answer as the reason, and the rest of the notice goes on."""
    notice = objection.notice
    if not is_staff(staff, notice.community):
        raise NoticeRefused(_("Only staff can answer objections."))
    answer = (answer or "").strip()
    if not answer:
        raise NoticeRefused(_("Write the answer: it is shown publicly with the objection."))
    if len(answer) > MAX_ANSWER:
        raise NoticeRefused(_("The answer is too long (at most %(n)d characters).",
                              n=MAX_ANSWER))
    db.session.refresh(objection, with_for_update=True)  # answered once, even on a double click
    if objection.answered:
        raise NoticeRefused(_("This objection has already been answered."))
    objection.answer, objection.upheld = answer, bool(upheld)
    objection.answered_by_id, objection.answered_at = staff.id, utcnow()
    item = _item(notice, objection.idea)
    returned = False
    if upheld and item is not None and not item.result and objection.idea.stage == "noticed":
        try:
            move_idea(objection.idea, "planned", actor=staff, cause=objection, reason=answer)
        except MoveRefused as refused:
            raise NoticeRefused(refused.message) from None
        item.result, returned = "returned", True
    db.session.flush()
    audit.record("notice.objection_answer", actor=staff, community=notice.community,
                 target=notice, objection=objection.id, idea=objection.idea_id,
                 upheld=bool(upheld), answer=answer, returned=returned)
    return objection


# --- the photo of the posted notice -----------------------------------------------------------

def set_photo(notice: Notice, staff, name: str, width: int, height: int) -> str:
    """Record the stored photo; returns the earlier photo's file name ("" if none), for
    the caller to delete once this is committed."""
    if not is_staff(staff, notice.community):
        raise NoticeRefused(_("Only staff can attach the photo of the posted notice."))
    earlier = notice.photo_filename or ""
    notice.photo_filename, notice.photo_width, notice.photo_height = name, width, height
    audit.record("notice.photo", actor=staff, community=notice.community, target=notice,
                 photo=name, replaced=earlier)
    return earlier


# --- finishing ------------------------------------------------------------------------------

def passed_decision(idea) -> OwnersDecision | None:
    """The idea's applied, passed owners' decision (the latest), if any."""
    return db.session.scalar(
        select(OwnersDecision).where(OwnersDecision.idea_id == idea.id,
                                     OwnersDecision.result == "passed",
                                     OwnersDecision.applied_at.is_not(None))
        .order_by(OwnersDecision.applied_at.desc(), OwnersDecision.id.desc()).limit(1))


def finish(notice: Notice, actor=None, system: bool = False) -> list[Idea]:
    """Fund every idea still on notice once the period is over and every objection is
    answered. Returns the ideas funded. All or nothing: if one move is refused (say, an
    idea needs an owners' decision that did not pass), the caller rolls back."""
    # One finisher at a time: a double click, or staff and cron together, never move twice.
    db.session.refresh(notice, with_for_update=True)
    if not system and not is_staff(actor, notice.community):
        raise NoticeRefused(_("Only staff can fund the ideas of a notice."))
    if notice.finished_at is not None:
        raise NoticeRefused(_("This notice is already finished."))
    db.session.expire(notice, ["items", "objections"])
    reasons = not_due_because(notice)
    if reasons:
        raise NoticeRefused(" ".join(reasons))
    funded = []
    for item in notice.items:
        if item.result or item.idea.stage != "noticed":
            continue
        try:
            move_idea(item.idea, "funded", actor=None if system else actor, cause=notice,
                      decision=passed_decision(item.idea), system=system)
        except MoveRefused as refused:
            raise NoticeRefused(_("“%(title)s”: %(reason)s", title=item.idea.title,
                                  reason=refused.message)) from None
        item.result = "funded"
        funded.append(item.idea)
    notice.finished_at = utcnow()
    notice.finished_by_id = None if system else actor.id
    db.session.flush()
    audit.record("notice.finish", actor=None if system else actor,
                 community=notice.community, target=notice, system=system,
                 funded=[i.id for i in funded])
    return funded


def due_notices(now: datetime | None = None) -> list[Notice]:
    """Every community's notices whose period is over with every objection answered and
    that are not finished yet, the longest-waiting first."""
    unanswered_ = exists().where(and_(Objection.notice_id == Notice.id,
                                      Objection.answered_at.is_(None)))
    return list(db.session.scalars(
        select(Notice).where(Notice.finished_at.is_(None), Notice.closes_at <= (now or utcnow()),
                             ~unanswered_)
        .order_by(Notice.closes_at, Notice.id)))


def objection_counts(notice_ids) -> dict[int, int]:
    ids = list(notice_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Objection.notice_id, func.count()).where(Objection.notice_id.in_(ids))
        .group_by(Objection.notice_id)).tuples().all())
