"""GET /healthz for load balancers and cron: touches the database (and Redis when set)."""
from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from .access import access
from .extensions import db

bp = Blueprint("health", __name__)


def _plain(body: str, status: int):
    return body + "\n", status, {"Content-Type": "text/plain; charset=utf-8",
                                 "Cache-Control": "no-store"}


@bp.get("/healthz")
@access("system")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:  # any failure to reach the database is "not healthy"
        db.session.rollback()
        return _plain(f"database unavailable: {type(exc).__name__}", 503)
    redis_url = current_app.config["SETTINGS"].redis_url
    if redis_url:
        import redis
        try:
            redis.Redis.from_url(redis_url, socket_timeout=2).ping()
        except Exception as exc:
            return _plain(f"redis unavailable: {type(exc).__name__}", 503)
    return _plain("ok", 200)
