"""The dashboard's charts: horizontal bars as inline SVG, drawn on the server.

Every bar carries its number as text beside it, and the two series of the by-source
chart differ in texture (solid, striped) and in their words, so colour never carries
meaning alone. Each chart is role="img" with a title and a description that reads out
every figure; the page shows the same figures as a table. Presentation attributes only
(the CSP forbids style attributes); the width follows the page through the viewBox.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.templating import yuan
from proposals.forms import FUNDING_LABELS
from proposals.rounds.chart import clean, fit
from proposals.stages import STAGE_LABELS

from .figures import Figures
from .labels import PROJECT_STATUS_LABELS

# Narrow on purpose: a phone draws the chart about 1:1, so the text stays readable.
WIDTH = 360
LABEL_MIN, LABEL_MAX = 64, 180  # the column of group labels on the left, bars after it
TEXT_SIZE = 15
BAR_H = 20
BAR_GAP = 6
GROUP_GAP = 12
LABEL_LINE = 22  # a label above its bars
INK, MUTED, SOLID, STRIPE, STRIPE_LIGHT = "#2b2520", "#5c5248", "#1c5876", "#8f3217", "#f3d3c4"


@dataclass(frozen=True)
class Bar:
    value: int
    text: str  # the number as shown, beside the bar
    striped: bool = False


@dataclass(frozen=True)
class Group:
    label: str
    bars: tuple[Bar, ...]


def _text_width(text: str, size: int = TEXT_SIZE) -> float:
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _group_height(group: Group, labels_above: bool) -> int:
    bars = len(group.bars) * BAR_H + (len(group.bars) - 1) * BAR_GAP
    return bars + (LABEL_LINE if labels_above else 0)


def bar_chart(groups: Sequence[Group], *, title: str, id_prefix: str,
              labels_above: bool = False) -> Markup:
    """One group per row: its label on the left (or above, for long labels and pairs of
    bars), then its bars, each followed by its number. A negative value (a year with
    more reversed than spent) draws no bar but still shows its number."""
    if labels_above:
        label_col = 0
    else:
        label_col = round(min(LABEL_MAX, max([LABEL_MIN] + [
            _text_width(clean(g.label)) + 16 for g in groups])))
    widest = max((_text_width(b.text) for g in groups for b in g.bars), default=0)
    bar_max = max(60.0, WIDTH - label_col - widest - 10)
    largest = max((b.value for g in groups for b in g.bars), default=0)
    height = (sum(_group_height(g, labels_above) for g in groups)
              + GROUP_GAP * (len(groups) + 1))
    pattern = f"{id_prefix}-stripes"
    summary = "; ".join(f"{clean(g.label)}: " + ", ".join(clean(b.text) for b in g.bars)
                        for g in groups)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc">',
        f'<title id="{id_prefix}-title">{escape(clean(title))}</title>',
        f'<desc id="{id_prefix}-desc">{escape(summary)}</desc>',
        f'<defs><pattern id="{pattern}" patternUnits="userSpaceOnUse" width="8" height="8" '
        f'patternTransform="rotate(45)"><rect width="8" height="8" fill="{STRIPE}"/>'
        f'<rect width="3" height="8" fill="{STRIPE_LIGHT}"/></pattern></defs>',
    ]
    if not labels_above:
        parts.append(f'<line x1="{label_col - 0.5}" y1="0" x2="{label_col - 0.5}" '
                     f'y2="{height}" stroke="{MUTED}" stroke-width="1"/>')
    y = GROUP_GAP
    for group in groups:
        label = clean(group.label)
        parts.append(f'<g class="group"><title>{escape(label)}</title>')
        if labels_above:
            parts.append(f'<text x="0" y="{y + 16}" font-size="{TEXT_SIZE}" fill="{INK}" '
                         f'font-weight="700">{escape(fit(label, TEXT_SIZE, WIDTH))}</text>')
            y += LABEL_LINE
        else:
            middle = y + _group_height(group, False) / 2
            parts.append(f'<text x="{label_col - 8}" y="{middle + 5:.1f}" '
                         f'font-size="{TEXT_SIZE}" fill="{INK}" text-anchor="end">'
                         f'{escape(fit(label, TEXT_SIZE, label_col - 12))}</text>')
        for bar in group.bars:
            length = bar_max * bar.value / largest if bar.value > 0 and largest > 0 else 0.0
            length = max(length, 2.0) if bar.value > 0 else 0.0
            fill = f"url(#{pattern})" if bar.striped else SOLID
            if length:
                parts.append(f'<rect x="{label_col}" y="{y}" width="{length:.1f}" '
                             f'height="{BAR_H}" fill="{fill}"/>')
            parts.append(f'<text x="{label_col + length + 6:.1f}" y="{y + BAR_H - 5}" '
                         f'font-size="{TEXT_SIZE}" fill="{INK}">{escape(clean(bar.text))}</text>')
            y += BAR_H + BAR_GAP
        y += GROUP_GAP - BAR_GAP
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704: our SVG; every text in it went through escape()


def money(fen: int) -> str:
    return f"-¥{yuan(-fen)}" if fen < 0 else f"¥{yuan(fen)}"


def stages_chart(f: Figures) -> Markup:
    groups = [Group(str(STAGE_LABELS[s]), (Bar(n, str(n)),)) for s, n in f.stages.items()]
    return bar_chart(groups, title=_("Ideas by stage"), id_prefix="chart-stages")


def money_chart(f: Figures) -> Markup:
    groups = [Group(_("Budgeted"), (Bar(f.budgeted_fen, money(f.budgeted_fen)),)),
              Group(_("Committed"), (Bar(f.committed_fen, money(f.committed_fen)),)),
              Group(_("Spent"), (Bar(f.spent_fen, money(f.spent_fen), striped=True),))]
    return bar_chart(groups, title=_("Money in %(year)d", year=f.year), id_prefix="chart-money")


def sources_chart(f: Figures) -> Markup:
    """Committed (solid) and spent (striped) for each source that has either."""
    groups = [Group(str(FUNDING_LABELS.get(s.kind, s.kind)), (
                  Bar(s.committed_fen, _("committed %(amount)s", amount=money(s.committed_fen))),
                  Bar(s.spent_fen, _("spent %(amount)s", amount=money(s.spent_fen)), striped=True)))
              for s in f.sources_with_money]
    return bar_chart(groups, title=_("Committed and spent by funding source in %(year)d",
                                     year=f.year), id_prefix="chart-sources", labels_above=True)


def projects_chart(f: Figures) -> Markup:
    groups = [Group(str(PROJECT_STATUS_LABELS[s]), (Bar(n, str(n)),))
              for s, n in f.projects.items()]
    return bar_chart(groups, title=_("Projects by status"), id_prefix="chart-projects")


def all_charts(f: Figures) -> dict[str, Markup]:
    return {"stages": stages_chart(f), "money": money_chart(f), "sources": sources_chart(f),
            "projects": projects_chart(f)}
