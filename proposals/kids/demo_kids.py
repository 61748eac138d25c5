"""seed-demo's children's ballot (`demo_kids_data`), made through the kids' own services.

`proposals.demo` asks for this part of the story with `demo_story`, and runs `events()`
among the ideas' moves in time order: staff open each round's children's part while the
round is still upcoming (cards print then); 王阿姨 makes her children's profiles and hands
in their drawings; the autumn round's children vote on its last day of voting. `finish()`,
after the rounds' own `finish()` has opened the winter round, casts the winter round's
children's votes so far.

The services take "now" as the time of what they do and refuse what the clock forbids (a
vote in a round that is not open), so the autumn round is opened around now while its
children vote, then given back its times, as `demo_rounds` does for its ballots. What
the services write is then dated like the story: audit entries and stage changes by
`dated`, codes, kiosks and profiles by hand. Children's ballots carry no time, by design.
"""
from __future__ import annotations

import math
import random
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from io import BytesIO

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from proposals.demo import at, demo_story
from proposals.demo_data import SEED
from proposals.models import IdeaSupport
from proposals.moves import move_idea
from proposals.photos import process_photo
from proposals.rounds.demo_rounds import dated
from proposals.rounds.models import Round

from . import codes, ideas, kiosk as kiosks, parts, profiles, voting
from .demo_kids_data import CHILD_IDEAS, CHILDREN, GUARDIAN, GUARDIAN_VOTE, WINTER, \
    Afternoon, ChildIdeaSeed, ChildSeed, PartSeed, PARTS
from .pictures import BY_KEY

RNG_SEED = SEED + 17  # its own random stream: the rest of the story does not shift
CODE_SHOWN_SECONDS = 50  # staff tap "下一位小朋友", the child looks, taps, confirms


@contextmanager
def open_now(round_: Round):
    """Open the round around now while the services take its children's votes."""
    times = round_.opens_at, round_.closes_at
    now = utcnow()
    round_.opens_at, round_.closes_at = now - timedelta(hours=1), now + timedelta(hours=1)
    try:
        yield
    finally:
        round_.opens_at, round_.closes_at = times


