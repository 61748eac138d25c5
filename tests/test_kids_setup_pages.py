"""The staff's pages of a children's part, over HTTP: open it, change it, remove it; make
picture cards with built-in or uploaded pictures; clips recorded, uploaded or spoken by
the server; the uploaded files served back. Refusals answer 422 and change nothing."""
from __future__ import annotations

import html as html_lib
import re
import shutil
from io import BytesIO

from PIL import Image

from app.extensions import db
from proposals.kids import codes, voting
from proposals.kids.models import ChildrensPart, PictureCard

from .images import gps_exif, jpeg_bytes, png_bytes
from .kids_factories import kids_round
from .test_kids_setup import M4A, WEBM, spoken, wav_bytes


def _world(make, state="open", **kw):
    c = make.community()
    staff = make.user(c, "staff")
    r = kids_round(make, c, state=state, **kw) if state != "none" else make.round(c)
    return c, staff, r


def _setup(c, r):
    return f"/c/{c.slug}/kids/rounds/{r.id}/setup"


def _card(c, r, entry):
    return f"/c/{c.slug}/kids/rounds/{r.id}/cards/{entry.id}"


def _text(response) -> str:
    """The page as a reader sees it: entities such as ' turned back into characters."""
    return html_lib.unescape(response.get_data(as_text=True))


def _card_row(entry) -> PictureCard:
    db.session.expire_all()
    return db.session.get(PictureCard, entry.id)


def _part(r) -> ChildrensPart | None:
    db.session.expire_all()
    return db.session.get(ChildrensPart, r.id)


# --- the set-up page -----------------------------------------------------------------------

def test_staff_open_a_childrens_part_and_see_its_cards(make, en):
    c, staff, r = _world(make, "none")
    make.time_round(r, "upcoming")
    en.login(staff)
    page = en.get(_setup(c, r))
    assert page.status_code == 200
    assert "This round has no children's part." in _text(page)
    answer = en.post(_setup(c, r), {"picks": "2", "budget": "2,000"}, token_from=_setup(c, r))
    assert answer.status_code == 303
    part = _part(r)
    assert (part.picks, part.budget_fen) == (2, 2000_00)
    html = _text(en.get(_setup(c, r)))
    for entry in r.entries:
        assert _card(c, r, entry) in html  # each idea got a default card
    assert 'value="2000.00"' in html
    assert "Children who voted so far" in html
    assert f"flask --app wsgi kids cards {r.id} --count 40" in html
    assert "Start a kiosk on this device" not in html  # voting has not opened


def test_the_page_of_an_open_round_offers_a_kiosk_and_plays_the_clips(make, en):
    c, staff, r = _world(make, "open")
    en.login(staff)
    html = _text(en.get(_setup(c, r)))
    assert f'action="/c/{c.slug}/kids/rounds/{r.id}/kiosk/start"' in html
    assert '<audio controls preload="none" src="/static/kids/clips/swing.ogg?v=' in html
    assert '<img src="/static/kids/pictures/swing.svg?v=' in html


def test_picks_out_of_range_or_a_budget_above_the_rounds_are_refused(make, en):
    c, staff, r = _world(make, "upcoming", picks=1)
    en.login(staff)
    for data, message in [
        ({"picks": "4", "budget": ""}, "A child may pick from 1 to 3 pictures."),
        ({"picks": "0", "budget": ""}, "A child may pick from 1 to 3 pictures."),
        ({"picks": "two", "budget": ""}, "Not a valid integer value."),
        ({"picks": "2", "budget": "60000.01"}, "no more than the round's budget"),
        ({"picks": "2", "budget": "0"}, "must be more than zero"),
        ({"picks": "2", "budget": "十元"}, "Enter an amount in yuan"),
    ]:
        answer = en.post(_setup(c, r), data, token_from=_setup(c, r))
        assert answer.status_code == 422, data
        assert message in _text(answer), data
    part = _part(r)
    assert (part.picks, part.budget_fen) == (1, None)


def test_a_closed_round_is_shown_read_only_and_refuses_changes(make, en):
    c, staff, r = _world(make, "closed", picks=2)
    en.login(staff)
    page = en.get(_setup(c, r))
    assert page.status_code == 200
    html = _text(page)
    assert 'id="part-form"' not in html and 'id="remove-form"' not in html
    answer = en.post(_setup(c, r), {"picks": "1", "budget": ""}, token_from=_setup(c, r))
    assert answer.status_code == 422
    assert "only be set up before voting closes" in _text(answer)
    answer = en.post(_setup(c, r), {"remove": "1"}, token_from=_setup(c, r))
    assert answer.status_code == 422
    assert _part(r).picks == 2


