"""What notices add to an idea's page (through proposals.views' hooks): a box while the
idea is on an open notice, links from its timeline to the notice and to an upheld
objection, and a timeline note when a notice with the idea opened."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import utcnow
from proposals.views import CAUSE_LINKS, IDEA_SECTIONS, TIMELINE_EXTRAS, TimelineNote

from . import services
from .models import Notice, NoticeIdea, Objection


def notice_section(idea) -> Markup:
    """While the idea is on a notice not yet finished: until when, and how many objections."""
    if idea.stage != "noticed":
        return Markup("")
    objections = (select(func.count(Objection.id)).where(Objection.notice_id == Notice.id)
                  .scalar_subquery())
    row = db.session.execute(
        select(Notice, objections).join(NoticeIdea, NoticeIdea.notice_id == Notice.id)
        .where(NoticeIdea.idea_id == idea.id, NoticeIdea.result == "",
               Notice.finished_at.is_(None))
        .order_by(Notice.id.desc()).limit(1)).first()
    if row is None:
        return Markup("")
    notice, count = row
    now = utcnow()
    return Markup(render_template("notices/_idea_section.html", notice=notice, count=count,  # nosec B704: autoescaped Jinja output
                                  is_open=services.is_open(notice, now),
                                  time_left=services.time_left(notice, now)))


def notice_notes(idea) -> list[TimelineNote]:
    rows = db.session.execute(
        select(Notice.id, Notice.title, Notice.opens_at)
        .join(NoticeIdea, NoticeIdea.notice_id == Notice.id)
        .where(NoticeIdea.idea_id == idea.id).order_by(Notice.opens_at, Notice.id)).all()
    return [TimelineNote(at=opens, kind="notice",
                         label=_("Public notice opened: %(title)s", title=title),
                         url=url_for("notices.notice", notice_id=notice_id))
            for notice_id, title, opens in rows]


def notice_link(notice_id: int) -> str | None:
    # The idea page is the notice's community's: the slug comes from the request.
    return url_for("notices.notice", notice_id=notice_id)


def objection_link(objection_id: int) -> str | None:
    notice_id = db.session.scalar(select(Objection.notice_id).where(
        Objection.id == objection_id))
    if notice_id is None:
        return None
    return url_for("notices.notice", notice_id=notice_id, _anchor=f"objection-{objection_id}")


IDEA_SECTIONS["top"].append(notice_section)
TIMELINE_EXTRAS.append(notice_notes)
CAUSE_LINKS[Notice.cause_kind] = notice_link
CAUSE_LINKS[Objection.cause_kind] = objection_link