class KidsSeeder:
    replaced = frozenset()  # no move of demo_data's is made here

    def __init__(self, seeder):
        self.seeder = seeder
        self.rng = random.Random(RNG_SEED)
        self.cards: dict[str, list[str]] = {}  # round title -> printed codes not used yet
        self.children = {}  # ChildSeed.key -> profile
        self.ideas = {}  # (child, day) -> the child's idea

    @property
    def staff(self):
        return self.seeder.users["staff"]

    @property
    def guardian(self):
        return self.seeder.users[GUARDIAN]

    def events(self) -> list[tuple[float, object]]:
        out = []
        for seed in PARTS:
            out.append((seed.set_up, partial(self._set_up, seed)))
            if seed.votes_day is not None:
                out.append((seed.votes_day, partial(self._closed_round_votes, seed)))
        out += [(seed.day, partial(self._child, seed)) for seed in CHILDREN]
        for seed in CHILD_IDEAS:
            out.append((seed.day, partial(self._idea, seed)))
            if seed.deliberating is not None:
                out.append((seed.deliberating[0], partial(self._take_up, seed)))
        return out

    def finish(self) -> None:
        """The winter round's children so far, timed from its opening (so two seeds on
        the same day cast the same votes at the same times)."""
        r = self._round(WINTER)
        opened = r.opens_at
        self._vote(WINTER, r, lambda after: opened + timedelta(days=after))
        key, picked = GUARDIAN_VOTE
        voting.vote_as_child(r, self.children[key], self._entries(r, picked))

    # --- the children's part of a round ---------------------------------------------------

    def _round(self, seed: PartSeed) -> Round:
        return db.session.scalar(select(Round).where(Round.title == seed.round_title))

    def _entries(self, r: Round, keys) -> list[int]:
        entry_of = {e.idea_id: e.id for e in r.entries}
        return [entry_of[self.seeder.ideas[key].id] for key in keys]

    def _set_up(self, seed: PartSeed) -> None:
        r, when = self._round(seed), at(seed.set_up)
        with dated(when):
            part = parts.set_part(r, self.staff, picks=seed.picks,
                                  budget_fen=seed.budget_yuan and seed.budget_yuan * 100)
            entry_of = {e.idea_id: e for e in r.entries}
            for key, picture in seed.cards:
                parts.set_card(entry_of[self.seeder.ideas[key].id], self.staff,
                               label=BY_KEY[picture].zh, builtin=picture)
        part.created_at = when
        printed = codes.mint_cards(r, seed.printed)
        for code in printed:
            codes.find(r, code).created_at = when + timedelta(minutes=20)
        self.cards[seed.round_title] = printed

    def _closed_round_votes(self, seed: PartSeed) -> None:
        r = self._round(seed)
        with open_now(r):
            self._vote(seed, r, at)

    def _vote(self, seed: PartSeed, r: Round, moment) -> None:
        """Each child's picks, at the kiosk's afternoons and with the printed cards;
        `moment` turns the seed's days into times."""
        picks = list(seed.picks_made)
        self.rng.shuffle(picks)
        for afternoon in seed.kiosks:
            self._kiosk(r, afternoon, moment(afternoon.after), picks[:afternoon.children])
            del picks[:afternoon.children]
        printed = self.cards[seed.round_title]
        for day, picked in zip(seed.card_days, picks, strict=True):
            code = printed.pop(0)
            voting.vote_with_code(r, code, self._entries(r, picked))
            row = codes.find(r, code)
            row.used_at = moment(day) + timedelta(minutes=self.rng.randint(0, 90))

    def _kiosk(self, r: Round, afternoon: Afternoon, start: datetime, picks) -> None:
        with dated(start):
            _token, kiosk = kiosks.start(r, self.staff)
        step = afternoon.hours * 3600 / max(1, len(picks))
        when = start
        for picked in picks:
            when += timedelta(seconds=self.rng.uniform(0.4, 1.0) * step)
            code, row = codes.mint_for_kiosk(kiosk)
            voting.vote_with_code(r, code, self._entries(r, picked))
            row.created_at = when - timedelta(seconds=CODE_SHOWN_SECONDS)
            row.used_at = when
        ended = start + timedelta(hours=afternoon.hours)
        with dated(ended):
            kiosks.end(kiosk)
        kiosk.started_at, kiosk.last_seen_at, kiosk.ended_at = start, when, ended

    # --- 王阿姨's children and their drawings --------------------------------------------

    def _child(self, seed: ChildSeed) -> None:
        when = at(seed.day)
        with dated(when):
            child = profiles.create_for_guardian(
                self.seeder.communities["gaorong"], self.guardian, nickname=seed.nickname,
                age_band=seed.age_band, avatar=seed.avatar, consent=True)
        child.consent_at = child.created_at = when
        self.children[seed.key] = child

    def _idea(self, seed: ChildIdeaSeed) -> None:
        settings = current_app.config["SETTINGS"]
        drawing = process_photo(child_drawing(self.rng, seed.drawing),
                                max_bytes=settings.max_photo_bytes,
                                max_pixels=settings.max_photo_pixels)
        when = at(seed.day)
        with dated(when):
            idea = ideas.hand_in_for_child(self.seeder.communities["gaorong"], self.guardian,
                                           self.children[seed.child], drawing, seed.category,
                                           seed.words)
        idea.created_at = when
        self.ideas[seed.child, seed.day] = idea
        pool = [u for u in self.seeder.supporters["gaorong"] if u is not self.guardian]
        for user in self.rng.sample(pool, seed.supporters):
            db.session.add(IdeaSupport(idea_id=idea.id, user_id=user.id, created_at=when
                                       + timedelta(hours=self.rng.uniform(0.5, 30))))

    def _take_up(self, seed: ChildIdeaSeed) -> None:
        day, reason = seed.deliberating
        with dated(at(day)):
            move_idea(self.ideas[seed.child, seed.day], "deliberating", actor=self.staff,
                      reason=reason)


# --- a child's crayon drawing ---------------------------------------------------------------

PAPER = (250, 247, 238)
CRAYONS = {"red": (220, 50, 47), "yellow": (246, 196, 35), "orange": (240, 128, 30),
           "green": (60, 160, 70), "blue": (40, 110, 200), "brown": (130, 80, 40),
           "pink": (236, 110, 160), "black": (45, 40, 40), "purple": (120, 70, 170)}


