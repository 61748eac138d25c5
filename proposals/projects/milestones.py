"""Milestones of a project: added, edited, moved from planned to under way to reached.

Each addition and each change of status is news for the idea's followers: it is sent as
`milestone_changed` (the notification centre listens), with the staff member as actor.
Photos are re-encoded before they get here (`proposals.photos.process_photo`) and stored
in the public photo folder once every check has passed.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app import audit
from app.extensions import db
from proposals.photos import MAX_PHOTOS, ProcessedPhoto, store
from proposals.services import photo_folder

from .models import MILESTONE_STATUSES, Milestone, MilestonePhoto
from .services import ProjectRefused, clean_text
from .signals import milestone_changed

MAX_TITLE, MAX_TEXT = 100, 5000


def _check(due_on, title: str, text: str, status: str) -> tuple[str, str]:
    if not isinstance(due_on, date):
        raise ProjectRefused(_("Give the milestone's date."))
    if status not in MILESTONE_STATUSES:
        raise ProjectRefused(_("Choose the milestone's status."))
    return (clean_text(title, MAX_TITLE, _("Give the milestone a title.")),
            clean_text(text, MAX_TEXT))


def _add_photos(milestone: Milestone, photos) -> list[str]:
    start = max((p.position for p in milestone.photos), default=-1) + 1
    names = []
    for offset, photo in enumerate(photos):
        name = store(photo, photo_folder())
        names.append(name)
        milestone.photos.append(MilestonePhoto(filename=name, width=photo.width,
                                               height=photo.height, position=start + offset))
    return names


def _announce(milestone: Milestone, actor, event: str) -> None:
    milestone_changed.send(milestone, actor=actor, event=event)


def add_milestone(project, actor, *, due_on, title: str, text: str = "",
                  status: str = "planned", photos: list[ProcessedPhoto] = ()) -> Milestone:
    title, text = _check(due_on, title, text, status)
    if len(photos) > MAX_PHOTOS:
        raise ProjectRefused(_("At most %(n)d photos per milestone.", n=MAX_PHOTOS))
    milestone = Milestone(due_on=due_on, title=title, text=text, status=status,
                          created_by_id=getattr(actor, "id", None))
    project.milestones.append(milestone)
    names = _add_photos(milestone, photos)
    db.session.flush()
    audit.record("project.milestone_added", actor=actor, community=project.community,
                 target=milestone, project=project.id, title=title, due_on=due_on,
                 status=status, photos=names)
    _announce(milestone, actor, "added")
    return milestone


def set_status(milestone: Milestone, actor, status: str) -> bool:
    """Returns whether the status changed (the same status again is no news)."""
    if status not in MILESTONE_STATUSES:
        raise ProjectRefused(_("Choose the milestone's status."))
    if status == milestone.status:
        return False
    before, milestone.status = milestone.status, status
    db.session.flush()
    audit.record("project.milestone_status", actor=actor, community=milestone.project.community,
                 target=milestone, project=milestone.project_id, before=before, after=status)
    _announce(milestone, actor, "status")
    return True


def edit_milestone(milestone: Milestone, actor, *, due_on, title: str, text: str,
                   status: str, photos: list[ProcessedPhoto] = (),
                   remove: tuple[int, ...] = ()) -> list[str]:
    """Change what a milestone says, add or remove photos, and perhaps its status.
    Returns the names of the removed photos' files, for the caller to delete after the
    commit (a rolled-back edit must not lose them)."""
    title, text = _check(due_on, title, text, status)
    gone = [p for p in milestone.photos if p.id in set(remove)]
    if len(milestone.photos) - len(gone) + len(photos) > MAX_PHOTOS:
        raise ProjectRefused(_("At most %(n)d photos per milestone.", n=MAX_PHOTOS))
    before = dict(due_on=milestone.due_on, title=milestone.title, text=milestone.text)
    milestone.due_on, milestone.title, milestone.text = due_on, title, text
    for photo in gone:
        milestone.photos.remove(photo)
    added = _add_photos(milestone, photos)
    db.session.flush()
    audit.record("project.milestone_edited", actor=actor, community=milestone.project.community,
                 target=milestone, project=milestone.project_id, before=before,
                 after=dict(due_on=due_on, title=title, text=text),
                 photos_added=added, photos_removed=[p.filename for p in gone])
    set_status(milestone, actor, status)
    return [p.filename for p in gone]


def discard_files(names) -> None:
    for name in names:
        if name:
            (photo_folder() / name).unlink(missing_ok=True)
