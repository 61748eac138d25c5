"""Query budgets: open every GET page, grow the world, open it again, compare.

The pages and who opens them come from the access matrix (app.url_map, access_table),
so a page added later is measured without anyone remembering to add it here.
"""
from __future__ import annotations

import re
from collections import Counter

from app.access import rule_of

from .access_table import GATE, OK, expected
from .querycount import counted_queries

# Who opens a page: the most privileged role the table lets in, and also the plain
# resident when that is someone else (a resident's page often takes another path).
PRIVILEGE = ("admin", "staff", "chair", "council", "site_admin", "guardian", "owner",
             "resident", "unverified", "projector", "kiosk", "outsider", "anonymous")

# Parts whose pages show a person's own rows, opened by that person as well.
OWNERS = {"kids": ("guardian",)}


def get_rules(app):
    return sorted((r for r in app.url_map.iter_rules()
                   if r.endpoint != "static" and "GET" in r.methods),
                  key=lambda r: r.endpoint)


def roles_for(app, rule, *, gate_only: bool = False) -> list[str]:
    """Who opens the page. With `gate_only`, whoever its @access rule lets in, for a
    page the table refuses only because of the world's state (a meeting still live)."""
    view_rule = rule_of(app.view_functions[rule.endpoint])
    allowed = [role for role in PRIVILEGE
               if (GATE[view_rule][role] is None if gate_only
                   else expected(rule.endpoint, view_rule, role, "GET") == OK)]
    if not allowed:
        return []
    chosen = [allowed[0]]
    for role in ("resident", *OWNERS.get(rule.endpoint.split(".")[0], ())):
        if role in allowed and role not in chosen:
            chosen.append(role)
    return chosen


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|%\(\w+\)s|\?|\$\d+|%s")
_IN_LISTS = re.compile(r"\(\s*(?:_, *)*_\s*\)|\(\s*__\[POSTCOMPILE_\w+\]\s*\)")


def shape(statement: str) -> str:
    """A statement with its literals and parameters blanked, to spot the repeated one."""
    text = _LITERALS.sub("_", " ".join(statement.split()))
    return _IN_LISTS.sub("(_)", text)


def repeated(before: list[str], after: list[str], limit: int = 3) -> list[str]:
    """The statement shapes sent more often after growing, most grown first."""
    grown = Counter(map(shape, after))
    grown.subtract(Counter(map(shape, before)))
    worst = [(n, s) for s, n in grown.items() if n > 0]
    worst.sort(key=lambda pair: -pair[0])
    return [f"+{n}x {_short(s)}" for n, s in worst[:limit]]


def _short(statement: str, keep: int = 160) -> str:
    """The start (which table) and the end (which condition) of a long statement."""
    if len(statement) <= 2 * keep:
        return statement
    return f"{statement[:keep]} ... {statement[-keep:]}"


def measure(visitor, url: str) -> tuple[int, list[str]]:
    """Status and statements of one GET of `url`."""
    with counted_queries() as statements:
        response = visitor.send("GET", url)
    return response.status_code, statements
