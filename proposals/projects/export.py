"""A project's ledger as CSV, for the 居委会's spreadsheets.

UTF-8 with a byte-order mark so Excel on a Chinese Windows reads the names; amounts in
yuan with two decimals and no thousands separator, so spreadsheets read numbers; every
text a person typed is guarded against formula injection.
"""
from __future__ import annotations

import csv
import io

from flask import url_for
from flask_babel import gettext as _

from proposals.rounds.export import as_text, plain_yuan

from .labels import FUNDING_LABELS
from .ledger import by_source


def filename(project) -> str:
    return f"project-{int(project.id)}-ledger.csv"


def ledger_csv(project) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("No."), _("Date"), _("Amount (yuan)"), _("Funding source"),
                     _("Payee"), _("What for"), _("Reverses entry no."),
                     _("Explanation of overspending"), _("Receipt photo")])
    for entry in project.spending:
        receipt = url_for("site.photo", name=entry.receipt_filename, _external=True) \
            if entry.receipt_filename else ""
        writer.writerow([entry.id, entry.spent_on.isoformat(), plain_yuan(entry.amount_fen),
                         str(FUNDING_LABELS.get(entry.source_kind, entry.source_kind)),
                         as_text(entry.payee), as_text(entry.purpose),
                         entry.reverses_id or "", as_text(entry.overspend_reason), receipt])
    writer.writerow([])
    writer.writerow([_("Funding source"), _("Planned (yuan)"), _("Spent (yuan)")])
    for line in by_source(project):
        writer.writerow([str(FUNDING_LABELS.get(line.kind, line.kind)),
                         plain_yuan(line.planned_fen), plain_yuan(line.spent_fen)])
    writer.writerow([_("Total"), plain_yuan(project.planned_fen), plain_yuan(project.spent_fen)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
