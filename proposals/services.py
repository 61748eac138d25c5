"""Writing ideas: hand one in, toggle a support."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db

from .models import Idea, IdeaPhoto, IdeaSupport, StageChange
from .photos import ProcessedPhoto, store


def photo_folder():
    return current_app.config["SETTINGS"].upload_dir / "ideas"


def hand_in(community, author, *, title: str, description: str, category: str,
            building=None, place: str = "", estimated_cost_fen: int | None = None,
            changes_common_parts: bool = False,
            photos: list[ProcessedPhoto] = ()) -> Idea:
    idea = Idea(community=community, author=author, title=title.strip(),
                description=description.strip(), category=category, building=building,
                place=place.strip(), estimated_cost_fen=estimated_cost_fen,
                changes_common_parts=changes_common_parts, stage="submitted")
    db.session.add(idea)
    for position, photo in enumerate(photos):
        name = store(photo, photo_folder())
        idea.photos.append(IdeaPhoto(filename=name, width=photo.width, height=photo.height,
                                     position=position))
    idea.timeline.append(StageChange(from_stage=None, to_stage="submitted",
                                     actor_id=author.id, reason=""))
    db.session.flush()
    return idea


SUPPORTABLE = ("submitted", "deliberating", "planned", "in_round", "noticed")


def can_be_supported(idea) -> bool:
    return idea.stage in SUPPORTABLE


def toggle_support(idea, user) -> bool:
    """Support the idea, or take the support back. Returns whether it is now supported."""
    existing = db.session.scalar(select(IdeaSupport).where(
        IdeaSupport.idea_id == idea.id, IdeaSupport.user_id == user.id))
    if existing is not None:
        db.session.execute(delete(IdeaSupport).where(IdeaSupport.id == existing.id))
        return False
    try:
        # A double click on PostgreSQL can race past the check above; the unique key wins.
        with db.session.begin_nested():
            db.session.add(IdeaSupport(idea_id=idea.id, user_id=user.id))
    except IntegrityError:
        pass
    return True

