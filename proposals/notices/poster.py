"""Fitting a notice onto one A4 poster for the 公告栏.

The poster is a fixed A4 box (static/css/notices.css: 210 × 297 mm, 14 mm padding, a
header, the text, and a footer with the period and the QR code). The text gets the
largest type it fits in, judged by counting lines the way a browser breaks them
(a Chinese character is one em wide, Latin letters and digits about half); a text too
long even for the smallest type is cut, and the poster says the full text is online.
The stylesheet also clips the text box, so the poster never spills onto a second page.
The sizes here and in the stylesheet must agree.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

PT = 25.4 / 72  # mm per point
WIDTH_MM = 210 - 2 * 14  # the poster's inner width
FIXED_MM = 297 - 2 * 14 - 26 - 56 - 4  # less the header and footer (without the title), gaps
# (class, size in pt, line height) from the largest down; the CSS uses the same values.
TITLE_SIZES = (("xl", 26, 1.3), ("l", 20, 1.3), ("m", 16, 1.3))
TEXT_SIZES = (("xl", 18, 1.5), ("l", 15, 1.5), ("m", 13, 1.5), ("s", 11.5, 1.45),
              ("xs", 10, 1.4))
SLACK = 0.94  # a browser keeps some punctuation off a line's start: fill lines to 94 %


@dataclass(frozen=True)
class PosterText:
    title_size: str
    text_size: str
    paragraphs: list[str]
    cut: bool  # the text was too long and is cut: the full text is online


def _width(text: str) -> float:
    """Width in ems."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55
               for ch in text)


def _per_line(pt: float) -> float:
    return WIDTH_MM / (pt * PT) * SLACK


def _lines(paragraphs: list[str], pt: float) -> int:
    per_line = _per_line(pt)
    return sum(max(1, math.ceil(_width(p) / per_line)) for p in paragraphs)


def _fit_title(title: str) -> tuple[str, float]:
    for key, pt, height in TITLE_SIZES:
        lines = _lines([title], pt)
        if lines <= 2 or key == TITLE_SIZES[-1][0]:
            return key, lines * pt * PT * height


def _cut(paragraphs: list[str], pt: float, max_lines: int) -> list[str]:
    """As many whole paragraphs as fit, then the start of the next one and "…"."""
    per_line, kept, used = _per_line(pt), [], 0
    for p in paragraphs:
        need = max(1, math.ceil(_width(p) / per_line))
        if used + need > max_lines:
            room = (max_lines - used) * per_line - 1
            part, width = "", 0.0
            for ch in p:
                width += _width(ch)
                if width > room:
                    break
                part += ch
            if part:
                kept.append(part.rstrip() + "…")
            elif kept:
                kept[-1] = kept[-1].rstrip() + "…"
            break
        kept.append(p)
        used += need
    return kept


def fit(title: str, text: str) -> PosterText:
    title_size, title_mm = _fit_title(title)
    room_mm = FIXED_MM - title_mm
    paragraphs = text.replace("\r\n", "\n").split("\n")
    for key, pt, height in TEXT_SIZES:
        max_lines = int(room_mm // (pt * PT * height))
        if _lines(paragraphs, pt) <= max_lines:
            return PosterText(title_size, key, paragraphs, False)
    key, pt, height = TEXT_SIZES[-1]
    # One line is kept for the note that the full text is online.
    max_lines = int(room_mm // (pt * PT * height)) - 1
    return PosterText(title_size, key, _cut(paragraphs, pt, max_lines), True)
