"""Security headers, and the rule that lets the CSP forbid inline code: no template, script
or Python-made HTML carries inline script, inline style, `hx-on`, `javascript:` or `js:`
values, and htmx runs without eval wherever it is loaded."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.settings import ROOT

from .conftest import make_settings

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
SCRIPTS = sorted((ROOT / "static" / "js").glob("*.js"))
PYTHON = sorted(p for folder in ("app", "proposals", "deliberation")
                for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)
# Written to disk by `flask kids cards` for printing, never served: its stylesheet is inline
# so that it works opened from a folder, and the site's CSP never applies to it.
NOT_SERVED = {ROOT / "templates" / "kids" / "cards_sheet.html"}

FORBIDDEN_IN_MARKUP = {
    "hx-on": re.compile(r"\bhx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "js: value": re.compile(r"""["'{,]\s*js:""", re.I),
    "hx-vars (evaluated)": re.compile(r"\bhx-vars\b", re.I),
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "style attribute": re.compile(r"\sstyle=", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "inline event handler": re.compile(r"""<[^>]*\son[a-z]+\s*=\s*["']""", re.I),
}
FORBIDDEN_IN_SCRIPTS = {
    "hx-on": re.compile(r"hx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"""setAttribute\(\s*["']style|\sstyle=""", re.I),
    "eval": re.compile(r"\beval\(|new Function\(|set(Timeout|Interval)\(\s*[\"']"),
    "innerHTML from strings": re.compile(r"\.(inner|outer)HTML\s*="),
}
FORBIDDEN_IN_PYTHON = {  # HTML made in Python (Markup, SVG charts, QR codes)
    "inline <script>": re.compile(r"<script"),
    "style attribute": re.compile(r"""\sstyle=["']"""),
    "hx-on": re.compile(r"hx-on[:-]"),
    "javascript: URL": re.compile(r"javascript:"),
}


def offences(paths, patterns) -> list[str]:
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for what, pattern in patterns.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}: {match.group(0)!r}")
    return found


def test_templates_carry_no_inline_code_or_style():
    assert len(TEMPLATES) > 100  # the glob found the templates
    assert offences([t for t in TEMPLATES if t not in NOT_SERVED], FORBIDDEN_IN_MARKUP) == []


def test_the_patterns_catch_what_they_are_for():
    samples = ['<button hx-on:click="x()">', '<a href="javascript:alert(1)">',
               """<div hx-vals='js:{a: 1}'>""", "<script>alert(1)</script>",
               '<p style="color: red">', "<style>p {}</style>", '<img onerror="x()">']
    hits = {what for what, pattern in FORBIDDEN_IN_MARKUP.items()
            for sample in samples if pattern.search(sample)}
    assert hits == set(FORBIDDEN_IN_MARKUP) - {"hx-vars (evaluated)"}
    assert FORBIDDEN_IN_MARKUP["inline <script>"].search('<script src="/s.js" defer>') is None


def test_scripts_and_python_made_html_carry_none_either():
    assert SCRIPTS and PYTHON
    assert offences(SCRIPTS, FORBIDDEN_IN_SCRIPTS) == []
    assert offences(PYTHON, FORBIDDEN_IN_PYTHON) == []


def test_the_only_unserved_template_is_rendered_by_the_cli_alone():
    users = [p for p in PYTHON if "cards_sheet.html" in p.read_text(encoding="utf-8")]
    assert [p.name for p in users] == ["kids_cli.py"]


def _htmx_config(text: str) -> dict:
    match = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", text)
    assert match, "no htmx-config meta"
    return json.loads(match.group(1))


def test_every_page_that_loads_htmx_configures_it_without_eval():
    loading = [t for t in TEMPLATES if "vendor/htmx.min.js" in t.read_text(encoding="utf-8")]
    assert ROOT / "templates" / "base.html" in loading
    for template in loading:
        text = template.read_text(encoding="utf-8")
        config = _htmx_config(text)
        assert config["allowEval"] is False, template
        assert config["includeIndicatorStyles"] is False, template
        # Polls are marked as background there too, so they do not keep a session alive.
        assert "js/session-timeout.js" in text, template


def test_a_served_page_has_the_config_and_no_inline_code(app, client):
    html = client.get("/login").get_data(as_text=True)
    config = _htmx_config(html)
    assert config["allowEval"] is False and config["includeIndicatorStyles"] is False
    assert FORBIDDEN_IN_MARKUP["inline <script>"].search(html) is None
    assert FORBIDDEN_IN_MARKUP["style attribute"].search(html) is None


def test_security_headers_on_pages_fragments_errors_and_files(app, client):
    answers = [client.get("/"), client.get("/login", headers={"HX-Request": "true"}),
               client.get("/no-such-page"), client.get("/static/js/session-timeout.js")]
    for response in answers:
        csp = {d.split()[0]: d.split()[1:] for d in
               response.headers["Content-Security-Policy"].split("; ")}
        assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_hsts_only_over_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://yishiting.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("proxies, hsts", [(0, False), (1, True)])
def test_https_behind_nginx_is_believed_only_through_a_trusted_proxy(tmp_path, proxies, hsts):
    """nginx ends TLS and says so in X-Forwarded-Proto; only a trusted proxy is believed."""
    settings = replace(make_settings(tmp_path, "sqlite"), trusted_proxies=proxies)
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
        db.engine.dispose()
    assert ("Strict-Transport-Security" in response.headers) is hsts
    cookie = response.headers["Set-Cookie"]  # the CSRF token's session
    assert ("; Secure" in cookie) is hsts


def test_no_file_is_missing_from_the_scan():
    # Templates in any folder under templates/, scripts directly in static/js.
    assert {p.parent.name for p in TEMPLATES} >= {"templates", "accounts", "errors", "meetings"}
    assert Path(ROOT / "static" / "js" / "session-timeout.js") in SCRIPTS
