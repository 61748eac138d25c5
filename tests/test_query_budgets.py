"""Query budgets: no page sends more SQL statements when it shows more rows (no N+1).

Every GET route of app.url_map is opened by the most privileged role the access table
lets in (and by a plain resident too), the world is grown with several more of every
row a page lists, and the page is opened again: its statement count must not grow.
"""
from __future__ import annotations

import time

from .access_world import community_world, people, site_values, values_for
from .grow_world import grow
from .query_growth import get_rules, measure, repeated, roles_for
from .test_access_matrix import Visitor, build, values_of

# Routes not measured, each with the reason. A route listed here that no longer exists
# fails the test, so the list cannot rot; a GET route neither measured nor listed fails.
EXCLUDED: dict[str, str] = {}

# Pages that show something only once it is over (the world's meeting is live, its
# round open): opened on the closed ones grow_world makes, {argument: value key}.
OVER = {"meetings.minutes": {"meeting_id": "closed_meeting_id"},
        "rounds.results": {"round_id": "closed_round_id"},
        "rounds.results_csv": {"round_id": "closed_round_id"},
        "rounds.results_progress": {"round_id": "closed_round_id"}}


def _pages(app):
    for rule in get_rules(app):
        if rule.endpoint in EXCLUDED:
            continue
        for role in roles_for(app, rule, gate_only=rule.endpoint in OVER):
            yield rule, role


def _values(rule, role, home_values, site) -> dict:
    values = {"slug": "home", **home_values}
    values.update({arg: home_values[key] for arg, key in OVER.get(rule.endpoint, {}).items()})
    return values_of(rule, values_for(role, values), site)


def _measure_all(app, pages, visitors, home_values, site):
    counts = {}
    for rule, role in pages:
        url = build(rule, _values(rule, role, home_values, site))
        counts[(rule.endpoint, role)] = (url, *measure(visitors[role], url))
    return counts


def test_every_get_route_is_measured_or_excluded(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    stale = sorted((set(EXCLUDED) | set(OVER)) - endpoints)
    assert not stale, f"EXCLUDED or OVER name routes that no longer exist: {stale}"
    measured = {rule.endpoint for rule, _role in _pages(app)}
    silent = sorted(r.endpoint for r in get_rules(app)
                    if r.endpoint not in measured and r.endpoint not in EXCLUDED)
    assert not silent, f"GET routes nobody opens in the query budgets: {silent}"


def test_no_page_sends_more_queries_for_more_rows(app, make, new_client):
    started = time.monotonic()
    home = community_world(make, "home")
    other = make.community(slug="other")
    cast = people(make, home, other)
    site = site_values(make, home)
    pages = list(_pages(app))
    visitors = {role: Visitor(new_client(), cast[role], role, home)
                for role in {role for _rule, role in pages}}
    # Grown once first, so that every kind of row is there before the count (a
    # relationship loaded only when it has rows is one statement, not one per row).
    grow(make, home, site, 0)
    before = _measure_all(app, pages, visitors, home.values, site)
    grow(make, home, site, 1)
    after = _measure_all(app, pages, visitors, home.values, site)
    grown, broken = [], []
    for key, (url, status, statements) in after.items():
        _url, status_before, statements_before = before[key]
        if status >= 400 or status_before >= 400:
            broken.append(f"{key}: {url} answered {status_before} then {status}")
        if len(statements) > len(statements_before):
            grown.append(f"{key[0]} as {key[1]} ({url}): {len(statements_before)} -> "
                         f"{len(statements)} statements\n    "
                         + "\n    ".join(repeated(statements_before, statements)))
    print(f"{len(after)} pages measured in {time.monotonic() - started:.1f} s")
    assert not broken, "\n".join(broken)
    assert not grown, f"{len(grown)} pages send more statements for more rows:\n" + \
        "\n".join(grown)
