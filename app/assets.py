"""Static files: named by their content, cached for a year, sent compressed.

Every `url_for("static", filename=...)` gains `?v=<hash of the file's bytes>`, so a page
always names the exact version it was drawn with. A request carrying the current hash
is answered with `Cache-Control: public, max-age=31536000, immutable`: a phone on a
slow community network fetches htmx and the style sheets once, and a new release changes
the names. Without the hash (or with a stale one) the file is sent `no-cache`, so it is
revalidated by its ETag. Text files go gzip-compressed to clients that accept it (the
bytes compressed once per worker and kept).

Flask serves these itself, so the app's security headers (app/headers.py) stay on them;
behind nginx, deploy/nginx.conf serves static/ directly with the same rules.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import mimetypes
from functools import lru_cache
from pathlib import Path

from flask import Flask, abort, current_app, request, send_file
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
COMPRESSED = {".css", ".js", ".svg", ".json", ".txt", ".html", ".map"}
VERSION = "v"


@lru_cache(maxsize=2048)
def _fingerprint(path: str, mtime_ns: int, size: int) -> tuple[str, bytes | None]:
    """(hash, gzip bytes or None), recomputed only when the file changes."""
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:12]
    packed = None
    if Path(path).suffix in COMPRESSED and size > 256:
        packed = gzip.compress(data, compresslevel=9, mtime=0)
    return digest, packed


def _file(filename: str) -> Path | None:
    joined = safe_join(current_app.static_folder, filename)
    if joined is None:
        return None
    path = Path(joined)
    return path if path.is_file() else None


def fingerprint(path: Path) -> tuple[str, bytes | None]:
    stat = path.stat()
    return _fingerprint(str(path), stat.st_mtime_ns, stat.st_size)


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint != "static" or VERSION in values or "filename" not in values:
        return
    path = _file(values["filename"])
    if path is not None:
        values[VERSION] = fingerprint(path)[0]


def serve(filename: str):
    path = _file(filename)
    if path is None:
        abort(404)
    digest, packed = fingerprint(path)
    current = request.args.get(VERSION) == digest
    gzip_ok = packed is not None and "gzip" in request.headers.get("Accept-Encoding", "")
    if gzip_ok:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        response = send_file(io.BytesIO(packed), mimetype=kind, etag=f"{digest}-gz",
                             last_modified=path.stat().st_mtime, conditional=True,
                             max_age=YEAR if current else 0)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = send_file(path, etag=digest, conditional=True,
                             max_age=YEAR if current else 0)
    if packed is not None:
        response.vary.add("Accept-Encoding")
    if current:
        response.cache_control.public = True
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response


class _Sessions(SecureCookieSessionInterface):
    """No session on static files: Flask-Login looks at the session after every request,
    which would add `Vary: Cookie`, and the session cookie changes every few seconds for
    staff (app/accounts/idle.py): browsers would refetch a file cached "for a year"."""

    def save_session(self, app, session, response) -> None:
        if request.endpoint != "static":
            super().save_session(app, session, response)


def init(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.view_functions["static"] = serve
    app.session_interface = _Sessions()