def _crayon(draw: ImageDraw.ImageDraw, rng: random.Random, points, colour: str,
            width: int = 9) -> None:
    """A thick, wobbly stroke along `points`, drawn twice a little apart, as a child
    presses a crayon and goes over it again."""
    ink = CRAYONS[colour]
    for _pass in range(2):
        wobbly = []
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            steps = max(2, int(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 // 18))
            for i in range(steps):
                t = i / steps
                wobbly.append((x0 + (x1 - x0) * t + rng.uniform(-3.5, 3.5),
                               y0 + (y1 - y0) * t + rng.uniform(-3.5, 3.5)))
        wobbly.append(points[-1])
        shade = tuple(max(0, min(255, c + rng.randint(-18, 18))) for c in ink)
        draw.line(wobbly, fill=shade, width=width + rng.randint(-2, 2), joint="curve")


def _scribble(draw, rng, box, colour: str, gap: int = 12) -> None:
    """Colour a box in with zigzags, leaving bits of paper, as children do."""
    left, top, right, bottom = box
    points, x, up = [], left, True
    while x < right:
        points.append((x, top if up else bottom))
        x += gap + rng.randint(-3, 3)
        up = not up
    if len(points) > 1:
        _crayon(draw, rng, points, colour, width=6)


def _circle(draw, rng, cx, cy, r, colour: str, width: int = 9) -> None:
    points = [(cx + r * math.cos(a / 10), cy + r * math.sin(a / 10)) for a in range(0, 66)]
    _crayon(draw, rng, points, colour, width)


def _sun(draw, rng, cx, cy) -> None:
    _scribble(draw, rng, (cx - 45, cy - 45, cx + 45, cy + 45), "yellow", gap=10)
    _circle(draw, rng, cx, cy, 52, "orange")
    for i in range(10):
        a = i * math.pi / 5
        _crayon(draw, rng, [(cx + 68 * math.cos(a), cy + 68 * math.sin(a)),
                            (cx + 105 * math.cos(a), cy + 105 * math.sin(a))], "orange", 8)


def _child(draw, rng, x, y, colour: str) -> None:
    """A stick child standing (or sitting) with its feet at y."""
    _circle(draw, rng, x, y - 150, 28, "black", 7)
    _crayon(draw, rng, [(x, y - 122), (x, y - 50)], colour, 12)
    _crayon(draw, rng, [(x - 45, y - 115), (x, y - 95), (x + 45, y - 115)], colour, 8)
    _crayon(draw, rng, [(x - 30, y), (x, y - 50), (x + 30, y)], "black", 8)


def child_drawing(rng: random.Random, subject: str) -> bytes:
    """A crayon drawing on paper: a swing, sunflowers or a lamp at night, with a child."""
    image = Image.new("RGB", (900, 675), PAPER)
    draw = ImageDraw.Draw(image)
    for _ in range(900):  # the paper's grain
        x, y = rng.randrange(900), rng.randrange(675)
        draw.point((x, y), fill=(236, 232, 220))
    ground = 560
    grass = [(i * 90, ground + rng.randint(-12, 12)) for i in range(11)]
    _crayon(draw, rng, grass, "green", 14)
    for x in range(20, 900, 34):
        _crayon(draw, rng, [(x, ground + 6), (x + 8, ground - 22)], "green", 6)
    if subject == "lamp":
        _scribble(draw, rng, (0, 0, 900, 150), "blue", gap=16)
        _scribble(draw, rng, (735, 62, 785, 118), "yellow", gap=9)
        _circle(draw, rng, 760, 90, 40, "orange", 7)
        for sx, sy in ((120, 60), (260, 110), (420, 50), (560, 120)):
            _crayon(draw, rng, [(sx - 14, sy), (sx + 14, sy)], "yellow", 6)
            _crayon(draw, rng, [(sx, sy - 14), (sx, sy + 14)], "yellow", 6)
        _crayon(draw, rng, [(330, ground), (330, 230)], "black", 14)
        _crayon(draw, rng, [(290, 230), (370, 230), (350, 190), (310, 190), (290, 230)],
                "black", 9)
        for end_x in range(210, 460, 40):  # the light shining down
            _crayon(draw, rng, [(330, 240), (end_x, 420)], "yellow", 7)
        _child(draw, rng, 560, ground - 5, "pink")
    else:
        _sun(draw, rng, 120 + rng.randint(0, 20), 120)
        bird = [(560, 100), (600, 80), (650, 95), (690, 80), (730, 105)]
        _crayon(draw, rng, bird, "blue", 8)
    if subject == "swing":
        _crayon(draw, rng, [(360, ground), (470, 190), (580, ground)], "brown", 14)
        _crayon(draw, rng, [(700, ground), (790, 190), (880, ground)], "brown", 14)
        _crayon(draw, rng, [(450, 192), (810, 192)], "brown", 16)
        for x in (560, 720):
            _crayon(draw, rng, [(x - 30, 195), (x - 30, 420)], "black", 5)
            _crayon(draw, rng, [(x + 30, 195), (x + 30, 420)], "black", 5)
            _crayon(draw, rng, [(x - 45, 425), (x + 45, 425)], "red", 14)
        _child(draw, rng, 560, 470, "purple")
        _child(draw, rng, 200, ground - 5, "blue")
    elif subject == "flowers":
        for x in (300, 440, 580, 720):
            top = 260 + rng.randint(-30, 30)
            _crayon(draw, rng, [(x, ground), (x + rng.randint(-10, 10), top)], "green", 10)
            _crayon(draw, rng, [(x, top + 120), (x + 45, top + 95)], "green", 8)
            _circle(draw, rng, x, top, 52, "yellow", 16)
            _scribble(draw, rng, (x - 24, top - 24, x + 24, top + 24), "brown", gap=9)
        _child(draw, rng, 160, ground - 5, "red")
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@demo_story.connect
def _kids_part(seeder):
    return KidsSeeder(seeder)
