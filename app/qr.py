"""A QR code as an inline SVG drawn by segno, safe under our CSP (the meeting screen's join
code, the notice and outcome posters).

segno's `svg_inline` writes only presentation attributes (`fill`, `stroke`, `d`), never a
`style` attribute or element, so `style-src 'self'` has nothing to block; `_checked`
refuses any output that would, should a later segno change that. With `omitsize` the
SVG has a viewBox and no width/height: the stylesheet decides how big it is drawn.
"""
from __future__ import annotations

import re
from functools import lru_cache

import segno
from markupsafe import Markup, escape

_STYLED = re.compile(r"<style|\sstyle=", re.IGNORECASE)


def _checked(svg: str) -> str:
    if _STYLED.search(svg):
        raise ValueError("segno wrote a style, which the CSP would block")
    return svg


# The code changes every 30 s but the screen redraws on every change of the meeting:
# the same URL is drawn many times in a row, and drawing it is most of a fragment's cost.
@lru_cache(maxsize=64)
def qr_svg(url: str, *, label: str, css_class: str = "qr") -> Markup:
    """The QR code of `url`, labelled for screen readers (`label` is plain text)."""
    # Error correction M: a projector's glare or a phone held at an angle still reads it.
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(omitsize=True, border=2, dark="#000", light="#fff",
                          svgclass=css_class, lineclass=None)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" '
                               'shape-rendering="crispEdges" ', 1)
    return Markup(_checked(svg))  # nosec B704: segno's SVG (checked: no styles); the label is escaped
