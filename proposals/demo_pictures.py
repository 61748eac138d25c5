"""The pictures seed-demo draws instead of photographs: scenes of a neighbourhood (sky,
ground, a row of buildings, the thing an idea is about) and sheets of paper (a receipt,
a notice on the 公告栏). Pillow draws them from the story's random stream, so two seeds
draw the same pictures."""
from __future__ import annotations

import random
from io import BytesIO

from PIL import Image, ImageDraw

# Photo scenes: sky, ground and the colour of what the photo is about.
SCENES = {
    "charging": ((150, 190, 230), (120, 120, 115), (40, 160, 90)),
    "square": ((170, 210, 240), (200, 70, 60), (240, 240, 240)),
    "roof": ((110, 120, 135), (90, 80, 75), (60, 90, 150)),
    "ceiling": ((225, 220, 205), (180, 170, 150), (120, 105, 70)),
    "lift": ((160, 200, 235), (150, 150, 150), (200, 200, 210)),
    "party": ((250, 215, 160), (170, 110, 70), (230, 170, 40)),
    # The same places when the work is done (proposals.demo_projects' outcome photos).
    "charging-after": ((160, 205, 240), (150, 150, 145), (30, 190, 100)),
    "square-after": ((175, 215, 245), (220, 60, 50), (255, 255, 255)),
    "roof-after": ((150, 195, 235), (95, 85, 80), (170, 60, 50)),
    "party-after": ((250, 220, 170), (190, 130, 80), (250, 200, 60)),
}


def scene_photo(rng: random.Random, scene: str) -> bytes:
    """A simple picture for an idea: sky, ground, a row of buildings, the thing itself."""
    sky, ground, accent = SCENES[scene]
    image = Image.new("RGB", (960, 720), sky)
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(400, 470)
    draw.rectangle((0, horizon, 960, 720), fill=ground)
    x = rng.randint(-40, 10)
    while x < 960:
        width, height = rng.randint(120, 210), rng.randint(170, 340)
        wall = tuple(rng.randint(170, 225) for _ in range(3))
        draw.rectangle((x, horizon - height, x + width, horizon), fill=wall)
        for wy in range(horizon - height + 20, horizon - 30, 42):
            for wx in range(x + 14, x + width - 24, 34):
                draw.rectangle((wx, wy, wx + 18, wy + 24), fill=(90, 110, 130))
        x += width + rng.randint(12, 40)
    for _ in range(rng.randint(4, 8)):
        left, top = rng.randint(20, 860), rng.randint(horizon + 20, 640)
        draw.rounded_rectangle((left, top, left + rng.randint(40, 90), top + rng.randint(30, 70)),
                               radius=8, fill=accent)
    out = BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


PAPERS = {"receipt": ((250, 250, 245), (200, 40, 40)),  # paper, stamp
          "board": ((245, 240, 225), (190, 30, 30))}


def paper_photo(rng: random.Random, kind: str) -> bytes:
    """A receipt, or a notice on the 公告栏: a sheet with lines of text and a red mark."""
    paper, mark = PAPERS[kind]
    image = Image.new("RGB", (720, 960), (120, 110, 100) if kind == "board" else (90, 90, 95))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 660, 900), fill=paper)
    if kind == "board":
        draw.rectangle((60, 60, 660, 170), fill=mark)
    for y in range(220 if kind == "board" else 120, 800, 38):
        draw.rectangle((100, y, 100 + rng.randint(300, 520), y + 14), fill=(70, 70, 70))
    draw.ellipse((450, 700, 610, 860), outline=mark, width=10)
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
