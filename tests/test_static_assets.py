"""Static files are named by their content, cached for a year, sent compressed, and the
first load of a page stays light (issue 10: at most 60 KB of CSS and JS compressed)."""
from __future__ import annotations

import gzip
import hashlib
import re

from app.settings import ROOT

ASSET = re.compile(r'(?:href|src)="(/static/[^"?]+)(?:\?v=([0-9a-f]+))?"')
LINKED = re.compile(r'<(?:link rel="stylesheet" href|script[^>]* src)="(/static/[^"]+)"')
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
BUDGET_KB = 60


def assets_on(html: str) -> list[tuple[str, str]]:
    return ASSET.findall(html)


def test_every_static_url_on_a_page_names_its_content(app, make, client):
    c = make.community()
    html = client.get(f"/c/{c.slug}/").get_data(as_text=True)
    found = assets_on(html)
    assert len(found) >= 3
    for path, version in found:
        data = (ROOT / path.lstrip("/")).read_bytes()
        assert version == hashlib.sha256(data).hexdigest()[:12], path


def test_a_named_version_is_cached_for_a_year_and_sent_compressed(app, client):
    path = "/static/vendor/htmx.min.js"
    data = (ROOT / path.lstrip("/")).read_bytes()
    url = f"{path}?v={hashlib.sha256(data).hexdigest()[:12]}"
    answer = client.get(url, headers=GZIP)
    assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(answer.data) == data
    assert len(answer.data) < len(data) / 2
    cache = answer.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    assert answer.headers["Vary"] == "Accept-Encoding"
    again = client.get(url, headers={**GZIP, "If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304

    plain = client.get(url)  # a client that cannot unzip gets the bytes themselves
    assert plain.data == data and "Content-Encoding" not in plain.headers


def test_an_unnamed_or_old_version_is_revalidated(app, client):
    for url in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        answer = client.get(url)
        assert answer.status_code == 200 and "no-cache" in answer.headers["Cache-Control"]
        assert "immutable" not in answer.headers["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304


def test_a_changed_file_gets_a_new_name(app):
    probe = ROOT / "static" / "css" / "zz-probe-for-tests.css"
    try:
        names = []
        for body in ("a { color: red }", "a { color: blue }"):
            probe.write_text(body)
            with app.test_request_context():
                from flask import url_for
                names.append(url_for("static", filename="css/zz-probe-for-tests.css"))
        assert names[0] != names[1]
    finally:
        probe.unlink(missing_ok=True)


def test_static_files_carry_no_session_even_for_signed_in_staff(app, make, client):
    c = make.community()
    client.login(make.user(c, "staff"))
    answer = client.http.get("/static/css/site.css?v=x")
    assert "Set-Cookie" not in answer.headers
    assert "Cookie" not in answer.headers.get("Vary", "")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_paths_outside_static_are_not_found(app, client):
    for url in ("/static/../app/settings.py", "/static/%2e%2e/wsgi.py", "/static/nope.css"):
        assert client.get(url).status_code == 404


def test_the_first_load_of_the_main_pages_is_light(app, make, client):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    r = make.round(c)
    client.login(make.user(c))
    for page in (f"/c/{c.slug}/", f"/c/{c.slug}/ideas", f"/c/{c.slug}/ideas/{idea.id}",
                 f"/c/{c.slug}/rounds/{r.id}/ballot"):
        html = client.get(page).get_data(as_text=True)
        urls = set(LINKED.findall(html))
        assert urls, page
        total = sum(len(client.get(url, headers=GZIP).data) for url in urls)
        assert total <= BUDGET_KB * 1024, f"{page}: {total / 1024:.1f} KB of CSS+JS"
