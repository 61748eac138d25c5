"""GET /_bare: a fixed string through the app's whole middleware, for bench/pages.py.

It is the ceiling a page is compared with (same gunicorn, same hooks, no database), so it
exists only when the server is started with BENCH_BARE=1: production never has it.
"""
from __future__ import annotations

import os

from flask import Blueprint

from .access import access

bp = Blueprint("bench", __name__)


@bp.get("/_bare")
@access("system")
def bare():
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8",
                         "Cache-Control": "no-store"}


def wanted() -> bool:
    return os.environ.get("BENCH_BARE") == "1"
