"""What each move of the stage table needs. Each check returns a message, or None if met.

Causes are records of later features (a motion, a round, an owners' decision, a notice,
an objection, an outcome page). They are read through a few attributes only:
`cause_kind`, and then `passed` (motion, decision), `state`/`adopted`/`winners`
(round: state is upcoming, open, closed or adopted), `is_over`/`all_answered` (notice), `upheld` (objection), `published` (outcome).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from .models import FUNDING_KINDS

MAX_REASON = 2000


@dataclass(frozen=True)
class CostingInput:
    amount_fen: int
    responsible: str
    # (kind, amount in fen, note) per source; they add up to amount_fen
    sources: tuple[tuple[str, int, str], ...] = ()


@dataclass
class MoveRequest:
    idea: Any
    to: str
    actor: Any = None
    reason: str = ""
    cause: Any = None
    costing: CostingInput | None = None
    merged_into: Any = None
    decision: Any = None
    system: bool = False
    extra: dict = field(default_factory=dict)


def _kind(cause) -> str:
    return getattr(cause, "cause_kind", "")


def reason(req: MoveRequest) -> str | None:
    if not req.reason.strip():
        return _("Please give a reason: it is shown on the public timeline.")
    if len(req.reason) > MAX_REASON:
        return _("The reason is too long (at most %(n)d characters).", n=MAX_REASON)
    return None


def reason_or_cause(req: MoveRequest) -> str | None:
    return None if req.cause is not None else reason(req)


def merge_target(req: MoveRequest) -> str | None:
    target = req.merged_into
    if target is None:
        return _("Name the idea this one is merged into.")
    if target.id == req.idea.id or target.community_id != req.idea.community_id:
        return _("An idea can only be merged into another idea of the same community.")
    if target.stage in ("not_adopted", "merged", "withdrawn"):
        return _("The idea to merge into has itself left the process.")
    return None


def validate_costing(c: CostingInput) -> str | None:
    if c.amount_fen <= 0:
        return _("The cost must be more than zero.")
    if not c.responsible.strip():
        return _("Name the party responsible for the work.")
    if any(kind not in FUNDING_KINDS or amount <= 0 for kind, amount, _n in c.sources):
        return _("Each funding source needs a known kind and an amount above zero.")
    if c.sources and sum(amount for _k, amount, _n in c.sources) != c.amount_fen:
        return _("The funding sources must add up exactly to the cost.")
    return None


def costing(req: MoveRequest) -> str | None:
    if req.costing is None:
        if req.idea.costing is not None:
            return None
        return _("A planned idea needs a costing: the amount and who is responsible.")
    return validate_costing(req.costing)


def round_not_open(req: MoveRequest) -> str | None:
    if _kind(req.cause) != "round":
        return _("Ideas enter a vote by being added to a budget round.")
    if getattr(req.cause, "state", "open") != "upcoming":
        return _("Ideas can only be added to a round that has not opened yet.")
    return None


def _round_result(req: MoveRequest) -> tuple[bool, bool]:
    cause = req.cause
    if _kind(cause) != "round" or not getattr(cause, "adopted", False):
        return False, False
    return True, req.idea.id in set(getattr(cause, "winners", ()))


def round_won(req: MoveRequest) -> str | None:
    adopted, won = _round_result(req)
    if not adopted:
        return _("This move follows the adoption of a round's result.")
    return None if won else _("This idea did not win the round.")


def round_lost(req: MoveRequest) -> str | None:
    """Back to planned: the idea lost the adopted round, or staff took it off a round
    that has not opened yet."""
    if _kind(req.cause) == "round" and getattr(req.cause, "state", "") == "upcoming":
        return None
    adopted, won = _round_result(req)
    if not adopted:
        return _("This move follows the adoption of a round's result.")
    return _("This idea won the round.") if won else None


def funded_outside_round(req: MoveRequest) -> str | None:
    if _kind(req.cause) == "decision":
        return None if getattr(req.cause, "passed", False) else _(
            "The owners' decision did not pass.")
    costing_ = req.idea.costing
    if costing_ is None:
        return _("A planned idea needs a costing: the amount and who is responsible.")
    if any(s.kind == "round_budget" for s in costing_.sources):
        return _("This costing spends a round's budget: it must win a round first.")
    if req.idea.needs_owners_decision:
        return _("This idea needs a passed owners' decision.")
    return None


def notice_over_and_answered(req: MoveRequest) -> str | None:
    if _kind(req.cause) != "notice":
        return _("Funding follows a public notice period.")
    if not getattr(req.cause, "is_over", False):
        return _("The public notice period is not over yet.")
    if not getattr(req.cause, "all_answered", False):
        return _("Every objection must be answered first.")
    return None


def owners_decision_if_needed(req: MoveRequest) -> str | None:
    if not req.idea.needs_owners_decision:
        return None
    d = req.decision
    if _kind(d) == "decision" and getattr(d, "passed", False):
        return None
    return _("This idea spends the maintenance fund or changes common parts: "
             "it needs a passed owners' decision.")


def objection_upheld(req: MoveRequest) -> str | None:
    if _kind(req.cause) != "objection" or not getattr(req.cause, "upheld", False):
        return _("An idea goes back from public notice only when an objection is upheld.")
    return reason(req)


def outcome_published(req: MoveRequest) -> str | None:
    if _kind(req.cause) != "outcome" or not getattr(req.cause, "published", False):
        return _("An idea is done when its outcome page is published.")
    return None
