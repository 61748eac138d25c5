"""A motion's votes as an inline SVG bar chart, drawn on the server (no script, no styles).

Three bars, 支持 / 反对 / 弃权, each with its label and number written beside it, so the
count is read, never guessed from a colour. Bars are measured against the members who
may vote (or the votes cast, if more), so a half-long bar means half the room. Only
presentation attributes are used: the CSP forbids style attributes; the width follows
the page through the viewBox.
"""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from .models import VOTE_CHOICES, VOTE_LABELS

COLOURS = {"for": "#2e7d3e", "against": "#b3261e", "abstain": "#857868"}
INK, TRACK = "#2b2520", "#efe8dc"

WIDTH = 600
NUMBER_ROOM = 70  # the count on the right
ROW, BAR_HEIGHT, FONT = 64, 44, 34


def _label_room(labels) -> int:
    """The label column: wide enough for the longest label (CJK square, Latin ~0.6)."""
    widest = max(sum(FONT if ord(ch) >= 0x2E80 else FONT * 0.6 for ch in label)
                 for label in labels)
    return int(max(2 * FONT, widest) + 16)


def _row(choice: str, count: int, scale: int, y: int, room: int) -> str:
    bar = WIDTH - room - NUMBER_ROOM
    length = bar * count / scale if scale else 0
    label = escape(str(VOTE_LABELS[choice]))
    return (f'<g class="bar bar-{choice}" data-choice="{choice}" data-count="{count}">'
            f'<title>{label}: {count}</title>'
            f'<text x="0" y="{y + 36}" font-size="{FONT}" fill="{INK}" '
            f'font-weight="700">{label}</text>'
            f'<rect x="{room}" y="{y + 4}" width="{bar}" height="{BAR_HEIGHT}" '
            f'fill="{TRACK}"/>'
            f'<rect class="fill" x="{room}" y="{y + 4}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{COLOURS[choice]}"/>'
            f'<text class="count" x="{WIDTH}" y="{y + 38}" font-size="{FONT + 4}" '
            f'fill="{INK}" font-weight="700" text-anchor="end">{count}</text></g>')


def vote_chart(counts: dict, *, voters: int, id_prefix: str = "vote-chart") -> Markup:
    """Bars for the counts {"for": n, "against": n, "abstain": n}."""
    values = {c: max(0, int(counts.get(c, 0))) for c in VOTE_CHOICES}
    scale = max(voters, sum(values.values()), 1)
    height = ROW * len(VOTE_CHOICES)
    summary = _("For %(f)d, against %(a)d, abstain %(s)d; %(n)d members may vote.",
                f=values["for"], a=values["against"], s=values["abstain"], n=voters)
    parts = [f'<svg class="vote-chart" role="img" viewBox="0 0 {WIDTH} {height}" '
             f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{id_prefix}-desc">',
             f'<desc id="{id_prefix}-desc">{escape(summary)}</desc>']
    room = _label_room(str(VOTE_LABELS[c]) for c in VOTE_CHOICES)
    parts += [_row(c, values[c], scale, i * ROW, room) for i, c in enumerate(VOTE_CHOICES)]
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704: our SVG; every text in it went through escape()
