"""What the ballot form shows: which boxes are ticked, the running total, and which ideas
no longer fit. Only a display aid: `ballots.choose_entries` decides what may be saved."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _, ngettext

from app.templating import yuan as format_yuan

from .ballots import limit_fen
from .models import Round, RoundEntry


@dataclass
class Choice:
    entry: RoundEntry
    ticked: bool
    blocked: bool = False  # not ticked, and ticking it would break the budget or the limit
    over_fen: int = 0  # how far over the budget ticking it would go (knapsack)


@dataclass
class Panel:
    kind: str
    choices: list[Choice]
    total_fen: int
    limit_fen: int | None  # knapsack only
    max_choices: int | None
    refused: list[str] = field(default_factory=list)
    # Disable what no longer fits: only in the live (htmx) answer, because a page without
    # JavaScript could not enable the boxes again after an untick.
    disable: bool = False

    @property
    def count(self) -> int:
        return sum(1 for c in self.choices if c.ticked)

    @property
    def left_fen(self) -> int:
        return (self.limit_fen or 0) - self.total_fen

    @property
    def ticked_ids(self) -> list[int]:
        return [c.entry.id for c in self.choices if c.ticked]


def ticked_entries(round_: Round, values) -> list[RoundEntry]:
    """The round's entries among the submitted values, in ballot order; anything else
    (a stale id, a typo in a hand-made URL) is left out."""
    wanted = set()
    for value in values:
        try:
            wanted.add(int(value))
        except (TypeError, ValueError):
            continue
    return [e for e in round_.entries if e.id in wanted]


def _changed_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def ballot_panel(round_: Round, values, *, changed=None, live: bool = False) -> Panel:
    """The form's state for these ticks.

    `live` (the running total as you tick): a tick that does not fit is refused, naming
    the idea. The boxes are taken in ballot order with the one just ticked (`changed`)
    last, and each is kept while it fits, so it is the newest tick that gives way, and
    a page sent with too much (two requests crossing, say) loses its last ideas.
    Otherwise every tick is kept as sent, so a refused submission shows what was sent.
    """
    knapsack = round_.ballot_kind == "knapsack"
    limit = limit_fen(round_) if knapsack else None
    k = round_.max_choices
    ticked = ticked_entries(round_, values)
    refused: list[RoundEntry] = []
    if live:
        changed_id = _changed_id(changed)
        order = [e for e in ticked if e.id != changed_id] + \
                [e for e in ticked if e.id == changed_id]
        kept: list[RoundEntry] = []
        for entry in order:
            over_budget = knapsack and sum(e.cost_fen for e in kept) + entry.cost_fen > limit
            over_count = bool(k) and len(kept) + 1 > k
            (refused if over_budget or over_count else kept).append(entry)
        ticked = [e for e in round_.entries if e in kept]
    total = sum(e.cost_fen for e in ticked)
    choices = []
    for entry in round_.entries:
        choice = Choice(entry, ticked=entry in ticked)
        if not choice.ticked:
            if knapsack and total + entry.cost_fen > limit:
                choice.blocked, choice.over_fen = True, total + entry.cost_fen - limit
            elif k and len(ticked) >= k:
                choice.blocked = True
        choices.append(choice)
    panel = Panel(kind=round_.ballot_kind, choices=choices, total_fen=total, limit_fen=limit,
                  max_choices=k, disable=live)
    panel.refused = [_refusal(panel, entry) for entry in refused]
    return panel


def _refusal(panel: Panel, entry: RoundEntry) -> str:
    if panel.limit_fen is not None and panel.total_fen + entry.cost_fen > panel.limit_fen:
        return _("“%(title)s” would take you over the budget by ¥%(over)s, so it was "
                 "not ticked.", title=entry.idea.title,
                 over=format_yuan(panel.total_fen + entry.cost_fen - panel.limit_fen))
    return ngettext("You can choose at most %(num)d idea, so “%(title)s” was not ticked.",
                    "You can choose at most %(num)d ideas, so “%(title)s” was not ticked.",
                    panel.max_choices or 0, title=entry.idea.title)


def blocked_reason(panel: Panel, choice: Choice) -> str:
    """Why an unticked idea cannot be added now, next to its box."""
    if choice.over_fen:
        return _("Over budget: ticking it would go over by ¥%(over)s.",
                 over=format_yuan(choice.over_fen))
    return ngettext("You have chosen %(num)d idea, the most allowed.",
                    "You have chosen %(num)d ideas, the most allowed.", panel.max_choices or 0)