def test_an_adopted_round_without_a_childrens_part_still_answers(make, en):
    from app.timeutil import utcnow
    c, staff, r = _world(make, "none")
    make.time_round(r, "closed")
    r.adopted_at = utcnow()
    db.session.commit()
    en.login(staff)
    page = en.get(_setup(c, r))
    assert page.status_code == 200
    assert "can no longer change" in _text(page)


def test_the_part_is_removed_only_while_no_child_has_voted(make, en):
    c, staff, r = _world(make, "open")
    en.login(staff)
    code = codes.mint_cards(r, 1)[0]
    voting.vote_with_code(r, code, [r.entries[0].id])
    db.session.commit()
    answer = en.post(_setup(c, r), {"remove": "1"}, token_from=_setup(c, r))
    assert answer.status_code == 422
    assert "can no longer be removed" in _text(answer)
    assert _part(r) is not None
    answer = en.post(_setup(c, r), {"picks": "2", "budget": ""}, token_from=_setup(c, r))
    assert answer.status_code == 422
    assert "Children have already voted" in _text(answer)
    assert _part(r).picks == 1
    html = _text(en.get(_setup(c, r)))
    assert '<dd id="children-count">1</dd>' in html
    assert r.entries[0].idea.title in html  # the cards, but nothing of what was chosen


def test_removing_the_part_takes_its_cards_and_their_files(make, en):
    c, staff, r = _world(make, "upcoming")
    en.login(staff)
    entry = r.entries[0]
    en.post(_card(c, r, entry), {"picture": "swing", "label": "新秋千"},
            token_from=_card(c, r, entry))
    clip = _card_row(entry).clip
    assert clip and en.get(f"/c/{c.slug}/kids/files/{clip}").status_code == 200
    answer = en.post(_setup(c, r), {"remove": "1"}, token_from=_setup(c, r))
    assert answer.status_code == 303
    assert _part(r) is None and _card_row(entry) is None
    assert en.get(f"/c/{c.slug}/kids/files/{clip}").status_code == 404


# --- who may open these pages ----------------------------------------------------------------

