"""Handing in, listing, searching and supporting ideas over HTTP."""
from __future__ import annotations

from io import BytesIO

from sqlalchemy import func, select

from app.extensions import db
from proposals.models import Idea, IdeaPhoto, IdeaSupport

from .images import gps_exif, jpeg_bytes

GOOD = {"title": "万航渡路759弄安装非机动车充电桩", "category": "safety",
        "description": "飞线充电太危险，建议在弄堂一侧集中安装充电桩。", "place": "759弄东侧"}


def idea_count() -> int:
    return db.session.scalar(select(func.count(Idea.id)))


def hand_in(client, slug, **fields):
    data = dict(GOOD, **fields)
    return client.post(f"/c/{slug}/ideas/new", data, token_from=f"/c/{slug}/ideas/new",
                       content_type="multipart/form-data")


def test_member_hands_in_an_idea_with_a_photo(app, make, client):
    c = make.community()
    client.login(make.user(c, verified=False))
    photo = (BytesIO(jpeg_bytes(exif=gps_exif())), "家门口.jpg")
    response = hand_in(client, c.slug, photos=[photo], estimated_cost="12,800.50")
    assert response.status_code == 303
    idea = db.session.scalars(select(Idea)).one()
    assert idea.stage == "submitted" and idea.estimated_cost_fen == 1_280_050
    stored = idea.photos[0]
    assert stored.filename.endswith(".jpg") and "家门口" not in stored.filename
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert GOOD["title"] in page and stored.filename in page
    image = client.get(f"/media/ideas/{stored.filename}")
    assert image.status_code == 200 and b"PhoneMaker" not in image.data


def test_bad_input_gives_422_and_stores_nothing(app, make, client):
    c = make.community()
    client.login(make.user(c))
    cases = [dict(title=""), dict(title="x" * 81), dict(category="spaceship"),
             dict(estimated_cost="12.345"), dict(estimated_cost="-5"), dict(estimated_cost="一千"),
             dict(description=""), dict(building_id="999999")]
    for fields in cases:
        response = hand_in(client, c.slug, **fields)
        assert response.status_code == 422, fields
        assert 'class="error"' in response.get_data(as_text=True)
    assert idea_count() == 0


def test_non_image_upload_is_refused_with_a_message(app, make, client):
    c = make.community()
    client.login(make.user(c))
    response = hand_in(client, c.slug, photos=[(BytesIO(b"MZ\x90\x00 evil"), "photo.jpg")])
    assert response.status_code == 422
    assert "JPEG" in response.get_data(as_text=True)
    assert idea_count() == 0 and db.session.scalar(select(func.count(IdeaPhoto.id))) == 0


def test_seven_photos_are_refused(app, make, client):
    c = make.community()
    client.login(make.user(c))
    photos = [(BytesIO(jpeg_bytes()), f"p{i}.jpg") for i in range(7)]
    assert hand_in(client, c.slug, photos=photos).status_code == 422
    assert idea_count() == 0


def test_oversized_request_is_413(app, make, client):
    c = make.community()
    client.login(make.user(c))
    big = BytesIO(b"\xff" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    assert hand_in(client, c.slug, photos=[(big, "big.jpg")]).status_code == 413
    assert idea_count() == 0


def test_search_finds_chinese_substrings_and_filters(app, make, client):
    c = make.community()
    make.idea(c, title="安装非机动车充电桩", category="safety")
    make.idea(c, title="睦邻小广场翻新塑胶地面", category="children", stage="deliberating")
    body = client.get(f"/c/{c.slug}/ideas?q=充电").get_data(as_text=True)
    assert "充电桩" in body and "小广场" not in body
    body = client.get(f"/c/{c.slug}/ideas?stage=deliberating").get_data(as_text=True)
    assert "小广场" in body and "充电桩" not in body
    body = client.get(f"/c/{c.slug}/ideas?category=safety&q=广场").get_data(as_text=True)
    assert "小广场" not in body and "充电桩" not in body


def test_search_treats_like_wildcards_literally(app, make, client):
    c = make.community()
    make.idea(c, title="楼道照明")
    assert "楼道照明" not in client.get(f"/c/{c.slug}/ideas?q=%25").get_data(as_text=True)


def test_htmx_gets_only_the_results_fragment(app, make, client):
    c = make.community()
    make.idea(c, title="加装电梯")
    response = client.get(f"/c/{c.slug}/ideas?q=电梯", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="idea-results"') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    full = client.get(f"/c/{c.slug}/ideas?q=电梯")
    assert "<html" in full.get_data(as_text=True) and "HX-Request" in full.headers["Vary"]


def test_pagination_and_nonsense_filters(app, make, client):
    c = make.community()
    for i in range(25):
        make.idea(c, title=f"点子{i:02d}")
    first = client.get(f"/c/{c.slug}/ideas").get_data(as_text=True)
    second = client.get(f"/c/{c.slug}/ideas?page=2").get_data(as_text=True)
    assert first.count("idea-card") == 20 and second.count("idea-card") == 5
    for query in ("page=abc", "page=-3", "page=99999", "building=x", "stage=<script>"):
        assert client.get(f"/c/{c.slug}/ideas?{query}").status_code == 200


def test_support_is_toggled_once_per_verified_resident(app, make, client):
    c = make.community()
    idea = make.idea(c)
    client.login(make.user(c))
    url = f"/c/{c.slug}/ideas/{idea.id}/support"
    token_page = f"/c/{c.slug}/ideas/{idea.id}"
    for _ in range(2):
        assert client.post(url, token_from=token_page).status_code == 303
        client.post(url, token_from=token_page)
    client.post(url, token_from=token_page)
    assert db.session.scalar(select(func.count(IdeaSupport.id))) == 1
    fragment = client.post(url, token_from=token_page, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'id="support"' in fragment.get_data(as_text=True)
    assert db.session.scalar(select(func.count(IdeaSupport.id))) == 0


def test_withdrawn_ideas_take_no_support(app, make, client):
    c = make.community()
    idea = make.idea(c, stage="withdrawn")
    client.login(make.user(c))
    client.post(f"/c/{c.slug}/ideas/{idea.id}/support", token_from=f"/c/{c.slug}/ideas/{idea.id}")
    assert db.session.scalar(select(func.count(IdeaSupport.id))) == 0


def test_the_idea_list_costs_the_same_queries_for_5_or_20_ideas(app, make, client):
    from .querycount import counted_queries
    from proposals.models import IdeaPhoto
    counts = []
    for n in (5, 20):
        c = make.community()
        for i in range(n):
            idea = make.idea(c, title=f"点子{i}", building=c.buildings[i % 2])
            idea.photos.append(IdeaPhoto(filename=f"p{c.id}-{i}.jpg", width=4, height=3))
        db.session.commit()
        with counted_queries() as statements:
            assert client.get(f"/c/{c.slug}/ideas").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
