"""Votes per idea as an inline SVG bar chart, drawn on the server (no script, no styles).

Winners carry a ✓ before their title AND a hatched fill, so colour is never the only
sign. Everything typed by people (idea titles) goes through `escape`; characters XML
does not allow are dropped. Only presentation attributes are used: the CSP forbids
style attributes. The width follows the page through the viewBox.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from flask_babel import gettext as _, ngettext
from markupsafe import Markup, escape

from app.templating import yuan

# Narrow on purpose: on a phone the chart is drawn about 1:1, so text stays readable.
WIDTH = 320
LABEL_SIZE = 15
VALUE_SIZE = 14
BAR_MAX = 220  # the longest bar; the number of votes follows at a fixed place
ROW = 50
TOP = 30  # the legend
INK, MUTED, WIN, WIN_LIGHT, LOSE = "#2b2520", "#5c5248", "#2e7d3e", "#b9dcbf", "#d8cbbb"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Bar:
    label: str
    votes: int
    cost_fen: int
    winner: bool


def clean(text: str) -> str:
    return _NOT_XML.sub("", text or "")


def _char_width(ch: str, size: int) -> float:
    """Rough width in user units: CJK and full-width signs are square, Latin about half."""
    return size if ord(ch) >= 0x2E80 or 0x2700 <= ord(ch) < 0x27C0 else size * 0.58


def _width(text: str, size: int) -> float:
    return sum(_char_width(ch, size) for ch in text)


def fit(text: str, size: int, room: float) -> str:
    """The longest start of `text` that fits in `room`, with … when shortened. One pass,
    so a title of a megabyte costs no more than reading it once."""
    used, cut = 0.0, None
    room_for_start = room - _char_width("…", size)
    for i, ch in enumerate(text):
        used += _char_width(ch, size)
        if cut is None and used > room_for_start:
            cut = i
        if used > room:
            return text[:cut] + "…"
    return text


def _legend(pattern_id: str, winner_note: str) -> str:
    return (f'<g class="legend">'
            f'<rect x="0.5" y="6.5" width="18" height="15" fill="url(#{pattern_id})" '
            f'stroke="{WIN}"/>'
            f'<text x="26" y="19" font-size="{VALUE_SIZE}" fill="{INK}">'
            f'{escape(fit("✓ " + winner_note, VALUE_SIZE, WIDTH - 30))}</text></g>')


def _row(bar: Bar, y: int, most: int, pattern_id: str) -> str:
    """Title (with ✓ for a winner) and cost on one line, the bar and its votes below."""
    title = clean(bar.label)
    length = max(2.0, BAR_MAX * bar.votes / most) if bar.votes > 0 and most else 0.0
    votes = ngettext("%(num)d vote", "%(num)d votes", bar.votes)
    cost = f"¥{yuan(bar.cost_fen)}"
    room = WIDTH - _width(cost, VALUE_SIZE) - 8
    shown = fit(("✓ " if bar.winner else "") + title, LABEL_SIZE, room)
    fill = f"url(#{pattern_id})" if bar.winner else LOSE
    stroke = WIN if bar.winner else MUTED
    weight = ' font-weight="700"' if bar.winner else ""
    # The group's tooltip has the full title, which the label may have had to shorten.
    return (f'<g class="bar{" winner" if bar.winner else ""}">'
            f'<title>{escape(title)}: {escape(votes)} · {escape(cost)}</title>'
            f'<text x="0" y="{y + 16}" font-size="{LABEL_SIZE}" fill="{INK}"{weight}>'
            f'{escape(shown)}</text>'
            f'<text x="{WIDTH}" y="{y + 16}" font-size="{VALUE_SIZE}" fill="{MUTED}" '
            f'text-anchor="end">{escape(cost)}</text>'
            f'<rect x="0.5" y="{y + 23.5}" width="{length:.1f}" height="18" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{1 if length else 0}"/>'
            f'<text x="{BAR_MAX + 8}" y="{y + 38}" font-size="{VALUE_SIZE}" fill="{INK}">'
            f'{escape(votes)}</text></g>')


def votes_chart(bars: Sequence[Bar], *, title: str, winner_note: str,
                id_prefix: str = "votes-chart") -> Markup:
    """One bar per idea, most votes first (ties: cheaper first, as the rules break them)."""
    ordered = sorted(bars, key=lambda b: (-b.votes, b.cost_fen))
    most = max((b.votes for b in ordered), default=0)
    height = TOP + ROW * len(ordered) + 4
    pattern = f"{id_prefix}-won"
    winners = sum(1 for b in ordered if b.winner)
    summary = _("%(n)d ideas, most votes first; %(w)d marked ✓: %(note)s.",
                n=len(ordered), w=winners, note=winner_note)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="votes-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc">',
        f'<title id="{id_prefix}-title">{escape(clean(title))}</title>',
        f'<desc id="{id_prefix}-desc">{escape(clean(summary))}</desc>',
        # Diagonal stripes: the winners' bars differ in texture as well as in colour.
        f'<defs><pattern id="{pattern}" patternUnits="userSpaceOnUse" width="8" height="8" '
        f'patternTransform="rotate(45)"><rect width="8" height="8" fill="{WIN}"/>'
        f'<rect width="3" height="8" fill="{WIN_LIGHT}"/></pattern></defs>',
        _legend(pattern, clean(winner_note)),
    ]
    parts += [_row(bar, TOP + i * ROW, most, pattern) for i, bar in enumerate(ordered)]
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704: our SVG; every text in it went through escape()
