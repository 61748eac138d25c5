"""A round's results as CSV: one row per idea, never anything about who took part.

UTF-8 with a byte-order mark, so that Excel on a Chinese Windows opens the titles
correctly; a title that starts like a formula is quoted so a spreadsheet shows it as text.
"""
from __future__ import annotations

import csv
import io
from typing import Sequence

from flask_babel import gettext as _

from .tallies import IdeaLine

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain_yuan(fen: int) -> str:
    """12345678 fen → '123456.78': no thousands separator, so spreadsheets read a number."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def as_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def filename(round_) -> str:
    return f"round-{int(round_.id)}-results.csv"


def results_csv(lines: Sequence[IdeaLine], *, adopted: bool) -> bytes:
    yes, no = _("yes"), _("no")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Project id"), _("Idea"), _("Cost (yuan)"), _("Votes"),
                     _("Chosen by most votes first (greedy)"), _("Chosen by equal shares"),
                     _("Won (adopted)")])
    for line in lines:
        entry = line.entry
        won = "" if not adopted else (yes if entry.won else no)
        writer.writerow([as_text(entry.project_id), as_text(entry.idea.title),
                         plain_yuan(entry.cost_fen), line.votes,
                         yes if line.chosen.get("greedy") else no,
                         yes if line.chosen.get("equal-shares") else no, won])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
