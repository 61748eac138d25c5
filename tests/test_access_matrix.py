"""The access control matrix: every route of `app.url_map`, opened by every role, gives
the answer declared in access_table.TABLE; and no object of one community is reached
through another community's URLs (IDOR), whatever id argument a route takes.

Each role runs in its own world (a fresh database), so that what an allowed POST
changes cannot alter another role's answers. POSTs carry a valid CSRF token and an
empty form (or the harmless one of access_table.BODIES): someone refused must get the
declared refusal, someone allowed anything but a refusal or a server error.
"""
from __future__ import annotations

import pytest

from app.access import rule_of
from proposals.kids import kiosk

from .access_table import BODIES, NOT_FOUND, NOT_OBJECTS, OK, TABLE, expected
from .access_world import ROLES, community_world, people, site_values, values_for
from .figures import report

# POSTs that end what later requests need go last (deleting the comment; kiosk_start signs
# staff out on the tablet, kiosk_end ends the kiosk; the session), the rest by endpoint.
LAST = ("deliberation.delete", "kids.kiosk_end", "kids.kiosk_start",
        "accounts.change_password", "accounts.delete_account", "accounts.logout")


def requests(app):
    """(rule, method) for every route, GETs first, session-ending POSTs last."""
    pairs = [(rule, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    last = {endpoint: n for n, endpoint in enumerate(LAST, start=1)}
    return sorted(pairs, key=lambda p: (p[1] != "GET", last.get(p[0].endpoint, 0),
                                        p[0].endpoint))


def build(rule, values) -> str:
    missing = [a for a in rule.arguments if a not in values]
    assert not missing, f"{rule.endpoint}: the access world has no value for {missing}"
    return rule.build({a: values[a] for a in rule.arguments}, append_unknown=False)[1]


def is_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def answer_matches(want: str, method: str, response) -> bool:
    status = response.status_code
    if status >= 500:
        return False
    if want == "login":
        return is_login(response)
    if want != OK:
        return status == int(want)
    if is_login(response):
        return False
    if method == "GET":
        return status < 400
    return status not in (401, 403, 404)


class Visitor:
    """A browser as one role: signed in (or holding the kiosk cookie), with a CSRF token."""

    def __init__(self, client, user, role: str, home):
        self.client, self.user, self.role = client, user, role
        if role == "kiosk":
            client.http.set_cookie(kiosk.COOKIE, home.kiosk_token,
                                   path=kiosk.cookie_path(home.community))
        self.sign_in()

    def sign_in(self):
        if self.user is not None:
            self.client.login(self.user)
        self.token = self.client.csrf_token("/account" if self.user else "/login")

    def signed_in(self) -> bool:
        with self.client.http.session_transaction() as session:
            return bool(session.get("_user_id"))

    def send(self, method: str, url: str, body: dict | None = None):
        if method == "GET":
            return self.client.http.get(url)
        response = self.client.http.post(url, data={**(body or {}), "csrf_token": self.token})
        if self.user is not None and not self.signed_in():
            self.sign_in()  # a logout or kiosk start: the next request is the role again
        return response


def values_of(rule, home_values: dict, site: dict) -> dict:
    return home_values if "slug" in rule.arguments else site


def test_every_route_is_declared_in_the_table(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    missing = sorted(endpoints - TABLE.keys())
    stale = sorted(TABLE.keys() - endpoints)
    assert not missing, f"routes missing from tests/access_table.py: {missing}"
    assert not stale, f"tests/access_table.py declares routes that do not exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_the_role_as_declared(app, backend, make, client, role,
                                                  pytestconfig):
    home = community_world(make, "home")
    other = make.community(slug="other")
    cast = people(make, home, other)
    site = site_values(make, home)
    home_values = values_for(role, {"slug": "home", **home.values})
    visitor = Visitor(client, cast[role], role, home)
    wrong, sent = [], 0
    for rule, method in requests(app):
        if rule.endpoint not in TABLE:
            wrong.append(f"{rule.endpoint}: not declared in tests/access_table.py")
            continue
        url = build(rule, values_of(rule, home_values, site))
        want = expected(rule.endpoint, rule_of(app.view_functions[rule.endpoint]), role,
                        method)
        response = visitor.send(method, url, BODIES.get(rule.endpoint))
        sent += 1
        if not answer_matches(want, method, response):
            got = response.status_code
            where = response.headers.get("Location", "")
            wrong.append(f"{rule.endpoint} {method} {url}: declared {want}, got {got} {where}")
    assert sent > 150
    report(pytestconfig, f"access matrix ({backend}) {role}: {sent} routes")
    assert not wrong, f"{role}: {len(wrong)} of {sent} answers differ:\n" + "\n".join(wrong)


def object_arguments(rule) -> list[str]:
    return [a for a in sorted(rule.arguments) if a != "slug" and a not in NOT_OBJECTS]


# Who opens a route of the other community: the first of these the table lets in, so
# that the 404 is the object's and not a refusal of the person (a console is its chair's,
# a child's profile its guardian's, a screen its link holder's).
OPENERS = ("staff", "admin", "chair", "guardian", "owner", "resident", "projector")


def opener(app, rule, method: str) -> str:
    view_rule = rule_of(app.view_functions[rule.endpoint])
    return next((role for role in OPENERS
                 if expected(rule.endpoint, view_rule, role, method) == OK), "staff")


def test_objects_of_another_community_are_not_found_through_its_urls(app, backend, make,
                                                                     new_client, pytestconfig):
    """People of the other community open their own URLs with one argument at a time
    swapped for an object of home: 404 for GET and POST. The same URLs with their own
    objects open (so the 404 comes from the swapped argument, not from a broken URL)."""
    home = community_world(make, "home")
    other = community_world(make, "other")
    visitors = {}
    own = {"slug": "other", **other.values}
    wrong, cases = [], 0
    for rule, method in requests(app):
        arguments = object_arguments(rule) if "slug" in rule.arguments else []
        if not arguments:
            continue
        role = opener(app, rule, method)
        if role not in visitors:
            visitors[role] = Visitor(new_client(), other.cast.get(role), role, other)
        visitor = visitors[role]
        if method == "GET" and expected(rule.endpoint, rule_of(app.view_functions[
                rule.endpoint]), role, "GET") == OK:
            response = visitor.send("GET", build(rule, own))
            if not answer_matches(OK, "GET", response):
                wrong.append(f"{rule.endpoint}: its own objects answer {role} "
                             f"{response.status_code}")
        for argument in arguments:
            url = build(rule, {**own, argument: home.values[argument]})
            response = visitor.send(method, url, BODIES.get(rule.endpoint))
            cases += 1
            if response.status_code != int(NOT_FOUND):
                wrong.append(f"{rule.endpoint} {method} {url} as {role} ({argument} of "
                             f"home): {response.status_code}")
    assert cases > 150
    report(pytestconfig, f"IDOR ({backend}): {cases} cases, each id of another community")
    assert not wrong, f"{len(wrong)} of {cases} cases reach another community:\n" + \
        "\n".join(wrong)

