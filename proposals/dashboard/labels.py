"""What the dashboard calls things, and the one plain sentence that defines each figure
(shown on the page and written into the CSV, so both say the same)."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l

PROJECT_STATUS_LABELS = {
    "funded": _l("Funded, not started"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "not_adopted": _l("Cancelled"),
}


def definitions(year: int) -> dict[str, str]:
    return {
        "stages": _("Every idea of the community, counted by the stage it is in today."),
        "handed_in": _("Ideas handed in between 1 January and 31 December %(year)d.",
                       year=year),
        "budgeted": _("The budgets of the budget rounds that open in %(year)d, plus the "
                      "costs of plans put on public notice in %(year)d without a round.",
                      year=year),
        "committed": _("The planned funding of the projects funded in %(year)d, leaving "
                       "out projects since cancelled.", year=year),
        "spent": _("The ledger entries of every project dated in %(year)d; corrections "
                   "are negative entries and count against the total.", year=year),
        "sources": _("Committed and spent as above, by where the money comes from."),
        "projects": _("Every project of the community by where it stands today."),
        "outcomes": _("The outcome pages published most recently."),
    }
