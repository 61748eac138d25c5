"""The life of an idea: its stages and the one table of moves between them.

Each move names who may make it and what it needs. `proposals.moves.move_idea` is the
only code that changes an idea's stage, and it obeys this table alone. Moves caused by
something else (a motion, a round, an owners' decision, a notice, an objection, an
outcome) take that thing as the `cause`; later features pass their own records, which
carry `cause_kind`, `id`, `cause_label()` and the few attributes the needs below read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from flask_babel import lazy_gettext as _l

from . import needs as n

STAGES = ("submitted", "deliberating", "planned", "in_round", "noticed", "funded",
          "in_progress", "done", "not_adopted", "merged", "withdrawn")
EXIT_STAGES = frozenset({"not_adopted", "merged", "withdrawn"})
BEFORE_ROUND = ("submitted", "deliberating", "planned")

STAGE_LABELS = {
    "submitted": _l("Submitted"),
    "deliberating": _l("Deliberating"),
    "planned": _l("Planned"),
    "in_round": _l("In a vote"),
    "noticed": _l("Public notice"),
    "funded": _l("Funded"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "not_adopted": _l("Not adopted"),
    "merged": _l("Merged"),
    "withdrawn": _l("Withdrawn"),
}

# Who may make a move. "staff" includes admins; "author" is the idea's author;
# "chair+motion" is a chair whose cause is a passed motion; "system" is `flask tick`.
WHO_LABELS = {
    "staff": _l("staff"),
    "author": _l("the author"),
    "chair+motion": _l("a chair, after a passed motion"),
    "system": _l("the system"),
}


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    to: str
    who: tuple[str, ...]
    needs: tuple[Callable, ...]
    # True when staff can make it from the idea page; otherwise it is made by the
    # feature that owns the cause (a round, a notice, an outcome page).
    manual: bool = True


TABLE: tuple[Move, ...] = (
    Move(("submitted",), "deliberating", ("staff",), (n.reason,)),
    Move(("submitted", "deliberating"), "merged", ("staff",), (n.reason, n.merge_target)),
    Move(("submitted", "deliberating", "planned"), "not_adopted", ("staff",), (n.reason,)),
    Move(BEFORE_ROUND, "withdrawn", ("author", "staff"), (n.reason,)),
    Move(("deliberating",), "planned", ("staff", "chair+motion"),
         (n.reason_or_cause, n.costing)),
    Move(("planned",), "in_round", ("staff",), (n.round_not_open,), manual=False),
    Move(("in_round",), "noticed", ("staff",), (n.round_won,), manual=False),
    Move(("in_round",), "planned", ("staff",), (n.round_lost,), manual=False),
    Move(("planned",), "noticed", ("staff",), (n.reason, n.funded_outside_round)),
    Move(("noticed",), "funded", ("staff", "system"),
         (n.notice_over_and_answered, n.owners_decision_if_needed), manual=False),
    Move(("noticed",), "planned", ("staff",), (n.objection_upheld,), manual=False),
    Move(("funded",), "in_progress", ("staff",), (n.reason,)),
    Move(("in_progress",), "done", ("staff",), (n.outcome_published,), manual=False),
    Move(("funded", "in_progress"), "not_adopted", ("staff",), (n.reason,)),
)


def find_move(source: str, to: str) -> Move | None:
    for move in TABLE:
        if source in move.sources and move.to == to:
            return move
    return None


def moves_from(source: str) -> list[Move]:
    return [m for m in TABLE if source in m.sources]
