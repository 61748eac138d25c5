"""The one service that moves an idea between stages (see proposals.stages)."""
from __future__ import annotations

from blinker import signal
from flask_babel import gettext as _

from app import audit
from app.extensions import db
from app.permissions import has_role, is_staff

from .models import Costing, FundingSource, StageChange
from .needs import CostingInput, MoveRequest
from .stages import STAGE_LABELS, STAGES, Move, find_move, moves_from

# Sent after every move; deliberation and notifications listen (proposals never import them).
idea_moved = signal("idea-moved")


class MoveRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def actor_may(move: Move, req: MoveRequest) -> bool:
    community = req.idea.community
    for who in move.who:
        if who == "system" and req.system:
            return True
        if req.actor is None or req.system:
            continue
        if who == "staff" and is_staff(req.actor, community):
            return True
        if who == "author" and req.idea.author_id == req.actor.id:
            return True
        if who == "chair+motion" and has_role(req.actor, community, "chair") \
                and getattr(req.cause, "cause_kind", "") == "motion" \
                and getattr(req.cause, "passed", False):
            return True
    return False


def check_move(req: MoveRequest) -> Move:
    """The move the table allows for this request, or MoveRefused with the reason."""
    if req.to not in STAGES:
        raise MoveRefused(_("Unknown stage."))
    move = find_move(req.idea.stage, req.to)
    if move is None:
        raise MoveRefused(_("An idea cannot go from %(a)s to %(b)s.",
                            a=STAGE_LABELS[req.idea.stage], b=STAGE_LABELS[req.to]))
    if not actor_may(move, req):
        raise MoveRefused(_("You may not make this move."))
    for need in move.needs:
        message = need(req)
        if message:
            raise MoveRefused(message)
    return move


def _save_costing(req: MoveRequest) -> None:
    c: CostingInput = req.costing
    costing = req.idea.costing or Costing(idea=req.idea)
    costing.amount_fen = c.amount_fen
    costing.responsible = c.responsible.strip()
    costing.created_by_id = getattr(req.actor, "id", None)
    sources = c.sources or (("round_budget", c.amount_fen, ""),)
    costing.sources = [FundingSource(kind=k, amount_fen=a, note=note) for k, a, note in sources]
    db.session.add(costing)


def _cause_fields(cause) -> dict:
    if cause is None:
        return {}
    label = cause.cause_label() if hasattr(cause, "cause_label") else ""
    return {"cause_type": cause.cause_kind, "cause_id": getattr(cause, "id", None),
            "cause_label": str(label)[:200]}


def move_idea(idea, to: str, *, actor=None, reason: str = "", cause=None,
              costing: CostingInput | None = None, merged_into=None, decision=None,
              system: bool = False) -> StageChange:
    """Move `idea` to stage `to`, or raise MoveRefused. The caller commits."""
    req = MoveRequest(idea=idea, to=to, actor=actor, reason=reason or "", cause=cause,
                      costing=costing, merged_into=merged_into, decision=decision,
                      system=system)
    check_move(req)
    source = idea.stage
    if costing is not None:
        _save_costing(req)
    if to == "merged":
        idea.merged_into = merged_into
    idea.stage = to
    change = StageChange(idea=idea, from_stage=source, to_stage=to,
                         actor_id=None if system else getattr(actor, "id", None),
                         reason=req.reason.strip(), **_cause_fields(cause))
    db.session.add(change)
    audit.record("idea.move", actor=None if system else actor, community=idea.community,
                 target=idea, from_stage=source, to_stage=to, reason=change.reason,
                 cause=change.cause_label, system=system)
    db.session.flush()
    idea_moved.send(idea, change=change)
    return change


def manual_moves_for(idea, user) -> list[Move]:
    """The moves this person could make from the idea page (their needs checked on submit)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    result = []
    for move in moves_from(idea.stage):
        if move.manual and actor_may(move, MoveRequest(idea=idea, to=move.to, actor=user)):
            result.append(move)
    return result
