"""The demo's children's ballot in 高荣: content only; `demo_kids` turns it into rows.

In the field report (seed 003) the children who play on 高荣's 睦邻小广场 asked the
council to mend it, and were heard. Here they vote on it: the autumn round's children's
part, with a small budget of its own for their favourite, which is the square, by far.
The winter round, open now, has a children's part too, with a few children's votes so
far (at the community centre's tablet, with printed cards, and 豆豆 from 王阿姨's phone),
so a visitor can try the kiosk, or vote as 小雨 when logged in as `resident`.

王阿姨 (`resident`) is guardian of 小雨 and 豆豆; their drawings are 小朋友的金点子.
Days are days after BASE, as in `proposals.demo_data` (day 0 is 09:00 in Shanghai).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..rounds.demo_round_data import AUTUMN_ROUND, WINTER_ROUND


@dataclass(frozen=True)
class Afternoon:
    """A kiosk at the community centre: staff start it, children vote one after another."""

    after: float  # a story day, or in the open round days after it opened
    hours: float  # how long it ran
    children: int


@dataclass(frozen=True)
class PartSeed:
    round_title: str
    picks: int
    budget_yuan: int | None
    set_up: float  # the day staff opened the children's part (the round still upcoming)
    cards: tuple[tuple[str, str], ...]  # idea key, built-in picture (labelled with its word)
    picks_made: tuple[tuple[str, ...], ...]  # what each child picked, in the order they voted
    kiosks: tuple[Afternoon, ...]
    printed: int  # QR cards printed when the part was set up…
    card_days: tuple[float, ...]  # …and when each used one was voted with
    votes_day: float | None = None  # a closed round's children voted by this story day


def _times(*pairs: tuple[tuple[str, ...], int]) -> tuple[tuple[str, ...], ...]:
    return tuple(picks for picks, n in pairs for _ in range(n))


AUTUMN = PartSeed(
    AUTUMN_ROUND, picks=1, budget_yuan=5_000, set_up=21.2,
    cards=(("charging", "plug"), ("square", "square"), ("gate", "gate"),
           ("smoke-alarms", "alarm")),
    # 17 of 30 for their square; the order is shuffled by the seed's random stream.
    picks_made=_times((("square",), 17), (("charging",), 6), (("gate",), 4),
                      (("smoke-alarms",), 3)),
    # Saturday afternoon at the community centre, and Monday after school.
    kiosks=(Afternoon(25.208, 2.0, 14), Afternoon(27.3, 1.5, 9)),
    printed=10, card_days=(22.35, 22.4, 23.3, 24.45, 26.1, 26.3, 27.2),
    votes_day=27.4,
)

WINTER = PartSeed(
    WINTER_ROUND, picks=2, budget_yuan=None, set_up=72.1,
    cards=(("gate", "gate"), ("shed-charging", "plug"), ("stair-lights", "stairs"),
           ("picture-books", "books")),
    picks_made=(("picture-books", "stair-lights"), ("picture-books", "gate"),
                ("stair-lights", "shed-charging"), ("picture-books", "stair-lights"),
                ("gate", "picture-books"), ("picture-books",), ("stair-lights", "gate"),
                ("picture-books", "shed-charging")),
    # The day after it opened, at 16:00 after school (days of the open round start 09:00).
    kiosks=(Afternoon(1.29, 1.0, 6),),
    printed=40, card_days=(0.45, 2.1),
)

PARTS = (AUTUMN, WINTER)


@dataclass(frozen=True)
class ChildSeed:
    key: str
    nickname: str
    age_band: str
    avatar: str
    day: float  # when 王阿姨 made the profile, agreeing to the notice


CHILDREN = (
    ChildSeed("xiaoyu", "小雨", "6-8", "rabbit", 55.45),
    ChildSeed("doudou", "豆豆", "9-11", "panda", 55.46),
)
GUARDIAN = "resident"
# 豆豆 has voted from 王阿姨's phone (a guardian-mode ballot, like every children's
# ballot, has no time); 小雨 has not voted yet: the demo visitor can vote as her.
GUARDIAN_VOTE = ("doudou", ("picture-books", "gate"))


@dataclass(frozen=True)
class ChildIdeaSeed:
    child: str
    day: float
    drawing: str  # what the crayon drawing shows (demo_kids.child_drawing)
    category: str
    words: str  # typed by the guardian; the first line is the title
    supporters: int = 0
    deliberating: tuple[float, str] | None = None  # the day staff take it up, and why


CHILD_IDEAS = (
    ChildIdeaSeed(
        "xiaoyu", 58.42, "swing", "children",
        "想在小广场边上装两个秋千\n小广场修好以后我们天天去跳绳。要是边上有两个秋千，"
        "就可以和好朋友一起荡了。",
        supporters=9,
        deliberating=(60.3, "居委会收到小雨的画，请物业先量一量小广场边上的空地够不够装秋千，"
                            "下次议事会请小朋友们一起来商量。")),
    ChildIdeaSeed(
        "doudou", 81.45, "flowers", "environment",
        "活动室门口种一排向日葵\n向日葵会跟着太阳转，我们可以每天给它浇水。",
        supporters=5),
    ChildIdeaSeed(
        "xiaoyu", 88.42, "lamp", "safety",
        "晚上小广场太黑了，想要亮亮的灯\n冬天放学天就黑了，在小广场上跳绳看不清楚。",
        supporters=3),
)
