"""Posting is rate-limited per person (more for moderators), with a clear message."""
from __future__ import annotations

from dataclasses import replace

from app import create_app
from app.extensions import db

from .conftest import Client, _FreshContextClient, make_settings
from .factories import Factory


def test_residents_get_ten_comments_a_minute_and_moderators_more(tmp_path):
    app = create_app(replace(make_settings(tmp_path, "sqlite"), rate_limits=True))
    with app.app_context():
        db.create_all()
        make = Factory("neighbour-pass-1")
        c = make.community()
        idea = make.idea(c)
        page = f"/c/{c.slug}/ideas/{idea.id}"

        def eleven(user):
            client = Client(_FreshContextClient(app, use_cookies=True)).login(user)
            token = client.csrf_token(page)
            return [client.post(f"{page}/comments", {"csrf_token": token, "body": f"第{i}条",
                                                      "stance": "suggest"}) for i in range(11)]

        resident = eleven(make.user(c))
        assert [r.status_code for r in resident[:10]] == [303] * 10
        assert resident[10].status_code == 429
        assert "频繁" in resident[10].get_data(as_text=True) or \
            "Too many" in resident[10].get_data(as_text=True)
        # Another person is not affected by the first one's limit.
        assert eleven(make.user(c, "council"))[10].status_code == 303
