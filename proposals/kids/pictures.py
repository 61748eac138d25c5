"""The built-in pictures of the children's ballot, their spoken labels and the avatars.

Each picture is `static/kids/pictures/<key>.svg`; its clip, `static/kids/clips/<key>.ogg`,
says the Chinese label in espeak-ng's Mandarin voice (`flask --app wsgi kids make-clips`
makes them again). A clip says the Chinese label only: a card whose label staff change
needs a clip of its own (recorded in the browser, or spoken by the server).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Picture:
    key: str
    zh: str  # the label a clip says, and the default label of a card
    name: object  # the label in the reader's language (lazy)


PICTURES = (
    Picture("swing", "秋千", _l("Swing")),
    Picture("slide", "滑梯", _l("Slide")),
    Picture("sandpit", "沙坑", _l("Sandpit")),
    Picture("square", "小广场", _l("Square")),
    Picture("court", "球场", _l("Ball court")),
    Picture("bench", "长椅", _l("Bench")),
    Picture("pavilion", "凉亭", _l("Pavilion")),
    Picture("light", "路灯", _l("Street light")),
    Picture("stairs", "楼道灯", _l("Stairway light")),
    Picture("lift", "电梯", _l("Lift")),
    Picture("tree", "大树", _l("Tree")),
    Picture("flowers", "花坛", _l("Flower bed")),
    Picture("bins", "垃圾分类", _l("Sorting bins")),
    Picture("bicycle", "自行车", _l("Bicycle")),
    Picture("shed", "车棚", _l("Bicycle shed")),
    Picture("plug", "充电桩", _l("Charging point")),
    Picture("gate", "大门", _l("Gate")),
    Picture("alarm", "烟雾报警器", _l("Smoke alarm")),
    Picture("books", "图书角", _l("Book corner")),
    Picture("elder", "爷爷奶奶", _l("Grandparents")),
    Picture("star", "好主意", _l("Good idea")),
)
BY_KEY = {p.key: p for p in PICTURES}

# The picture of each idea category, for children choosing one without reading.
CATEGORY_PICTURES = {
    "safety": "light", "environment": "tree", "facilities": "bench", "culture": "books",
    "children": "swing", "elderly": "elder", "parking": "bicycle", "other": "star",
}

AVATAR_NAMES = {
    "cat": _l("Cat"), "dog": _l("Dog"), "rabbit": _l("Rabbit"), "panda": _l("Panda"),
    "bear": _l("Bear"), "fox": _l("Fox"), "duck": _l("Duck"), "elephant": _l("Elephant"),
}

# Pictures that say something without words on the children's screens.
MESSAGES = ("used", "ended", "closed", "thanks", "wait")


def picture_url(key: str) -> str:
    from flask import url_for
    return url_for("static", filename=f"kids/pictures/{key}.svg")


def clip_url(key: str) -> str:
    from flask import url_for
    return url_for("static", filename=f"kids/clips/{key}.ogg")


def avatar_url(key: str) -> str:
    from flask import url_for
    return url_for("static", filename=f"kids/avatars/{key}.svg")


def message_url(key: str) -> str:
    from flask import url_for
    return url_for("static", filename=f"kids/messages/{key}.svg")
