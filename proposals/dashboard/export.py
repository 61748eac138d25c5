"""The dashboard's figures as CSV, for the 居委会's spreadsheets upward.

One section per figure group: a row naming the figure, its column heads, its rows, then
a blank row. UTF-8 with a byte-order mark for Excel on a Chinese Windows; amounts are
yuan with two decimals and no thousands separator; anything people typed is guarded
against formula injection.
"""
from __future__ import annotations

import csv
import io
import re

from flask_babel import format_datetime, gettext as _

from proposals.forms import FUNDING_LABELS
from proposals.rounds.export import as_text, plain_yuan
from proposals.stages import STAGE_LABELS

from .figures import Figures
from .labels import PROJECT_STATUS_LABELS, definitions

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def filename(community, year: int) -> str:
    slug = _UNSAFE.sub("", community.slug) or "community"
    return f"dashboard-{slug}-{int(year)}.csv"


def figures_csv(community, f: Figures) -> bytes:
    said = definitions(f.year)
    out = io.StringIO()
    w = csv.writer(out)

    def section(name: str, definition: str, heads: list[str], rows: list[list]) -> None:
        w.writerow([as_text(name)])
        if definition:
            w.writerow([as_text(definition)])
        w.writerow(heads)
        w.writerows(rows)
        w.writerow([])

    w.writerow([_("Community dashboard"), as_text(community.name), f.year])
    w.writerow([])
    section(_("Ideas by stage"), said["stages"], [_("Stage"), _("Ideas")],
            [[str(STAGE_LABELS[s]), n] for s, n in f.stages.items()]
            + [[_("All ideas"), f.ideas]])
    section(_("Ideas handed in"), said["handed_in"], [_("Year"), _("Ideas")],
            [[f.year, f.handed_in]])
    section(_("Money in %(year)d (yuan)", year=f.year), "", [_("Figure"), _("Amount (yuan)"),
                                                            _("Definition")],
            [[_("Budgeted"), plain_yuan(f.budgeted_fen), said["budgeted"]],
             [_("of which budget rounds"), plain_yuan(f.budgeted_rounds_fen), ""],
             [_("of which plans outside a round"), plain_yuan(f.budgeted_outside_fen), ""],
             [_("Committed"), plain_yuan(f.committed_fen), said["committed"]],
             [_("Spent"), plain_yuan(f.spent_fen), said["spent"]]])
    section(_("Committed and spent by funding source (yuan)"), said["sources"],
            [_("Funding source"), _("Committed (yuan)"), _("Spent (yuan)")],
            [[str(FUNDING_LABELS.get(s.kind, as_text(s.kind))), plain_yuan(s.committed_fen),
              plain_yuan(s.spent_fen)] for s in f.by_source]
            + [[_("Total"), plain_yuan(f.committed_fen), plain_yuan(f.spent_fen)]])
    section(_("Projects by status"), said["projects"], [_("Status"), _("Projects")],
            [[str(PROJECT_STATUS_LABELS[s]), n] for s, n in f.projects.items()]
            + [[_("All projects"), f.project_count]])
    section(_("Latest outcomes"), said["outcomes"], [_("Outcome"), _("Published")],
            [[as_text(o.title), format_datetime(o.published_at, "yyyy-MM-dd")]
             for o in f.outcomes])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
