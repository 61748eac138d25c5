"""Words shown for the codes of projects: who is responsible, a milestone's status, and
a project's status (which is its idea's stage)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from proposals.forms import FUNDING_LABELS  # one set of words for funding sources

__all__ = ["FUNDING_LABELS", "MILESTONE_LABELS", "RESPONSIBLE_LABELS", "STATUS_LABELS",
           "STATUS_ORDER"]

RESPONSIBLE_LABELS = {
    "property": _l("Property management"),
    "residents_committee": _l("Residents' committee"),
    "owners_committee": _l("Owners' committee"),
    "partner": _l("Partner"),
}
MILESTONE_LABELS = {
    "planned": _l("To come"),
    "in_progress": _l("Under way"),
    "done": _l("Reached"),
}
# A project's status is its idea's stage, in the order the list shows them.
STATUS_ORDER = ("in_progress", "funded", "done", "not_adopted")
STATUS_LABELS = {
    "funded": _l("Funded, not started"),
    "in_progress": _l("Work in progress"),
    "done": _l("Done"),
    "not_adopted": _l("Cancelled"),
}
