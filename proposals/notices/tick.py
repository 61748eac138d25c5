"""The due work of notices for `flask --app wsgi tick`: finish every notice whose period
is over with every objection answered, as the system. Each notice in its own transaction,
so one refusal (an idea whose owners' decision did not pass) holds back only its notice."""
from __future__ import annotations

from datetime import datetime

from app.database import write_transaction
from app.extensions import db

from .models import Notice
from .services import NoticeRefused, due_notices, finish


def finish_due_notices(now: datetime) -> list[tuple[bool, str]]:
    """One (done, line) per due notice; a second run finds none of them due again."""
    with write_transaction():
        due = [(n.id, n.title, n.community.slug) for n in due_notices(now)]
    lines = []
    for notice_id, title, slug in due:
        label = f"notice {notice_id} “{title}” ({slug})"
        try:
            with write_transaction():
                notice = db.session.get(Notice, notice_id)
                funded = finish(notice, system=True)
        except NoticeRefused as refused:
            lines.append((False, f"{label}: refused: {refused.message}"))
            continue
        lines.append((True, f"{label}: finished, {len(funded)} "
                            f"idea{'' if len(funded) == 1 else 's'} funded"))
    return lines
