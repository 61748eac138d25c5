"""Pages for people who are not signed in, drawn once and kept until something changes.

Most reads of a neighbourhood site are anonymous: a link opened from a WeChat group, the
idea list on a phone, a thread followed without an account. Those pages are the same for
everyone with the same language and 长辈模式 setting, so each worker keeps the last drawn
copy of each (URL, language, mode, htmx target) and sends it again while nothing in its
community has changed.

"Changed" is a counter per community (and one for the whole site) in the live markers
(deliberation/live.py: a database row, or a Redis key when REDIS_URL is set, so every
worker and machine sees the same): every transaction that writes rows of a community
bumps that community's counter when it commits; rows that name no community bump the
site's. A new comment, a support, a hidden comment, a stage change: the next anonymous
request draws the page afresh. Copies also expire after PAGE_CACHE_SECONDS, for what
changes with the clock alone (a round that opens at nine).

Never kept: anything for a signed-in person, a kiosk or a page with a message waiting
(flash), a page that drew a form token or set a cookie, anything but a 200 HTML answer.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from threading import Lock

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from .access import rule_of
from .extensions import db

MAX_ENTRIES = 2000
MAX_BYTES = 24 * 1024 * 1024  # per worker: the city's pages fit, memory stays small
MAX_PAGE = 512 * 1024
SITE = "pages:site"
_KEPT_COOKIES = {"lang", "elder"}
_HTMX = ("HX-Request", "HX-Target", "HX-Boosted", "HX-History-Restore-Request")
_COMMUNITIES = "pagecache_communities"


def channel(community_id: int | None) -> str:
    return SITE if community_id is None else f"pages:{community_id}"


class Store:
    """A small LRU of drawn pages, bounded by count and bytes; shared by a worker's
    threads."""

    def __init__(self):
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = Lock()

    def get(self, key, epoch, now: float):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] != epoch or item[1] < now:
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return item[2]

    def put(self, key, epoch, expires: float, page) -> None:
        with self._lock:
            self._drop(key)
            self._items[key] = (epoch, expires, page)
            self._bytes += len(page[2])
            while len(self._items) > MAX_ENTRIES or self._bytes > MAX_BYTES:
                self._drop(next(iter(self._items)))

    def _drop(self, key) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self._bytes -= len(item[2][2])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def _seconds() -> int:
    return current_app.config["SETTINGS"].page_cache_seconds


def _eligible() -> bool:
    if request.method != "GET" or _seconds() <= 0:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or rule_of(view) == "system":
        return False  # health checks must reach the database themselves; files are apart
    if "_user_id" in session or "_flashes" in session:
        return False
    if request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"):
        return False  # the view answers 304s itself (projector screens)
    name = current_app.config.get("SESSION_COOKIE_NAME", "session")
    return all(cookie in _KEPT_COOKIES or cookie == name for cookie in request.cookies)


def _key() -> tuple:
    return (request.full_path, str(get_locale()), request.cookies.get("elder", ""),
            *(request.headers.get(h, "") for h in _HTMX))


def _epoch() -> tuple:
    from deliberation import live
    community = getattr(g, "community", None)
    mine = live.version(channel(community.id)) if community is not None else 0
    return (live.version(SITE), mine)


def _lookup():
    g.page_cache_key = None
    if not _eligible():
        return None
    try:
        key, epoch = _key(), _epoch()
    except Exception:  # the counters are out of reach: draw the page (its view says why)
        db.session.rollback()
        current_app.logger.warning("page cache: change counters unreadable", exc_info=True)
        return None
    page = current_app.extensions["page_cache"].get(key, epoch, time.monotonic())
    if page is None:
        g.page_cache_key, g.page_cache_epoch = key, epoch
        return None
    status, headers, body = page
    response = current_app.response_class(body, status=status, headers=headers)
    response.headers["X-Page-Cache"] = "hit"
    return response


def _keep(response):
    key = getattr(g, "page_cache_key", None)
    if key is None or not _storable(response):
        return response
    headers = [(k, v) for k, v in response.headers.items()
               if k in ("Content-Type", "Vary", "HX-Trigger", "Content-Language")]
    page = (response.status_code, headers, response.get_data())
    current_app.extensions["page_cache"].put(key, g.page_cache_epoch,
                                             time.monotonic() + _seconds(), page)
    return response


def _storable(response) -> bool:
    cache = response.cache_control
    return (response.status_code == 200 and response.mimetype == "text/html"
            and not response.direct_passthrough and "Set-Cookie" not in response.headers
            and not cache.no_store and not cache.private and not session.modified
            and "csrf_token" not in g and "_user_id" not in session
            and (response.content_length or 0) <= MAX_PAGE)


# --- bumping the counters when rows change -------------------------------------------------

# Rows without a community_id belong to the community of the first of these they hang from
# (a comment → its thread, a choice → its ballot → its round …).
_PARENTS = ("thread", "idea", "round", "meeting", "project", "outcome", "notice",
            "decision", "comment", "ballot", "participation", "item", "membership", "entry")


def _community_of(session_, obj, depth: int = 0) -> int | None:
    """Read from what is loaded, never lazily: this runs inside a flush."""
    state = inspect(obj)
    value = state.dict.get("community_id")
    if value is not None or depth > 3:
        return value
    relationships = state.mapper.relationships
    for name in _PARENTS:
        if name not in relationships:
            continue
        parent = state.dict.get(name)
        if parent is None:
            key = state.dict.get(f"{name}_id")
            if key is None:
                continue
            with session_.no_autoflush:
                parent = session_.get(relationships[name].mapper.class_, key)
        if parent is not None:
            return _community_of(session_, parent, depth + 1)
    return None


def _noted(session_) -> set:
    return session_.info.setdefault(_COMMUNITIES, set())


@event.listens_for(Session, "after_flush")
def _after_flush(session_, _context):
    from deliberation.models import ChangeMarker
    noted = _noted(session_)
    for obj in (*session_.new, *session_.dirty, *session_.deleted):
        if isinstance(obj, ChangeMarker) or (obj in session_.dirty
                                             and not session_.is_modified(obj)):
            continue
        try:
            noted.add(channel(_community_of(session_, obj)))
        except Exception:  # bookkeeping must never stop a write: draw everything again
            noted.add(SITE)


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state):
    """UPDATE/INSERT/DELETE statements sent past the unit of work: the table says little
    about the community, so the whole site's pages are drawn again."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        # Only the site's own tables (not the counters themselves) show on its pages.
        name = getattr(table, "name", "")
        if name != "change_marker" and name in db.metadata.tables:
            _noted(state.session).add(SITE)


@event.listens_for(Session, "before_commit")
def _before_commit(session_):
    if session_.in_nested_transaction():
        return  # a savepoint: bumped once, with the real commit
    session_.flush()  # commit flushes after this event: note those rows too
    channels = session_.info.pop(_COMMUNITIES, None)
    if not channels:
        return
    from deliberation import live
    for name in sorted(channels):
        live.publish(name)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session_):
    if not session_.in_nested_transaction():
        session_.info.pop(_COMMUNITIES, None)


def init(app: Flask) -> None:
    app.extensions["page_cache"] = Store()
    app.before_request(_lookup)
    app.after_request(_keep)
