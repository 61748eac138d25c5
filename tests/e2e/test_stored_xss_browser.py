"""Stored XSS, seen by Chromium: every text field a person can fill (found by the form
crawl, not listed) is fed the blns strings and our corpus (tests/xss_corpus.py), and the
pages that show it are opened: no dialog fires, no script runs, no element appears that
the same page does not have with plain text.

1. Each form with text fields is posted once through HTTP with a marker and a hostile
   probe in its fields (the world put back before each). Where the markers land in the
   database is where the field is stored; a field whose form refuses the probe but
   takes the bare marker is validated (it cannot hold markup) and is left out.
2. Every row of each column that took the probe gets, in bulk, its marker alone, then
   its marker followed by the next payloads that fit in the column (markup first; in
   JSON text, inside its strings), so a page listing rows shows several payloads.
3. The pages that show a marker are found by opening every page as every person; each
   is opened in Chromium with the markers alone (the page's own elements), then with
   the payloads. Scripts would run if they got in: the browser ignores the CSP here
   (bypass_csp), so this tests the escaping, not the policy that backs it up.
"""
from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
from sqlalchemy import String, Text, select, update

from app.extensions import db

from .. import forms_world, xss_corpus
from ..conftest import PASSWORD
from ..factories import Factory
from ..figures import report
from ..forms_crawl import crawl_once, open_as, parse_page, post_form, reopen, sensible, visit

pytestmark = pytest.mark.browser

PREFIX = "zqx"
PROBE = f'<img src=x onerror="{xss_corpus.RUN}">'
# Roles whose pages are opened to find where text shows (the kiosk, an unverified member
# and an outsider see nothing the others do not).
READERS = ("staff", "admin", "chair", "council", "resident", "guardian", "anonymous")
# Elements text may legitimately add: comments turn lines into <p>/<br> and web
# addresses into links marked rel="… ugc" (whose addresses are checked separately).
TEXT_TAGS = {"a.ugc", "p", "br"}
TEXT_ROOM = 6000  # characters of payloads per row of an unbounded text column

AUDIT_JS = r"""() => {
  const tags = {}, bad = [];
  const count = k => { tags[k] = (tags[k] || 0) + 1; };
  for (const e of document.querySelectorAll('*')) {
    const tag = e.tagName.toLowerCase();
    count(tag === 'a' && /\bugc\b/.test(e.rel) ? 'a.ugc' : tag);
    for (const a of e.attributes) {
      if (a.name.startsWith('hx-') || a.name.startsWith('data-hx')) count('@' + a.name);
      if (/^on/i.test(a.name)) bad.push(`${e.tagName} ${a.name}`);
      if (/^(href|src|action|formaction|xlink:href|data|srcdoc|poster)$/i.test(a.name)
          && /^\s*(javascript|vbscript|data:text)/i.test(a.value))
        bad.push(`${e.tagName} ${a.name}=${a.value.slice(0, 40)}`);
    }
  }
  for (const s of document.scripts) {
    const u = s.src ? new URL(s.src) : null;
    if (!u || u.origin !== location.origin || !u.pathname.startsWith('/static/'))
      bad.push('script ' + (s.src || s.textContent.slice(0, 40)));
  }
  const foreign = 'iframe,frame,object,embed,base,meta[http-equiv],style,link[rel=import]';
  for (const e of document.querySelectorAll(foreign)) bad.push(e.tagName);
  const links = [...document.querySelectorAll('a')].filter(a => !/\bugc\b/.test(a.rel))
    .map(a => a.outerHTML.slice(0, 160));
  return {tags, bad, links, xss: typeof window.__xss !== 'undefined'};
}"""


class Clock:
    def __init__(self):
        self.laps, self.last = [], time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps.append(f"{name} {now - self.last:.0f} s")
        self.last = now

    def __str__(self) -> str:
        return ", ".join(self.laps)


@dataclass
class TextField:
    form: str
    name: str
    marker: str
    columns: set = field(default_factory=set)  # (table, column) where it is stored
    takes_markup: bool = False


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)) and not column.primary_key:
                yield table, column


def stored_at(markers: set[str], tables: set[str]) -> dict[str, set]:
    """Marker → the (table, column) pairs of these tables that hold it."""
    found = defaultdict(set)
    for table, column in _text_columns():
        if table.name not in tables:
            continue
        for (value,) in db.session.execute(select(column).where(column.contains(PREFIX))):
            for marker in markers:
                if marker in value:
                    found[marker].add((table.name, column.name))
    db.session.commit()
    return found


