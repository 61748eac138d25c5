"""The rules under the staff's set-up of a children's part, called without HTTP: which
sound files a clip may be (by their first bytes), clips attached to cards and the files
they replace, clips the server speaks, and the URLs of a card's picture and clip."""
from __future__ import annotations

import io
import shutil
import wave

import pytest
from flask import g
from flask_babel import force_locale

from app.extensions import db
from proposals.kids import audio, files, parts, speech
from proposals.kids.models import PictureCard

from .images import png_bytes
from .kids_factories import kids_round

# The first bytes of a WebM file: the EBML header a MediaRecorder in Chromium writes.
WEBM = (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04"
        b"\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x00" * 64)
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isommp42" + b"\x00" * 64


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x10" * int(seconds * rate))
    return out.getvalue()


def spoken() -> tuple[bytes, str]:
    """A real clip from espeak-ng: Ogg Vorbis when oggenc is installed, else WAV."""
    data, extension = speech.speak("秋千")
    assert extension == ("ogg" if shutil.which("oggenc") else "wav")
    return data, extension


# --- which files are clips -------------------------------------------------------------------

def test_sound_files_are_known_by_their_first_bytes(app):
    data, extension = spoken()
    assert audio.check(data) == extension
    assert audio.check(wav_bytes()) == "wav"
    assert audio.check(WEBM) == "webm"
    assert audio.check(M4A) == "m4a"


@pytest.mark.parametrize("data", [
    png_bytes(),
    "这不是声音文件，只是改了名字的文字。".encode(),
    b"RIFF\x10\x00\x00\x00AVI LIST",  # RIFF, but a video
    b"Ogg",  # too short to be anything
])
def test_other_files_are_refused_whatever_their_name(app, data):
    with force_locale("en"), pytest.raises(audio.ClipRejected) as refused:
        audio.check(data)
    assert "WebM, Ogg, MP4 (M4A) or WAV" in refused.value.message


def test_an_empty_or_oversize_clip_is_refused(app):
    with pytest.raises(audio.ClipRejected):
        audio.check(b"")
    big = wav_bytes() + b"\x00" * audio.MAX_CLIP_BYTES
    with force_locale("en"), pytest.raises(audio.ClipRejected) as refused:
        audio.check(big)
    assert "at most 1 MB" in refused.value.message


def test_nothing_is_stored_for_a_refused_clip(app):
    before = set(files.folder().glob("*")) if files.folder().exists() else set()
    with pytest.raises(audio.ClipRejected):
        audio.store_recording(png_bytes())
    after = set(files.folder().glob("*")) if files.folder().exists() else set()
    assert after == before


# --- clips on cards ------------------------------------------------------------------------

def test_a_recorded_clip_replaces_the_cards_clip_and_names_the_old_file(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    r = kids_round(make, c, state="open")
    entry = r.entries[0]
    first = audio.store_recording(wav_bytes())
    assert parts.set_clip(entry, staff, kind="recorded", name=first) == ""  # was built-in
    db.session.commit()
    second = audio.store_recording(WEBM)
    assert parts.set_clip(entry, staff, kind="recorded", name=second) == first
    db.session.commit()
    card = db.session.get(PictureCard, entry.id)
    assert (card.clip_kind, card.clip) == ("recorded", second)
    assert second.endswith(".webm") and files.NAME.match(second)


def test_a_clip_cannot_change_once_voting_has_closed(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    r = kids_round(make, c, state="closed")
    name = audio.store_recording(wav_bytes())
    with pytest.raises(parts.PartRefused):
        parts.set_clip(r.entries[0], staff, kind="recorded", name=name)
    db.session.rollback()
    assert db.session.get(PictureCard, r.entries[0].id).clip_kind == "builtin"


def test_a_round_without_a_childrens_part_takes_no_clip(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    r = make.round(c, state="upcoming")
    with pytest.raises(parts.PartRefused):
        parts.set_clip(r.entries[0], staff, kind="recorded", name="x" * 32 + ".wav")
    db.session.rollback()
    assert r.entries[0].picture_card is None


def test_a_spoken_clip_must_still_say_the_cards_label(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    r = kids_round(make, c, state="upcoming")
    entry = r.entries[0]
    parts.set_card(entry, staff, label="新秋千")
    name = audio.speak_label("旧秋千")
    with pytest.raises(parts.PartRefused):
        parts.set_clip(entry, staff, kind="spoken", name=name, label="旧秋千")
    assert parts.set_clip(entry, staff, kind="spoken", name=name, label="新秋千") == ""


def test_the_server_speaks_a_label_into_a_file_of_ours(app):
    name = audio.speak_label("我们的新滑梯")
    assert name is not None and files.NAME.match(name)
    data = (files.folder() / name).read_bytes()
    assert audio.check(data) == name.rsplit(".", 1)[1]


# --- the files of a card -------------------------------------------------------------------

def test_the_urls_of_a_cards_picture_and_clip(app, make):
    c = make.community()
    with app.test_request_context("/"):
        g.community = c
        builtin = PictureCard(picture_kind="builtin", picture="swing", label="秋千",
                              clip_kind="builtin", clip="swing")
        assert files.card_picture_url(builtin).startswith("/static/kids/pictures/swing.svg?v=")
        assert files.card_clip_url(builtin).startswith("/static/kids/clips/swing.ogg?v=")
        upload = PictureCard(picture_kind="upload", picture="a" * 32 + ".jpg", label="画",
                             clip_kind="recorded", clip="b" * 32 + ".webm")
        assert files.card_picture_url(upload) == f"/c/{c.slug}/kids/files/{'a' * 32}.jpg"
        assert files.card_clip_url(upload) == f"/c/{c.slug}/kids/files/{'b' * 32}.webm"
        silent = PictureCard(picture_kind="builtin", picture="swing", label="新秋千",
                             clip_kind="", clip="")
        assert files.card_clip_url(silent) is None
    assert files.stored_names(upload) == {"a" * 32 + ".jpg", "b" * 32 + ".webm"}
    assert files.stored_names(builtin) == set()


def test_discard_touches_only_names_the_server_makes(app, tmp_path):
    folder = files.folder()
    folder.mkdir(parents=True, exist_ok=True)
    outside = folder.parent / "keep.txt"
    outside.write_text("keep")
    files.discard("../keep.txt", "")
    assert outside.exists()
    name = files.store(wav_bytes(), "wav")
    files.discard(name)
    assert not (folder / name).exists()


def test_an_idea_put_on_the_ballot_after_the_childrens_part_opened_gets_a_card(app, make):
    from proposals.kids.voting import cards_of
    from proposals.rounds.services import add_idea
    r = kids_round(make, make.community(), state="upcoming")
    staff = make.user(r.community, "staff")
    late = make.planned_idea(r.community, 10_000_00, title="楼下加装长椅", category="facilities")
    entry = add_idea(r, late, staff)
    db.session.commit()
    assert entry.id in [card.entry_id for card in cards_of(r)]
    assert entry.picture_card.picture == "bench" and entry.picture_card.clip_kind == "builtin"
