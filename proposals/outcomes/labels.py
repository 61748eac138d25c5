"""Words and drawings of outcome pages: the five faces of the satisfaction vote, and text
clipped to fit the poster."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

SCORE_LABELS = {
    1: _l("Very unhappy"),
    2: _l("Unhappy"),
    3: _l("Neutral"),
    4: _l("Happy"),
    5: _l("Very happy"),
}

# The mouth of each face in a 48×48 box: a frown turning into a wide smile.
_MOUTHS = {
    1: "M14 36 Q24 24 34 36",
    2: "M15 34 Q24 29 33 34",
    3: "M15 32 L33 32",
    4: "M15 30 Q24 36 33 30",
    5: "M13 28 Q24 42 35 28",
}


def mouth_path(score: int) -> str:
    return _MOUTHS[score]


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at the end with an ellipsis (the poster's room is
    fixed; the whole text is one QR scan away)."""
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