def learn(app, world, snap, spec, counter, base: dict) -> list[TextField]:
    """Post the form with markers (and the probe) in its text fields; see where they land
    and whether each field takes markup. A field the form refuses text in (an amount)
    gets a number instead, and is left out."""
    names = [f.name for f in spec.user_fields if f.is_text and f.kind != "password"]
    fields = {n: TextField(str(spec), n, f"{PREFIX}{next(counter)}q") for n in names}
    fixed: dict[str, str] = {}

    def post(probe: set) -> tuple[dict | None, list[str]]:
        forms_world.restore(snap)
        client, form = reopen(app, spec, world)
        if form is None:
            return None, []
        body = dict(sensible(form), **fixed)
        for n, tf in fields.items():
            if n not in fixed:
                body[n] = f"{tf.marker} {PROBE}" if n in probe else tf.marker
        response = post_form(client, form, body)
        if response.status_code >= 400:
            return None, parse_page(response.get_data(as_text=True)).invalid
        after = forms_world.fingerprint()
        return stored_at({tf.marker for tf in fields.values()},
                         {t for t in after if after[t] != base.get(t)}), []

    found, refused = post(set(names))
    if found is None and set(refused) & set(names):
        fixed.update({n: "100" for n in refused if n in names})
        found, refused = post(set(names) - set(fixed))
    if found is not None:
        for n, tf in fields.items():
            tf.columns, tf.takes_markup = found.get(tf.marker, set()), n not in fixed
        return list(fields.values())
    found = post(set())[0] or {}
    for n, tf in fields.items():
        tf.columns = found.get(tf.marker, set())
        tf.takes_markup = bool(tf.columns) and post({n})[0] is not None
    return list(fields.values())


def _with(value: str, marker: str, extra: str) -> str:
    """The text with the marker (and the payloads) added; in JSON text, to its strings."""
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        parsed = None
    if isinstance(parsed, (dict, list)):
        def walk(node):
            if isinstance(node, str):
                return f"{node} {marker}{extra}"
            if isinstance(node, dict):
                return {k: walk(v) for k, v in node.items()}
            return [walk(v) for v in node] if isinstance(node, list) else node
        return json.dumps(walk(parsed), ensure_ascii=False)
    return f"{marker}{extra}"


def _chunks(payloads, room: int, cursor: int) -> tuple[list[str], int]:
    """The next payloads, in turn, that fit in `room` characters (one a line)."""
    chunk, size = [], 0
    for _ in range(len(payloads)):
        p = payloads[cursor % len(payloads)]
        if size + len(p) + 1 > room:
            if chunk:
                break
        else:
            chunk.append(p)
            size += len(p) + 1
        cursor += 1
    return chunk, cursor


def fill(columns: dict[tuple, str], payloads=()) -> tuple[int, dict]:
    """Give every row of each column its marker, and the next payloads that fit within
    the column's length (as PostgreSQL would enforce; long text up to TEXT_ROOM), so a
    page listing several rows shows several payloads. Returns the rows written and the
    payloads each column got."""
    tables = {t.name: t for t in db.metadata.sorted_tables}
    rows, placed = 0, defaultdict(set)
    for (table_name, column_name), marker in columns.items():
        table = tables[table_name]
        column, pk = table.c[column_name], list(table.primary_key.columns)
        room = (getattr(column.type, "length", None) or TEXT_ROOM) - len(marker) - 1
        cursor = 0
        for row in db.session.execute(select(*pk, column)).all():
            chunk, cursor = _chunks(payloads, room, cursor) if payloads else ([], 0)
            placed[table_name, column_name].update(chunk)
            text = "".join("\n" + p for p in chunk)
            db.session.execute(update(table).where(*(c == k for c, k in zip(pk, row[:-1])))
                               .values({column_name: _with(row[-1] or "", marker, text)}))
            rows += 1
    db.session.commit()
    return rows, placed


def pages_showing(app, world, markers: set[str]) -> dict[tuple, tuple]:
    """The pages to open: {key: (role, url, markers seen)}. Per route, the variant and
    person showing the most markers, then others only for markers not yet seen there."""
    by_route = defaultdict(list)
    for role, page, url, html, _client in visit(app, world, READERS):
        seen = frozenset(m for m in markers if m in html)
        if seen:
            by_route[page[:2]].append((len(seen), role, page, url, seen))
    chosen = {}
    for route, found in by_route.items():
        covered: set[str] = set()
        for _n, role, page, url, seen in sorted(found, key=lambda f: -f[0]):
            if seen - covered:
                covered |= seen
                chosen[(route, json.dumps(page[2:], sort_keys=True), role)] = (role, url, seen)
    return chosen


