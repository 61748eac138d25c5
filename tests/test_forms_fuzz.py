"""Hypothesis posts generated data to the idea form: never a 500, bad input stores nothing."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from app.extensions import db
from proposals.models import CATEGORIES, Idea

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "充电桩", "'; DROP TABLE idea;--",
           "\u202etxt.exe", "{{ 7*7 }}", "a" * 6000]
text = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120),
                 st.sampled_from(HOSTILE))
fields = st.fixed_dictionaries({}, optional={
    "title": text, "description": text,
    "category": st.one_of(st.sampled_from(CATEGORIES), text),
    "building_id": st.one_of(st.integers(-10, 10**12).map(str), text),
    "place": text, "estimated_cost": st.one_of(st.decimals(allow_nan=False).map(str), text),
    "changes_common_parts": st.sampled_from(["y", "on", "", "不"]),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=fields)
def test_idea_form_never_answers_500(app, make, data):
    slug = "fuzz"
    from app.community import Community
    community = Community.by_slug(slug) or make.community(slug=slug)
    author = make.user(community)
    from tests.conftest import Client, _FreshContextClient
    client = Client(_FreshContextClient(app, use_cookies=True)).login(author)
    before = db.session.scalar(select(func.count(Idea.id)))
    response = client.post(f"/c/{slug}/ideas/new", data, token_from=f"/c/{slug}/ideas/new",
                           content_type="multipart/form-data")
    after = db.session.scalar(select(func.count(Idea.id)))
    assert response.status_code in (303, 422), response.status_code
    assert after == before + (1 if response.status_code == 303 else 0)
    if response.status_code == 303:
        idea = db.session.scalars(select(Idea).order_by(Idea.id.desc())).first()
        page = client.get(f"/c/{slug}/ideas/{idea.id}")
        assert page.status_code == 200
        assert "<script>alert" not in page.get_data(as_text=True)
