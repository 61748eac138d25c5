"""Owners' decisions in words and meters: what a matter is called, the line it must
pass, and a Tally turned into four measured lines for the page, the projector and
the export.

Display only. Whether a line is met always comes from the Tally's booleans, which the
rule decides exactly; the percentages and bar widths here are for the eye.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from . import rule
from .decisions import format_area

# Civil Code art. 278 para. 1 in plain words, in the statute's order.
MATTER_LABELS = {
    "rules": _l("Making or changing the rules of procedure of the owners' assembly"),
    "statute": _l("Making or changing the management statute"),
    "committee": _l("Electing or replacing the owners' committee"),
    "hire_manager": _l("Hiring or dismissing the property company or another manager"),
    "use_fund": _l("Using the maintenance fund (e.g. repairing a roof or replacing a lift)"),
    "raise_fund": _l("Raising the maintenance fund"),
    "rebuild": _l("Altering or rebuilding (e.g. adding a lift)"),
    "change_use": _l("Changing the use of common parts or running a business on them"),
    "other_major": _l("Another major matter of common ownership and joint management"),
}
SPECIAL_LINE = _l("Agreed by at least three quarters of the area and of the owners "
                  "taking part.")
ORDINARY_LINE = _l("Agreed by more than half of the area and of the owners taking part "
                   "(exactly half is not enough).")
QUORUM_LINE = _l("Owners taking part must hold at least two thirds of the area and number "
                 "at least two thirds of the owners.")
STATE_LABELS = {
    "upcoming": _l("Not open yet"),
    "open": _l("Voting open"),
    "grace": _l("Voting closed: late signature sheets may still be entered"),
    "final": _l("Closed: the result is final"),
}
STATE_ORDER = ("open", "grace", "upcoming", "final")  # how the list is grouped
RESULT_LABELS = {
    "passed": _l("passed"),
    "not_passed": _l("not passed"),
    "no_quorum": _l("no quorum"),
}
CHOICE_LABELS = {"agree": _l("Agree"), "against": _l("Against"), "abstain": _l("Abstain")}


def matter_label(matter: str) -> str:
    return str(MATTER_LABELS.get(matter, matter))


def line_words(matter: str) -> str:
    return str(SPECIAL_LINE if matter in rule.SPECIAL else ORDINARY_LINE)


@dataclass(frozen=True)
class Meter:
    """One measured line: `value` of `of`, against a line met when `value >= needed`."""

    key: str      # quorum_area, quorum_heads, agree_area, agree_heads
    label: str
    line: str     # the line in words, e.g. "at least two thirds"
    value: str    # formatted: owners as a count, areas in m² with two decimals
    of: str
    needed: str   # the least value that meets the line ("" when nobody took part)
    percent: str  # e.g. "66.6%": rounded down, so a line is never shown as reached early
    bar: float    # 0..100, the bar's width
    mark: float   # 0..100, where the line is drawn
    met: bool


def _percent(value: int, of: int) -> str:
    if of <= 0:
        return "–"
    tenths = value * 1000 // of
    return f"{tenths // 10}.{tenths % 10}%"


def _bar(value: int, of: int) -> float:
    return 0.0 if of <= 0 else round(min(value, of) * 100 / of, 2)


def _needed_for_quorum(total: int) -> int:
    return (2 * total + 2) // 3            # least part with part * 3 >= total * 2


def _needed_to_agree(part: int, special: bool) -> int:
    if special:
        return (3 * part + 3) // 4         # least agree with agree * 4 >= part * 3
    return part // 2 + 1                   # least agree with agree * 2 > part


def meters(t: rule.Tally, matter: str) -> list[Meter]:
    """The four lines of art. 278: taking part by area and by owners (against the
    totals), agreeing by area and by owners (against those taking part)."""
    special = matter in rule.SPECIAL
    two_thirds = _("at least two thirds")
    agree_line = _("at least three quarters") if special else _("more than half")
    agree_mark = 75.0 if special else 50.0

    def owners(n: int) -> str:
        return str(n)

    def owners_needed(n: int) -> str:
        return ngettext("%(num)d owner", "%(num)d owners", n)

    def area(centi: int) -> str:
        return _("%(area)s m²", area=format_area(centi))

    def agree_needed(part: int, fmt) -> str:
        return fmt(_needed_to_agree(part, special)) if part > 0 else ""

    return [
        Meter("quorum_area", _("Area of the owners taking part"), two_thirds,
              area(t.area_participating), area(t.area_total),
              area(_needed_for_quorum(t.area_total)),
              _percent(t.area_participating, t.area_total),
              _bar(t.area_participating, t.area_total), 66.67, t.quorum_area),
        Meter("quorum_heads", _("Owners taking part"), two_thirds,
              owners(t.owners_participating), owners(t.owners_total),
              owners_needed(_needed_for_quorum(t.owners_total)),
              _percent(t.owners_participating, t.owners_total),
              _bar(t.owners_participating, t.owners_total), 66.67, t.quorum_heads),
        Meter("agree_area", _("Area of the owners agreeing"), agree_line,
              area(t.area_agree), area(t.area_participating),
              agree_needed(t.area_participating, area),
              _percent(t.area_agree, t.area_participating),
              _bar(t.area_agree, t.area_participating), agree_mark, t.agree_area),
        Meter("agree_heads", _("Owners agreeing"), agree_line,
              owners(t.owners_agree), owners(t.owners_participating),
              agree_needed(t.owners_participating, owners_needed),
              _percent(t.owners_agree, t.owners_participating),
              _bar(t.owners_agree, t.owners_participating), agree_mark, t.agree_heads),
    ]


def result_line(t: rule.Tally, state: str) -> str:
    """The result in one phrase, saying whether it can still change."""
    result = str(RESULT_LABELS[t.result])
    if state in ("upcoming", "open"):
        return _("So far: %(result)s", result=result)
    if state == "grace":
        return _("Provisional: %(result)s (late signature sheets may still change it)",
                 result=result)
    return _("Result: %(result)s", result=result)
