"""What a phone downloads on a page's first load: the HTML and the CSS+JS it names.

Both are counted gzip-compressed (level 9, as `gzip -9` makes the files nginx's
gzip_static serves), in KB of 1,000 bytes. The CSS+JS are the page's
`<link rel="stylesheet" href>` and `<script src>`, each fetched from the server once.
"""
from __future__ import annotations

import gzip
import urllib.parse
from html.parser import HTMLParser

from tests.meeting_server import fetch


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"])


def _gzip_bytes(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8"), 9))


def assets_of(html: str) -> list[str]:
    found = _Assets()
    found.feed(html)
    return list(dict.fromkeys(found.urls))


def first_load(base: str, path: str) -> dict:
    """{"html_kb", "page_weight_kb", "assets": [...]} of the page at `path`."""
    status, html = fetch(base + path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    compressed = 0
    assets = assets_of(html)
    for url in assets:
        full = urllib.parse.urljoin(base + path, url)
        if urllib.parse.urlsplit(full).netloc != urllib.parse.urlsplit(base).netloc:
            continue  # nothing is loaded from elsewhere; if it ever were, it is not ours
        got, text = fetch(full)
        if got != 200:
            raise RuntimeError(f"{url} (named by {path}) answered {got}")
        compressed += _gzip_bytes(text)  # each file travels compressed on its own
    return {"html_kb": round(_gzip_bytes(html) / 1000, 1),
            "page_weight_kb": round(compressed / 1000, 1), "assets": assets}
