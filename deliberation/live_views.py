"""Live threads: readers of a thread see new comments within seconds, without a reload.

How it works (no script of our own; htmx only, which works under `allowEval: false`):

- `_thread.html` holds the comments in `<div id="thread-comments">`, outside which the
  comment form sits. Inside it, a hidden poller asks every 2 seconds
  `GET …/thread/live?v=<the version the page shows>`.
- Unchanged: 204 No Content after one read of the channel's version (one small query on
  the change-marker row, or one Redis GET; besides it only the community lookup every
  /c/<slug>/ route makes); htmx does not swap on 204 (see responseHandling in base.html).
- Changed: 200 with the whole thread fragment; the poller picks `#thread-comments` out
  of it (`hx-select`) and swaps only that, so the comment form is never touched. The new
  part carries a new poller with the new version.
- A reply box is inside a comment, so a swap would close it. The poller therefore holds
  still while someone is writing there: its `hx-include` selects an always-invalid hidden
  input only when `#thread-comments` has an open box with a textarea, a required
  textarea with text, or keyboard focus (`:focus-visible`), and `hx-validate` makes htmx
  skip the request while that input is included (`hx-params="none"`: nothing typed is
  ever sent). `#thread-live-idle` is always matched, so htmx never logs "no matches".
  Once the reply is sent (the whole thread comes back) or the box is closed, polling
  goes on.
- Every worker sees the same version: it lives in the database (ChangeMarker) or Redis,
  never in process memory (see live.py). Without JavaScript nothing polls.
"""
from __future__ import annotations

from types import SimpleNamespace

from flask import abort, g, make_response, request

from app.access import access
from app.rendering import render

from . import live, services, topics
from .views import _idea, bp, thread_context


def _answer(channel: str, load_thread):
    """204 when the reader's version is current; otherwise the thread fragment."""
    current = live.version(channel)
    if request.args.get("v", type=int) == current:
        response = make_response("", 204)
    else:
        context = thread_context(load_thread())
        # The version read *before* the comments: the page may show more than its
        # version says (then it fetches once more), never less, so nothing is missed.
        context["live_version"] = current
        response = render("deliberation/_thread.html", **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _channel(*, idea_id: int | None = None, thread_id: int | None = None) -> str:
    # The channel is named from the URL alone, so an unchanged thread costs no lookup.
    return live.thread_channel(SimpleNamespace(idea_id=idea_id, id=thread_id))


@bp.get("/ideas/<int:idea_id>/thread/live")
@access("public")
def thread_live(idea_id: int):
    return _answer(_channel(idea_id=idea_id),
                   lambda: services.find_thread(_idea(idea_id)))


def _topic(thread_id: int):
    thread = topics.find_topic(g.community, thread_id)
    if thread is None:
        abort(404)
    return thread


@bp.get("/topics/<int:thread_id>/live")
@access("public")
def topic_live(thread_id: int):
    return _answer(_channel(thread_id=thread_id), lambda: _topic(thread_id))