def _browser_context(browser, app, base_url, world, role):
    context = browser.new_context(bypass_csp=True, locale="en-US", viewport={"width": 1280,
                                                                            "height": 900})
    context.set_default_timeout(15_000)
    if world.roles[role].username is not None:
        client, _pages = open_as(app, world.roles[role], world.values)
        name = app.config.get("SESSION_COOKIE_NAME", "session")
        cookie = client.http.get_cookie(name)
        context.add_cookies([{"name": name, "value": cookie.value, "url": base_url}])
    return context


def open_all(browser, app, base_url, world, pages) -> dict[tuple, dict]:
    """Open each page in Chromium (one tab per person, reused): its elements, what is
    wrong, the dialogs, and how long it took."""
    tabs, contexts, results = {}, [], {}
    dialogs: list[str] = []
    try:
        for key, (role, url, _seen) in pages.items():
            if role not in tabs:
                contexts.append(_browser_context(browser, app, base_url, world, role))
                tabs[role] = contexts[-1].new_page()
                tabs[role].on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page, began = tabs[role], time.monotonic()
            dialogs.clear()
            response = page.goto(base_url + url, wait_until="load")
            page.wait_for_timeout(100)  # onerror, ontoggle, SVG animations fire after load
            found = page.evaluate(AUDIT_JS)
            found.update(status=response.status if response else 0, dialogs=list(dialogs),
                         seconds=time.monotonic() - began)
            results[key] = found
    finally:
        for context in contexts:
            context.close()
    return results


def test_stored_text_never_becomes_markup_in_chromium(live_app, browser, pytestconfig):
    base_url, app = live_app
    clock = Clock()
    payloads = xss_corpus.payloads()
    with app.app_context():
        world = forms_world.build(Factory(PASSWORD))
        forms = crawl_once(app, world).forms
        snap = forms_world.snapshot()
        clock.lap("world and crawl")
        counter, base = iter(range(1, 10_000)), forms_world.fingerprint()
        fields = [tf for spec in forms if any(f.is_text and f.kind != "password"
                                               for f in spec.user_fields)
                  for tf in learn(app, world, snap, spec, counter, base)]
        markup = [tf for tf in fields if tf.takes_markup and tf.columns]
        columns = {}
        for tf in markup:
            for column in sorted(tf.columns):
                columns.setdefault(column, tf.marker)
        assert len(columns) >= 20, f"too few stored text columns found: {sorted(columns)}"
        clock.lap("posting markers")
        forms_world.restore(snap)
        fill(columns)
        pages = pages_showing(app, world, set(columns.values()))
        shown = set().union(*(seen for _r, _u, seen in pages.values()))
        clock.lap("finding pages")
        plain = open_all(browser, app, base_url, world, pages)
        forms_world.restore(snap)
        rows, placed = fill(columns, payloads)
        hostile = open_all(browser, app, base_url, world, pages)
        clock.lap("Chromium")

    problems = []
    for key, (role, url, _seen) in pages.items():
        before, after = plain[key], hostile[key]
        if after["status"] != 200:
            problems.append(f"{url} as {role}: {after['status']} with the payloads")
            continue
        if after["dialogs"] or after["xss"]:
            problems.append(f"{url} as {role}: script ran {after['dialogs'][:3]}")
        extra_bad = Counter(after["bad"]) - Counter(before["bad"])
        if extra_bad:
            problems.append(f"{url} as {role}: {sorted(extra_bad)[:5]}")
        grown = {t: n - before["tags"].get(t, 0) for t, n in after["tags"].items()
                 if n > before["tags"].get(t, 0) and t not in TEXT_TAGS}
        if grown:
            links = sorted((Counter(after["links"]) - Counter(before["links"])).elements()) \
                if "a" in grown else []
            problems.append(f"{url} as {role}: new elements {grown} {links[:4]}")
    unshown = sorted({tf.form + "." + tf.name for tf in markup if tf.marker in
                      set(columns.values()) and tf.marker not in shown})
    validated = sorted(f"{tf.form}.{tf.name}" for tf in fields if not tf.takes_markup)
    report(pytestconfig, f"\nstored XSS: {len(fields)} text fields, {len(markup)} take markup, "
           f"{len(columns)} columns ({rows} rows), {len(set().union(*placed.values()))} of "
           f"{len(payloads)} payloads (per column {min(map(len, placed.values()))} to "
           f"{max(map(len, placed.values()))}), {len(pages)} pages opened twice; {clock}; "
           f"stored but shown nowhere: {unshown}; refuse markup or not stored: {validated}")
    assert len(pages) >= 30, "too few pages show the stored text: is the crawl broken?"
    assert not problems, "\n".join(problems)
