"""Links shared in a WeChat group show a title, a line of text and a picture: every page
carries Open Graph tags, with absolute URLs that answer."""
from __future__ import annotations

from html.parser import HTMLParser

from proposals.models import IdeaPhoto

from . import outcomes_factories as of


class Meta(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.og: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.og[key] = attrs.get("content", "")


def tags(client, url: str) -> dict:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return Meta(answer.get_data(as_text=True)).og


def served(client, app, absolute: str) -> bool:
    base = app.config["SETTINGS"].public_url
    assert absolute.startswith(base + "/"), absolute
    return client.get(absolute[len(base):]).status_code == 200


def test_every_main_page_has_a_preview_that_points_at_real_files(app, make, client):
    c = make.community(slug="hh", name="和平里社区")
    c.description = "和平里的居民议事厅"
    idea = make.idea(c, stage="deliberating", title="楼道装感应灯")
    for url in ("/", f"/c/{c.slug}/", f"/c/{c.slug}/ideas", f"/c/{c.slug}/ideas/{idea.id}",
                f"/c/{c.slug}/rounds/", f"/c/{c.slug}/notices/", "/login"):
        og = tags(client, url)
        assert og["og:title"] and og["og:description"] and og["og:site_name"], url
        assert og["description"].startswith(og["og:description"].rstrip("."))
        assert served(client, app, og["og:image"]), url
        assert og["og:url"] == app.config["SETTINGS"].public_url + url
    home = tags(client, f"/c/{c.slug}/")
    assert home["og:title"] == "和平里社区" and home["og:description"] == "和平里的居民议事厅"


def test_an_idea_is_shown_with_its_words_and_its_photo(app, make, client):
    from proposals.photos import process_photo, store
    from proposals.services import photo_folder

    from .images import jpeg_bytes
    c = make.community(slug="hh")
    idea = make.idea(c, stage="deliberating", title="楼道装感应灯",
                     description="晚上楼道太黑，" * 40)
    photo = process_photo(jpeg_bytes(), max_bytes=10_000_000, max_pixels=10_000_000)
    idea.photos.append(IdeaPhoto(filename=store(photo, photo_folder()), width=photo.width,
                                 height=photo.height))
    from app.extensions import db
    db.session.commit()
    og = tags(client, f"/c/hh/ideas/{idea.id}")
    assert og["og:title"] == "楼道装感应灯"
    assert og["og:description"].startswith("晚上楼道太黑") and len(og["og:description"]) <= 153
    assert og["og:image"].endswith(f"/media/ideas/{idea.photos[0].filename}")
    assert served(client, app, og["og:image"])


def test_an_outcome_is_shown_with_its_after_photo(app, make, client):
    c = make.community(slug="cn")
    outcome = of.published(make, c, make.user(c, "staff"))
    og = tags(client, f"/c/cn/outcomes/{outcome.id}")
    assert og["og:title"] == outcome.title
    assert served(client, app, og["og:image"])
