"""One way to answer a page or its htmx fragment."""
from __future__ import annotations

from flask import make_response, redirect, render_template, url_for

from .extensions import htmx


def render(template: str, fragment: str | None = None, status: int = 200, **context):
    """Render `template`, or only `fragment` (a `_partial.html`) when htmx asks.

    Answers carry `Vary: HX-Request` so a cache never hands a fragment to a browser
    that asked for the page, or the other way round.
    """
    name = fragment if (fragment and htmx) else template
    response = make_response(render_template(name, **context), status)
    response.vary.add("HX-Request")
    return response


def see_other(location: str):
    """After a successful POST: 303 for browsers, HX-Location for htmx."""
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Location"] = location
        return response
    return redirect(location, code=303)


def see_other_endpoint(endpoint: str, **values):
    return see_other(url_for(endpoint, **values))
