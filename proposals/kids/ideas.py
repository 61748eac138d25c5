"""Children's ideas (小朋友的金点子): a photo of a drawing, a category chosen from
pictures, a few words typed by the guardian. They enter the normal stage machine as
"submitted", screened by staff like any idea, and keep their mark for good.
"""
from __future__ import annotations

from flask_babel import force_locale, gettext as _

from app.extensions import db
from app.i18n import DEFAULT as COMMUNITY_LOCALE
from proposals import services
from proposals.forms import CATEGORY_LABELS
from proposals.models import CATEGORIES, Idea

from .pictures import CATEGORY_PICTURES

MAX_WORDS = 100
TITLE_MAX = 80


class ChildIdeaRefused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def categories() -> list[tuple[str, str, object]]:
    """(category, picture key, label) for the picture grid, in the ideas' order."""
    return [(c, CATEGORY_PICTURES[c], CATEGORY_LABELS[c]) for c in CATEGORIES]


def _title_and_description(category: str, words: str) -> tuple[str, str]:
    first_line = next((line.strip() for line in words.splitlines() if line.strip()), "")
    # The title and the sentence stay as written: they are shown to every neighbour,
    # so they are made in the community's language, not the guardian's.
    with force_locale(COMMUNITY_LOCALE):
        label = str(CATEGORY_LABELS[category])
        title = first_line or _("A child's idea: %(category)s", category=label)
        description = words or _("A child's drawing, handed in by their guardian "
                                  "(%(category)s).", category=label)
    return title[:TITLE_MAX].strip(), description


def hand_in_for_child(community, guardian, child, drawing, category: str,
                      words: str = "") -> Idea:
    """Hand in the child's drawing as an idea; `guardian` (the child's guardian, or staff
    for a profile from a paper form) is its author. `drawing` is a ProcessedPhoto
    (re-encoded, EXIF stripped). The caller commits."""
    if child.community_id != community.id:
        raise ChildIdeaRefused("drawing", _("This child's profile belongs to another "
                                            "community."))
    if drawing is None:
        raise ChildIdeaRefused("drawing", _("Add a photo of the child's drawing."))
    if category not in CATEGORIES:
        raise ChildIdeaRefused("category", _("Choose the picture that fits the idea best."))
    words = (words or "").replace("\r\n", "\n").strip()
    if len(words) > MAX_WORDS:
        raise ChildIdeaRefused("words", _("At most %(num)d characters, please.",
                                          num=MAX_WORDS))
    title, description = _title_and_description(category, words)
    idea = services.hand_in(community, guardian, title=title, description=description,
                            category=category, photos=[drawing])
    idea.by_child = True
    idea.child_id = child.id
    db.session.flush()
    return idea
