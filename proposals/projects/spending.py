"""The ledger of a project's spending: append-only, exact, and never silently above plan.

An entry that leaves the total spent above the total planned is refused unless staff
explain it; the explanation is stored with the entry and shown publicly beside the
overspending warning. A mistaken entry is never edited or deleted: a reversal (a negative
entry naming it, with a reason) cancels it, and both stay in the ledger for all to see.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.forms import MAX_FEN, SHANGHAI
from app.templating import yuan
from app.timeutil import utcnow
from proposals.models import FUNDING_KINDS
from proposals.photos import ProcessedPhoto, store
from proposals.services import photo_folder

from .models import SpendingEntry
from .services import MAX_NAME, MAX_NOTE, MAX_REASON, ProjectRefused, clean_text, lock, sums


class OverspendUnexplained(ProjectRefused):
    """The entry would take spending above plan and no explanation was given."""


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def add_spending(project, actor, *, spent_on, amount_fen: int | None, payee: str,
                 purpose: str, source_kind: str, receipt: ProcessedPhoto | None = None,
                 overspend_reason: str = "") -> SpendingEntry:
    if not isinstance(spent_on, date):
        raise ProjectRefused(_("Give the date of the payment."))
    if spent_on > today():
        raise ProjectRefused(_("A payment cannot be dated in the future."))
    if amount_fen is None or amount_fen <= 0:
        raise ProjectRefused(_("The amount must be more than zero. A mistaken entry is "
                               "corrected by reversing it."))
    if amount_fen > MAX_FEN:
        raise ProjectRefused(_("This amount is too large."))
    if source_kind not in FUNDING_KINDS:
        raise ProjectRefused(_("Choose the funding source the payment draws on."))
    payee = clean_text(payee, MAX_NAME, _("Name who was paid."))
    purpose = clean_text(purpose, MAX_NOTE, _("Say what the payment was for."))
    reason = clean_text(overspend_reason, MAX_REASON)
    lock(project)
    planned, spent = sums(project)
    if spent + amount_fen > planned and not reason:
        raise OverspendUnexplained(_(
            "With this payment, ¥%(spent)s would be spent against ¥%(planned)s planned "
            "(¥%(over)s over). Explain the overspending: the explanation is shown publicly.",
            spent=yuan(spent + amount_fen), planned=yuan(planned),
            over=yuan(spent + amount_fen - planned)))
    if spent + amount_fen <= planned:
        reason = ""  # nothing to explain: keep the public warning for real overspending
    entry = SpendingEntry(project_id=project.id, spent_on=spent_on, amount_fen=amount_fen,
                          payee=payee, purpose=purpose, source_kind=source_kind,
                          overspend_reason=reason, created_by_id=getattr(actor, "id", None),
                          receipt_filename=store(receipt, photo_folder()) if receipt else "")
    db.session.add(entry)
    db.session.flush()
    audit.record("project.spending_added", actor=actor, community=project.community,
                 target=entry, project=project.id, amount_fen=amount_fen, payee=payee,
                 purpose=purpose, source=source_kind, spent_on=spent_on,
                 overspend_reason=reason, receipt=entry.receipt_filename)
    return entry


def reversal_of(entry: SpendingEntry) -> SpendingEntry | None:
    return db.session.scalar(select(SpendingEntry).where(SpendingEntry.reverses_id == entry.id))


def reverse_spending(entry: SpendingEntry, actor, reason: str) -> SpendingEntry:
    """Cancel a mistaken entry by a negative one that names it; the reason is public."""
    reason = clean_text(reason, MAX_NOTE, _("Say why this entry is reversed."))
    project = entry.project
    lock(project)
    if entry.reverses_id is not None:
        raise ProjectRefused(_("A reversal cannot itself be reversed. Add the payment "
                               "again if it was right after all."))
    if reversal_of(entry) is not None:
        raise ProjectRefused(_("This entry has already been reversed."))
    reversal = SpendingEntry(project_id=project.id, spent_on=today(),
                             amount_fen=-entry.amount_fen, payee=entry.payee, purpose=reason,
                             source_kind=entry.source_kind, reverses_id=entry.id,
                             created_by_id=getattr(actor, "id", None))
    db.session.add(reversal)
    db.session.flush()
    audit.record("project.spending_reversed", actor=actor, community=project.community,
                 target=reversal, project=project.id, reverses=entry.id,
                 amount_fen=reversal.amount_fen, reason=reason)
    return reversal
