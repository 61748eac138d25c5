"""The children's ballot over HTTP: a printed card's code and a guardian's phone. What a
child sees (picture cards that are real form controls, a picture for every refusal),
the statuses, and that a refusal changes nothing."""
from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from proposals.kids import codes
from proposals.kids.models import ChildBallot, ChildChoice

from .conftest import Client, _FreshContextClient, make_settings
from .factories import Factory
from .kids_factories import child, kids_round


class Page(HTMLParser):
    """The cards of a children's page (control, accessible name, picture, clip), its
    images, and anything the CSP would refuse."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.cards: list[dict] = []
        self.images: list[dict] = []
        self.hidden: dict[str, str] = {}
        self.problems: list[str] = []
        self._card: dict | None = None
        self._naming = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        classes = attrs.get("class", "").split()
        if "style" in attrs or any(k.startswith("on") for k in attrs):
            self.problems.append(f"inline style or handler on <{tag}>")
        if tag == "script" and not attrs.get("src"):
            self.problems.append("inline script")
        if tag == "label" and "kids-card" in classes:
            self._card = {"name": ""}
        elif tag == "input" and attrs.get("type") == "hidden":
            self.hidden[attrs["name"]] = attrs["value"]
        elif tag == "input" and self._card is not None:
            self._card.update(type=attrs["type"], value=attrs["value"],
                              checked="checked" in attrs)
        elif tag == "img":
            self.images.append(attrs)
            if self._card is not None:
                self._card["alt"], self._card["src"] = attrs["alt"], attrs["src"]
        elif tag == "span" and self._card is not None and "kids-hidden" in classes:
            self._naming = True
        elif tag == "audio" and "kids-card-clip" in classes:
            self.cards[-1]["clip"] = attrs["src"]

    def handle_endtag(self, tag):
        if tag == "label" and self._card is not None:
            self.cards.append(self._card)
            self._card = None
        if tag == "span":
            self._naming = False

    def handle_data(self, data):
        if self._naming:
            self._card["name"] += data.strip()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def card_url(c, r, code) -> str:
    return f"/c/{c.slug}/kids/rounds/{r.id}/card/{code}"


def picture_of(response) -> dict:
    """The picture message of a refusal: its picture (an img with an accessible name), its
    `src` without the content hash every static URL carries (app/assets.py)."""
    page = Page(response.get_data(as_text=True))
    pictures = [i for i in page.images if "/static/kids/messages/" in i["src"]]
    assert len(pictures) == 1, page.images
    src, _, version = pictures[0]["src"].partition("?v=")
    assert len(version) == 12
    return {**pictures[0], "src": src}


def test_a_card_opens_a_ballot_of_picture_radio_buttons(app, make, en):
    c = make.community()
    r = kids_round(make, c)
    code = codes.mint_cards(r, 1)[0]
    db.session.commit()
    response = en.get(card_url(c, r, code))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = Page(response.get_data(as_text=True))
    assert not page.problems
    assert [card["name"] for card in page.cards] == ["秋千", "长椅", "路灯"]
    assert {card["type"] for card in page.cards} == {"radio"}
    assert [int(card["value"]) for card in page.cards] == [e.id for e in r.entries]
    for card, key in zip(page.cards, ("swing", "bench", "light")):
        # Static files carry their content's hash (app/assets.py).
        assert card["alt"] == "" and card["src"].startswith(f"/static/kids/pictures/{key}.svg?v=")
        assert card["clip"].startswith(f"/static/kids/clips/{key}.ogg?v=")
        assert not card["checked"]
    html = response.get_data(as_text=True)
    assert 'aria-label="Vote"' in html and "/static/js/kids.js" in html
    assert "community-nav" not in html  # no way off the ballot for a child


def test_with_more_picks_the_cards_are_checkboxes(app, make, en):
    c = make.community()
    r = kids_round(make, c, picks=2)
    code = codes.mint_cards(r, 1)[0]
    db.session.commit()
    page = Page(en.get(card_url(c, r, code)).get_data(as_text=True))
    assert {card["type"] for card in page.cards} == {"checkbox"}


def test_a_card_votes_once_then_shows_the_used_picture(app, make, en):
    c = make.community()
    r = kids_round(make, c)
    code = codes.mint_cards(r, 1)[0]
    db.session.commit()
    url = card_url(c, r, code)
    response = en.post(url, {"entry": r.entries[2].id}, token_from=url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/static/kids/messages/thanks.svg" in html and "/static/kids/avatars/" in html
    assert db.session.scalars(select(ChildChoice.entry_id)).all() == [r.entries[2].id]
    assert db.session.scalar(select(ChildBallot.channel)) == "card"

    again = en.get(url)
    assert again.status_code == 409
    used = picture_of(again)
    assert used["src"] == "/static/kids/messages/used.svg"
    assert used["alt"] == "This card has been used already. Each card votes once."
    token = en.csrf_token()
    resent = en.post(url, {"entry": r.entries[0].id, "csrf_token": token})
    assert resent.status_code == 409 and picture_of(resent)["src"].endswith("/used.svg")
    assert count(ChildBallot) == 1 and count(ChildChoice) == 1


def test_unknown_codes_show_the_used_picture_and_change_nothing(app, make, en):
    c = make.community()
    r = kids_round(make, c)
    codes.mint_cards(r, 1)
    db.session.commit()
    for code in ("ABCDE-FGHJK", "x", "-----", "ABCDE%00FGHJK", "%E4%B8%80" * 40):
        response = en.get(card_url(c, r, code))
        assert response.status_code == 404
        picture = picture_of(response)
        assert picture["src"].endswith("/used.svg") and picture["alt"]
    token = en.csrf_token()
    response = en.post(card_url(c, r, "ABCDE-FGHJK"), {"entry": r.entries[0].id,
                                                       "csrf_token": token})
    assert response.status_code == 404 and count(ChildBallot) == 0


def test_a_closed_round_shows_the_closed_picture(app, make, en):
    c = make.community()
    r = kids_round(make, c)
    code = codes.mint_cards(r, 1)[0]
    db.session.commit()
    make.time_round(r, "closed")
    url = card_url(c, r, code)
    response = en.get(url)
    assert response.status_code == 403
    assert picture_of(response)["src"].endswith("/closed.svg")
    token = en.csrf_token()
    assert en.post(url, {"entry": r.entries[0].id, "csrf_token": token}).status_code == 403
    assert count(ChildBallot) == 0 and codes.find(r, code).used_at is None


def test_a_card_without_a_pick_gets_its_ballot_back(app, make, en):
    c = make.community()
    r = kids_round(make, c)
    code = codes.mint_cards(r, 1)[0]
    db.session.commit()
    url = card_url(c, r, code)
    for data in ({}, {"entry": "999999"}, {"entry": "x"}, {"entry": "1\x00"},
                 {"entry": str(2**40)}):
        response = en.post(url, data, token_from=url)
        assert response.status_code == 422
        assert len(Page(response.get_data(as_text=True)).cards) == 3
    assert count(ChildBallot) == 0 and codes.find(r, code).used_at is None


def test_a_card_is_bound_to_its_round_and_community(app, make, en):
    c, other = make.community(), make.community()
    r, plain = kids_round(make, c), make.round(c)
    code = codes.mint_cards(r, 1)[0]
    db.session.commit()
    assert en.get(f"/c/{other.slug}/kids/rounds/{r.id}/card/{code}").status_code == 404
    # A round without a children's part has no cards: the same picture as an unknown code.
    response = en.get(card_url(c, plain, code))
    assert response.status_code == 404 and picture_of(response)["src"].endswith("/used.svg")


def test_guessing_card_codes_is_rate_limited_per_address(tmp_path):
    app = create_app(replace(make_settings(tmp_path, "sqlite"), rate_limits=True))
    with app.app_context():
        db.create_all()
        make = Factory("neighbour-pass-1")
        c = make.community()
        r = kids_round(make, c)
        good = codes.mint_cards(r, 1)[0]
        db.session.commit()
        client = Client(_FreshContextClient(app, use_cookies=True))
        # Opening a good card, again and again, is never a miss.
        assert {client.get(card_url(c, r, good)).status_code for _ in range(70)} == {200}
        misses = [client.get(card_url(c, r, codes.new_code())).status_code for _ in range(61)]
        assert misses[:60] == [404] * 60 and misses[60] == 429
        assert client.get(card_url(c, r, good)).status_code == 429
        # Another address is not affected.
        elsewhere = client.get(card_url(c, r, good), environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert elsewhere.status_code == 200
        db.session.remove()


# ---- a guardian's phone -----------------------------------------------------------------

def ballot_url(c, r, child_id=None) -> str:
    url = f"/c/{c.slug}/kids/rounds/{r.id}/ballot"
    return url if child_id is None else f"{url}?child={child_id}"


def test_a_guardian_lets_each_child_vote_and_sees_their_choice(app, make, en):
    c = make.community()
    r = kids_round(make, c)
    guardian = make.user(c)
    rain, bean = child(make, c, guardian, nickname="小雨"), child(make, c, guardian,
                                                                  nickname="豆豆", avatar="panda")
    en.login(guardian)
    first = en.get(ballot_url(c, r))
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    # More than one child: one avatar button each, the first chosen.
    assert len(re.findall(r'class="kids-child(?: is-current)?"', html)) == 2 and 'aria-current="page"' in html
    assert f"?child={bean.id}" in html and "豆豆" in html

    url = ballot_url(c, r, bean.id)
    done = en.post(url, {"entry": r.entries[1].id}, token_from=url)
    assert done.status_code == 200
    done_html = done.get_data(as_text=True)
    assert "/static/kids/avatars/panda.svg" in done_html
    assert f'href="/c/{c.slug}/kids/children"' in done_html

    shown = Page(en.get(url).get_data(as_text=True)).cards
    assert [card["checked"] for card in shown] == [False, True, False]
    assert not any(card["checked"] for card in Page(en.get(ballot_url(c, r, rain.id))
                                                    .get_data(as_text=True)).cards)
    # Changing the vote: the last one counts, still one ballot for the child.
    en.post(url, {"entry": r.entries[0].id}, token_from=url)
    ballot = db.session.scalar(select(ChildBallot))
    assert count(ChildBallot) == 1 and ballot.child_id == bean.id
    assert ballot.channel == "guardian"
    assert [ch.entry_id for ch in ballot.choices] == [r.entries[0].id]


def test_a_guardian_cannot_vote_for_someone_elses_child(app, make, en):
    c = make.community()
    r = kids_round(make, c)
    guardian, stranger = make.user(c), make.user(c)
    theirs = child(make, c, stranger)
    child(make, c, guardian)
    en.login(guardian)
    url = ballot_url(c, r, theirs.id)
    assert en.get(url).status_code == 404
    token = en.csrf_token(ballot_url(c, r))
    assert en.post(url, {"entry": r.entries[0].id, "csrf_token": token}).status_code == 404
    assert en.get(ballot_url(c, r) + "?child=abc").status_code == 200  # not a number: theirs
    assert count(ChildBallot) == 0


def test_guardian_mode_refusals(app, make, en):
    c = make.community()
    r, plain = kids_round(make, c), make.round(c)
    guardian = make.user(c)
    assert en.get(ballot_url(c, r)).status_code == 302  # log in first
    en.login(guardian)
    # No child profile yet: words for the guardian, and where to make one.
    response = en.get(ballot_url(c, r))
    assert response.status_code == 200
    assert f"/c/{c.slug}/kids/children/new" in response.get_data(as_text=True)
    kid = child(make, c, guardian)
    assert en.get(ballot_url(c, plain)).status_code == 404  # no children's part
    make.time_round(r, "closed")
    closed = en.get(ballot_url(c, r))
    assert closed.status_code == 403 and picture_of(closed)["src"].endswith("/closed.svg")
    token = en.csrf_token(f"/c/{c.slug}/rounds/{r.id}")
    response = en.post(ballot_url(c, r, kid.id), {"entry": r.entries[0].id,
                                                 "csrf_token": token})
    assert response.status_code == 403 and count(ChildBallot) == 0


def test_a_guardian_with_no_pick_gets_the_ballot_back(app, make, en):
    c = make.community()
    r = kids_round(make, c, picks=2)
    guardian = make.user(c)
    kid = child(make, c, guardian)
    en.login(guardian)
    url = ballot_url(c, r, kid.id)
    too_many = {"entry": [e.id for e in r.entries]}
    response = en.post(url, too_many, token_from=url)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert [card["checked"] for card in page.cards] == [True, True, True]
    assert "at most 2" in response.get_data(as_text=True)
    assert count(ChildBallot) == 0


def test_unverified_members_and_other_communities_cannot_use_guardian_mode(app, make, en):
    c, other = make.community(), make.community()
    r = kids_round(make, c)
    en.login(make.user(c, verified=False))
    assert en.get(ballot_url(c, r)).status_code == 403
    en.logout()
    en.login(make.user(other, "staff"))
    assert en.get(ballot_url(c, r)).status_code == 403
    assert en.get(ballot_url(other, r)).status_code == 404


def test_the_round_page_points_guardians_to_the_childrens_ballot(app, make, en):
    c = make.community()
    r, plain = kids_round(make, c), make.round(c)
    html = en.get(f"/c/{c.slug}/rounds/{r.id}").get_data(as_text=True)
    assert "Children's ballot" in html and f"/c/{c.slug}/kids/rounds/{r.id}/ballot" in html
    assert "Children's ballot" not in en.get(f"/c/{c.slug}/rounds/{plain.id}").get_data(
        as_text=True)
    make.time_round(r, "closed")
    html = en.get(f"/c/{c.slug}/rounds/{r.id}").get_data(as_text=True)
    assert "Children's ballot" in html and f"/kids/rounds/{r.id}/ballot" not in html
