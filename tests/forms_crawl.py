"""Find every form of the app without a list: build a world with one of every kind of
object (forms_world.py), open every GET route of `app.url_map` as each kind of person,
and read the `<form method=post>` each page shows (action, fields, types, choices).

A form added later is found the same way, so the fuzz test covers it without anyone
remembering; a POST route that no page offers a form for makes that test fail.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from io import BytesIO
from types import SimpleNamespace
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from werkzeug.exceptions import HTTPException

from .conftest import PASSWORD, Client, _FreshContextClient
from .images import jpeg_bytes

# Fields a person types free text into.
TEXT_TYPES = {"text", "textarea", "search", "email", "url", "tel", "password"}
BUTTON_TYPES = {"submit", "reset", "image"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # an <input> type, "textarea", "select" or "button" (named submit buttons)
    value: str = ""  # what the page filled in
    options: tuple[str, ...] = ()  # choices of a select, radio group, checkboxes, buttons
    multiple: bool = False
    maxlength: int | None = None
    min: str = ""
    max: str = ""

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_TYPES


@dataclass
class FormSpec:
    endpoint: str
    action: str
    enctype: str
    fields: tuple[Field, ...]
    htmx: bool = False  # posted by htmx (hx-post) when JavaScript runs
    role: str = ""
    page: tuple = ()  # how to reach the page again: ("rule", rule, scene) and the like

    @property
    def key(self) -> tuple:
        return self.endpoint, tuple(sorted(f.name for f in self.fields))

    @property
    def multipart(self) -> bool:
        return "multipart" in self.enctype or any(f.kind == "file" for f in self.fields)

    @property
    def user_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.name != "csrf_token")

    def __str__(self) -> str:
        names = ",".join(f.name for f in self.user_fields)
        return f"{self.endpoint}({names}) as {self.role}"


class _FormParser(HTMLParser):
    """Collects <form method=post> and their fields, and same-site links. Radios,
    checkboxes and named buttons sharing a name become one field with options."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self.invalid: list[str] = []  # fields the page marks aria-invalid
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = {"action": a.get("action", ""), "enctype": a.get("enctype", ""),
                              "htmx": "hx-post" in a, "fields": {}}
                self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            self._option(a)
        if a.get("aria-invalid") == "true" and a.get("name"):
            self.invalid.append(a["name"])
        if self._form is None or "disabled" in a or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in BUTTON_TYPES:
                self._add(name, "button", a, a.get("value", ""))
            elif kind in ("checkbox", "radio"):
                self._add(name, kind, a, a.get("value", "on") if "checked" in a else "")
            else:
                self._add(name, kind, a, a.get("value", ""))
        elif tag == "button":
            self._add(name, "button", a, a.get("value", ""))
        elif tag == "select":
            self._select = self._add(name, "select", a, "", multiple="multiple" in a)
        elif tag == "textarea":
            self._textarea = self._add(name, "textarea", a, "")

    def _option(self, a):
        """An option; the select's value is its selected one, else its first."""
        value = a.get("value", "")
        self._select["options"].append(value)
        if "selected" in a or len(self._select["options"]) == 1:
            self._select["value"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # The browser drops the one line break right after <textarea>.
            value = self._textarea["value"]
            self._textarea["value"] = value[2:] if value.startswith("\r\n") \
                else value.removeprefix("\n")
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def _add(self, name, kind, attrs, value, multiple=False):
        fields = self._form["fields"]
        found = fields.get(name)
        if found is None:
            maxlength = attrs.get("maxlength", "")
            found = fields[name] = {"kind": kind, "value": "", "options": [],
                                    "multiple": multiple, "min": attrs.get("min", ""),
                                    "max": attrs.get("max", ""),
                                    "maxlength": int(maxlength) if maxlength.isdigit() else None}
        elif kind == "checkbox":
            found["multiple"] = True
        if kind in ("radio", "checkbox", "button"):
            option = attrs.get("value", "on") if kind != "button" else value
            if option not in found["options"]:
                found["options"].append(option)
        if value and not found["value"]:
            found["value"] = value
        return found


def parse_page(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser


def endpoint_of(app, path: str, method: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(urlsplit(path).path, method=method)[0]
    except HTTPException:
        return None


def forms_on(app, html: str, page_url: str) -> list[FormSpec]:
    """The post forms of a page whose action is a route of the app."""
    specs = []
    for raw in parse_page(html).forms:
        action = raw["action"] or page_url  # an empty action posts to the page itself
        endpoint = endpoint_of(app, action, "POST")
        if endpoint is None:
            continue
        fields = tuple(Field(name, f["kind"], f["value"], tuple(f["options"]), f["multiple"],
                             f["maxlength"], f["min"], f["max"])
                       for name, f in raw["fields"].items())
        specs.append(FormSpec(endpoint, action, raw["enctype"], fields, raw["htmx"]))
    return specs


def form_links(app, html: str) -> dict[tuple, str]:
    """Links with a query string to pages that are forms themselves (GET and POST), e.g.
    "open a notice on this candidate": {(endpoint, query keys): href}."""
    found = {}
    for href in parse_page(html).links:
        parts = urlsplit(href)
        if not parts.query:
            continue
        endpoint = endpoint_of(app, parts.path, "POST")
        if endpoint is not None and endpoint_of(app, parts.path, "GET") == endpoint:
            keys = tuple(sorted({k for k, _v in parse_qsl(parts.query)}))
            found.setdefault((endpoint, keys), href)
    return found


# --- the pages -------------------------------------------------------------------------

def page_rules(app):
    """GET routes, without the polling fragments ("…/live"): each is a part of the
    page above it, which shows the same forms."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint != "static" and "GET" in rule.methods \
                and not rule.rule.endswith("/live"):
            yield rule


def post_endpoints(app) -> list[str]:
    return sorted({r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods})


def scenes(rule, world) -> list[tuple[dict, dict]]:
    """(which variants, the values) once per variant of the ids this rule takes (a live
    meeting and a closed one, an open round and an upcoming one...)."""
    keys = [k for k in world.variants if k in rule.arguments]
    combos = itertools.product(*(range(len(world.variants[k])) for k in keys))
    return [(dict(zip(keys, combo)), world.scene(dict(zip(keys, combo)))) for combo in combos]


def build_url(rule, values: dict) -> str | None:
    if not set(rule.arguments) <= set(values):
        return None
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


@dataclass
class Role:
    """A kind of person: an account (or none) and steps taken after logging in, e.g.
    starting a kiosk; the pages those steps answer with are read for forms too."""

    username: str | None = None
    steps: Callable[[Client, dict], list[tuple[str, str, str]]] | None = None


def open_as(app, role: Role, values: dict) -> tuple[Client, list[tuple[str, str, str]]]:
    """A client for the role, and the (label, url, html) of the pages its steps showed."""
    client = Client(_FreshContextClient(app, use_cookies=True))
    if role.username is not None:
        client.login(SimpleNamespace(username=role.username))
    pages = role.steps(client, values) if role.steps else []
    return client, pages


@dataclass
class Crawl:
    forms: list[FormSpec] = field(default_factory=list)
    pages: int = 0  # pages read (answers 200 in HTML)


def visit(app, world, roles=None):
    """Every page of the world as each role: (role, how to reach it, url, html, the
    role's client). Pages a role's steps answered with come first; then every GET route
    in every variant."""
    rules = list(page_rules(app))
    for role_name, role in world.roles.items():
        if roles is not None and role_name not in roles:
            continue
        client, pages = open_as(app, role, world.values)
        for label, url, html in pages:
            yield role_name, ("step", label), url, html, client
        for rule in rules:
            for chosen, values in scenes(rule, world):
                url = build_url(rule, values)
                if url is None:
                    continue
                response = client.get(url)
                if response.status_code in (302, 403) or response.mimetype != "text/html":
                    break  # refused, or not a page: its other variants would be too
                if response.status_code == 200:
                    yield role_name, ("rule", rule.rule, chosen), url, \
                        response.get_data(as_text=True), client


def crawl(app, world) -> Crawl:
    """Every distinct form (endpoint × field names) the world's roles are shown, also
    on pages linked with a query string that are forms themselves."""
    found: dict[tuple, FormSpec] = {}
    result = Crawl()
    followed: set[tuple] = set()
    for role_name, page, url, html, client in visit(app, world):
        result.pages += 1
        _collect(app, found, html, url, role_name, page)
        if page[0] != "rule":
            continue
        for key, href in form_links(app, html).items():
            if (role_name, key) not in followed:
                followed.add((role_name, key))
                linked = client.get(href).get_data(as_text=True)
                result.pages += 1
                _collect(app, found, linked, href, role_name, ("link", *page[1:], key))
    result.forms = sorted(found.values(), key=lambda s: s.key)
    return result


_CRAWLED: list[Crawl] = []


def crawl_once(app, world) -> Crawl:
    """The forms do not depend on the database: one crawl serves the whole session."""
    if not _CRAWLED:
        _CRAWLED.append(crawl(app, world))
    return _CRAWLED[0]


def _collect(app, found, html, url, role_name, page):
    for spec in forms_on(app, html, url):
        if spec.key not in found:
            spec.role, spec.page = role_name, page
            found[spec.key] = spec


def reopen(app, spec: FormSpec, world) -> tuple[Client, FormSpec | None]:
    """Open the page of `spec` again as its role (in a world built or restored anew):
    a client in that role, and the form as the page shows it now (with its token)."""
    client, steps = open_as(app, world.roles[spec.role], world.values)
    if spec.page[0] == "step":
        shown = [(url, html) for label, url, html in steps if label == spec.page[1]]
    else:
        rule = next(r for r in page_rules(app) if r.rule == spec.page[1])
        url = build_url(rule, world.scene(spec.page[2]))
        html = client.get(url).get_data(as_text=True)
        if spec.page[0] == "link":
            url = form_links(app, html).get(spec.page[3], url)
            html = client.get(url).get_data(as_text=True)
        shown = [(url, html)]
    for url, html in shown:
        for fresh in forms_on(app, html, url):
            if fresh.key == spec.key:
                fresh.role, fresh.page = spec.role, spec.page
                return client, fresh
    return client, None


def sensible(form: FormSpec) -> dict:
    """What a careful person would send: the page's own values, the world's password,
    dates in order, a small photo. Often accepted; the first example of every form."""
    body, stamps = {}, 0
    for f in form.user_fields:
        if f.kind == "file":
            body[f.name] = (jpeg_bytes((64, 48)), "photo.jpg", "image/jpeg")
        elif f.kind == "password":
            body[f.name] = PASSWORD
        elif f.kind in ("datetime-local",):
            stamps += 1
            body[f.name] = f.value or (datetime.now() + timedelta(days=7 * stamps - 6)) \
                .isoformat(timespec="minutes")
        elif f.kind == "date":
            body[f.name] = f.value or date.today().isoformat()
        elif f.kind == "number":
            body[f.name] = f.value or f.min or "1"
        elif f.kind in ("select", "radio", "button"):
            # A placeholder ("", "0") is what the person is asked to change.
            body[f.name] = f.value if f.value not in ("", "0") else \
                next((o for o in f.options if o not in ("", "0")), f.value)
        elif f.kind == "checkbox":
            body[f.name] = list(f.options) if f.multiple else (f.options or ("y",))[0]
        elif f.kind == "textarea":
            body[f.name] = f.value.strip() or "楼道里的灯坏了，晚上很黑，希望尽快修好。"
        elif f.kind == "hidden":
            body[f.name] = f.value
        else:
            body[f.name] = f.value or "测试fuzz"
    return body


def post_form(client, form: FormSpec, body: dict, token: str | None = None,
              headers: dict | None = None):
    """Post `body` to the form as a browser would (files as (bytes, name, type))."""
    data = {k: _wire(v) for k, v in body.items()}
    data["csrf_token"] = token if token is not None else form_token(form)
    return client.http.post(form.action, data=data, headers=headers or {},
                            content_type="multipart/form-data" if form.multipart else None)


def form_token(form: FormSpec) -> str:
    return next((f.value for f in form.fields if f.name == "csrf_token"), "")


def _wire(value):
    if isinstance(value, tuple):
        return BytesIO(value[0]), value[1], value[2]
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value