def test_residents_get_403_and_another_communitys_round_is_404(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    other = make.community()
    other_staff = make.user(other, "staff")
    en.login(make.user(c))
    for url in (_setup(c, r), _card(c, r, entry)):
        assert en.get(url).status_code == 403
    en.logout()
    en.login(other_staff)
    assert en.get(f"/c/{other.slug}/kids/rounds/{r.id}/setup").status_code == 404
    assert en.get(f"/c/{other.slug}/kids/rounds/{r.id}/cards/{entry.id}").status_code == 404
    assert en.get(_setup(c, r)).status_code == 403  # staff elsewhere, not here
    en.logout()
    assert en.get(_setup(c, r)).status_code == 302  # to the login page


def test_an_entry_of_another_round_is_404(make, en):
    c, staff, r = _world(make, "open")
    second = make.round(c)
    en.login(staff)
    assert en.get(_card(c, r, second.entries[0])).status_code == 404
    assert en.get(f"/c/{c.slug}/kids/rounds/{r.id}/cards/999999").status_code == 404


# --- picture cards --------------------------------------------------------------------------

def test_a_card_page_without_a_childrens_part_says_so(make, en):
    c, staff, r = _world(make, "none")
    en.login(staff)
    page = en.get(_card(c, r, r.entries[0]))
    assert page.status_code == 200
    html = _text(page)
    assert "This round has no children's part" in html and _setup(c, r) in html
    answer = en.post(_card(c, r, r.entries[0]), {"picture": "swing", "label": "秋千"},
                     token_from=_setup(c, r))
    assert answer.status_code == 422
    assert "set it up first" in _text(answer)
    assert _card_row(r.entries[0]) is None


def test_a_new_idea_gets_its_categorys_card_at_once(make, en):
    c, staff, r = _world(make, "upcoming")
    idea = make.planned_idea(c, 10_000_00, category="elderly")
    from proposals.rounds.services import add_idea
    entry = add_idea(r, idea, staff)
    db.session.commit()
    en.login(staff)
    page = en.get(_card(c, r, entry))
    assert page.status_code == 200
    html = _text(page)
    assert 'value="elder"' in html and 'value="爷爷奶奶"' in html
    assert _card_row(entry) is not None
    assert entry.id in [card.entry_id for card in voting.cards_of(r)]
    assert "Not on the children's ballot yet" not in _text(en.get(_setup(c, r)))
    answer = en.post(_card(c, r, entry), {"picture": "elder", "label": "爷爷奶奶"},
                     token_from=_card(c, r, entry))
    assert answer.status_code == 303
    assert _card_row(entry).clip_kind == "builtin"


def test_a_builtin_picture_with_its_own_word_keeps_its_own_clip(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    en.login(staff)
    answer = en.post(_card(c, r, entry), {"picture": "slide", "label": "滑梯"},
                     token_from=_card(c, r, entry))
    assert answer.status_code == 303
    card = _card_row(entry)
    assert (card.picture_kind, card.picture, card.label) == ("builtin", "slide", "滑梯")
    assert (card.clip_kind, card.clip) == ("builtin", "slide")


def test_a_typed_label_gets_a_clip_spoken_by_the_server(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    en.login(staff)
    answer = en.post(_card(c, r, entry), {"picture": "swing", "label": "新的秋千"},
                     token_from=_card(c, r, entry))
    assert answer.status_code == 303
    card = _card_row(entry)
    assert card.label == "新的秋千" and card.clip_kind == "spoken"
    served = en.get(f"/c/{c.slug}/kids/files/{card.clip}")
    assert served.status_code == 200
    expected = "audio/ogg" if shutil.which("oggenc") else "audio/wav"
    assert served.mimetype == expected
    assert served.data[:4] in (b"OggS", b"RIFF")
    html = _text(en.get(_card(c, r, entry)))
    assert "spoken by the computer" in html
    assert f'src="/c/{c.slug}/kids/files/{card.clip}"' in html
    # Saved again with another label: a new clip, and the old file goes.
    first = card.clip
    en.post(_card(c, r, entry), {"picture": "swing", "label": "大秋千"},
            token_from=_card(c, r, entry))
    again = _card_row(entry)
    assert again.clip_kind == "spoken" and again.clip != first
    assert en.get(f"/c/{c.slug}/kids/files/{first}").status_code == 404


def test_a_label_too_long_or_empty_or_an_unknown_picture_is_refused(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    en.login(staff)
    for data, message in [
        ({"picture": "swing", "label": "一二三四五六七八九十一二三四五六七"}, "at most 16 characters"),
        ({"picture": "swing", "label": "   "}, "Give the card a short label"),
        ({"picture": "rocket", "label": "火箭"}, "Choose one of the pictures."),
        ({"picture": "upload", "label": "火箭"}, "Choose one of the pictures."),
    ]:
        answer = en.post(_card(c, r, entry), data, token_from=_card(c, r, entry))
        assert answer.status_code == 422, data
        assert message in _text(answer), data
    card = _card_row(entry)
    assert (card.picture, card.label, card.clip_kind) == ("swing", "秋千", "builtin")


def test_a_closed_rounds_card_cannot_change(make, en):
    c, staff, r = _world(make, "closed")
    entry = r.entries[0]
    en.login(staff)
    page = en.get(_card(c, r, entry))
    assert page.status_code == 200 and 'id="card-form"' not in _text(page)
    answer = en.post(_card(c, r, entry), {"picture": "slide", "label": "滑梯"},
                     token_from=_card(c, r, entry))
    assert answer.status_code == 422
    assert "Cards can only change before voting closes." in _text(answer)
    assert _card_row(entry).picture == "swing"
    answer = en.post(f"{_card(c, r, entry)}/clip",
                     {"clip": (BytesIO(wav_bytes()), "label.wav")},
                     token_from=_card(c, r, entry), content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "Cards can only change before voting closes." in _text(answer)
    assert _card_row(entry).clip_kind == "builtin"


def test_an_uploaded_drawing_loses_its_exif_and_is_served(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    en.login(staff)
    photo = jpeg_bytes(size=(120, 90), exif=gps_exif())
    assert Image.open(BytesIO(photo)).getexif()  # the upload carries a GPS position
    answer = en.post(_card(c, r, entry),
                     {"picture": "swing", "label": "我画的秋千",
                      "drawing": (BytesIO(photo), "IMG_0001.jpg")},
                     token_from=_card(c, r, entry), content_type="multipart/form-data")
    assert answer.status_code == 303
    card = _card_row(entry)
    assert card.picture_kind == "upload" and card.picture.endswith(".jpg")
    assert "IMG_0001" not in card.picture
    served = en.get(f"/c/{c.slug}/kids/files/{card.picture}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "immutable" in served.headers["Cache-Control"]
    image = Image.open(BytesIO(served.data))
    assert not image.getexif() and "exif" not in image.info
    # The page offers to keep the drawing; saving with it keeps it.
    html = _text(en.get(_card(c, r, entry)))
    assert 'value="upload"' in html
    answer = en.post(_card(c, r, entry), {"picture": "upload", "label": "我画的秋千"},
                     token_from=_card(c, r, entry))
    assert answer.status_code == 303
    assert _card_row(entry).picture == card.picture
    # A built-in picture instead: the drawing's file goes.
    en.post(_card(c, r, entry), {"picture": "swing", "label": "秋千"},
            token_from=_card(c, r, entry))
    assert _card_row(entry).picture_kind == "builtin"
    assert en.get(f"/c/{c.slug}/kids/files/{card.picture}").status_code == 404


def test_a_file_that_is_not_a_picture_is_refused_as_a_drawing(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    en.login(staff)
    answer = en.post(_card(c, r, entry),
                     {"picture": "swing", "label": "画", "drawing": (BytesIO(b"hello"), "a.jpg")},
                     token_from=_card(c, r, entry), content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "not a photo we can read" in _text(answer)
    card = _card_row(entry)
    assert (card.picture_kind, card.label) == ("builtin", "秋千")


# --- clips ---------------------------------------------------------------------------------

def _post_clip(en, c, r, entry, data: bytes, filename: str, **kw):
    return en.post(f"{_card(c, r, entry)}/clip", {"clip": (BytesIO(data), filename)},
                   token_from=_card(c, r, entry), content_type="multipart/form-data", **kw)


def test_recorded_clips_of_each_kind_are_kept_and_served(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    en.login(staff)
    ogg, ogg_ext = spoken()
    served_before = None
    for data, ext, mimetype in [(ogg, ogg_ext, f"audio/{ogg_ext}"),
                                (wav_bytes(), "wav", "audio/wav"),
                                (WEBM, "webm", "audio/webm"),
                                (M4A, "m4a", "audio/mp4")]:
        answer = _post_clip(en, c, r, entry, data, "recording.bin")
        assert answer.status_code == 303, _text(answer)[:300]
        card = _card_row(entry)
        assert card.clip_kind == "recorded" and card.clip.endswith("." + ext)
        served = en.get(f"/c/{c.slug}/kids/files/{card.clip}")
        assert served.status_code == 200 and served.mimetype == mimetype
        assert served.data == data
        if served_before:  # the clip it replaced is gone
            assert en.get(f"/c/{c.slug}/kids/files/{served_before}").status_code == 404
        served_before = card.clip
    assert "recorded by staff" in _text(en.get(_card(c, r, entry)))


def test_files_that_are_not_sound_are_refused_and_nothing_changes(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    en.login(staff)
    big = wav_bytes() + b"\x00" * (2**20)
    for data, name, message in [
        (png_bytes(), "label.ogg", "not a sound file we can play"),
        ("只是文字".encode(), "label.ogg", "not a sound file we can play"),
        (big, "label.wav", "at most 1 MB"),
        (b"", "label.ogg", "Choose a sound file"),
    ]:
        answer = _post_clip(en, c, r, entry, data, name)
        assert answer.status_code == 422, name
        assert message in _text(answer)
        card = _card_row(entry)
        assert (card.clip_kind, card.clip) == ("builtin", "swing")
    answer = en.post(f"{_card(c, r, entry)}/clip", {}, token_from=_card(c, r, entry))
    assert answer.status_code == 422


def test_the_recorder_gets_json_answers(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    en.login(staff)
    json = {"Accept": "application/json"}
    answer = _post_clip(en, c, r, entry, png_bytes(), "recording.webm", headers=json)
    assert answer.status_code == 422 and "WebM, Ogg" in answer.json["error"]
    answer = _post_clip(en, c, r, entry, WEBM, "recording.webm", headers=json)
    assert answer.status_code == 200
    assert answer.json["location"] == _card(c, r, entry) + "#clip"
    assert _card_row(entry).clip_kind == "recorded"


def test_the_file_route_serves_only_names_the_server_makes(make, en):
    c, staff, r = _world(make, "open")
    for name in ("../../etc/passwd", "secret.txt", "a" * 32 + ".svg", "A" * 32 + ".jpg",
                 "a" * 32 + ".jpg"):  # the last is well formed, but no such file
        assert en.get(f"/c/{c.slug}/kids/files/{name}").status_code == 404, name


def test_the_card_page_has_a_recorder_and_a_plain_file_input(make, en):
    c, staff, r = _world(make, "open")
    entry = r.entries[0]
    en.login(staff)
    html = _text(en.get(_card(c, r, entry)))
    assert re.search(r'<script src="/static/js/kids-record\.js\?v=\w+" defer></script>', html)
    assert 'id="recorder" hidden' in html
    assert 'accept="audio/*" capture' in html
    assert "<script>" not in html and "style=" not in html  # nothing inline for the CSP
