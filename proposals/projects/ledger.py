"""Planned against spent, by funding source: what the project page, the outcome page and
the dashboard all show, computed one way."""
from __future__ import annotations

from dataclasses import dataclass

from proposals.models import FUNDING_KINDS


@dataclass(frozen=True)
class SourceLine:
    kind: str
    planned_fen: int
    spent_fen: int

    @property
    def over(self) -> bool:
        return self.spent_fen > self.planned_fen


def by_source(project) -> list[SourceLine]:
    """One line per funding kind that is planned or spent, in the order of FUNDING_KINDS
    (spending on a kind with nothing planned shows as its own overspent line)."""
    planned = {k: 0 for k in FUNDING_KINDS}
    spent = {k: 0 for k in FUNDING_KINDS}
    for f in project.funding:
        planned[f.kind] = planned.get(f.kind, 0) + f.amount_fen
    for e in project.spending:
        spent[e.source_kind] = spent.get(e.source_kind, 0) + e.amount_fen
    return [SourceLine(k, planned[k], spent[k]) for k in planned if planned[k] or spent[k]]
