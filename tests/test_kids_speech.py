"""Labels spoken by the server (espeak-ng's Mandarin voice, Ogg Vorbis)."""
from __future__ import annotations

import pytest

from proposals.kids import speech

from .test_kids_assets import vorbis_info


def test_speech_is_installed_here():
    # tests/browser_deps.py (run by `make test`) installs espeak-ng and vorbis-tools.
    assert speech.available() and speech.makes_ogg()


def test_a_label_becomes_a_playable_ogg_clip():
    audio, ext = speech.speak("秋千")
    assert ext == "ogg"
    assert audio[:4] == b"OggS"
    channels, rate, seconds = vorbis_info(audio)
    assert channels == 1 and rate > 0
    assert 0.2 < seconds < 5


def test_a_longer_label_takes_longer_to_say():
    _short, _ = speech.speak("树")
    long, _ = speech.speak("小区里的大滑梯和秋千")
    assert vorbis_info(long)[2] > vorbis_info(_short)[2]


def test_the_same_label_gives_the_same_bytes():
    # So `kids make-clips` run again leaves the committed clips unchanged.
    assert speech.speak("长椅") == speech.speak("长椅")


def test_a_label_that_looks_like_an_option_is_only_spoken():
    audio, ext = speech.speak("--help")
    assert ext == "ogg" and vorbis_info(audio)[2] > 0.2


@pytest.mark.parametrize("text", ["", "   ", "一" * 17, "x" * 200])
def test_empty_or_too_long_text_is_refused(text):
    with pytest.raises(ValueError):
        speech.speak(text)


def test_sixteen_characters_are_allowed():
    audio, _ = speech.speak("一二三四五六七八九十一二三四五六")
    assert audio[:4] == b"OggS"
