"""Comment text to HTML: escaped, line breaks kept, web links made clickable.

Nothing a user types becomes markup. The text is escaped first; we add only <p>, <br>
and <a href="http(s)://…">; nh3 then cleans the result with exactly that allowance,
so a mistake in the linkifier cannot let anything else through.
"""
from __future__ import annotations

import re

import nh3
from markupsafe import Markup, escape

# Stops at whitespace, quotes, angle brackets and full-width punctuation that ends a
# Chinese sentence, so "看这里https://a.cn/x。" links only the address.
_URL = re.compile(r"https?://[^\s<>\"'（）【】，。；：！？、]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"
MAX_LENGTH = 5000


def _line(raw: str) -> str:
    """One line: text escaped, each address turned into an escaped link."""
    out, last = [], 0
    for match in _URL.finditer(raw):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        out.append(str(escape(raw[last:match.start()])))
        out.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = end
    out.append(str(escape(raw[last:])))
    return "".join(out)


def render(text: str) -> Markup:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    html = "".join("<p>" + "<br>".join(_line(line) for line in p.split("\n")) + "</p>"
                   for p in paragraphs)
    cleaned = nh3.clean(html, tags={"p", "br", "a"}, attributes={"a": {"href"}},
                        url_schemes={"http", "https"}, link_rel="nofollow noopener noreferrer ugc")
    return Markup(cleaned)  # nosec B704: sanitised by nh3 just above
