"""Clips that say a card's label: a recording staff upload (checked by its first bytes,
not by its name or the type the browser claims), or one the server speaks itself.

A child who cannot read hears the label when tapping the card, so a clip must be a
sound file a browser plays: WebM or Ogg (what MediaRecorder makes in Chromium and
Firefox), MP4/M4A (Safari, phones' recorders) or WAV.
"""
from __future__ import annotations

from flask_babel import gettext as _

from . import files

MAX_CLIP_BYTES = 2**20  # a label said aloud lasts a few seconds: 1 MB is plenty


class ClipRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sniff(data: bytes) -> str | None:
    """The extension of a sound file recognised by its first bytes, or None."""
    if data[:4] == b"\x1a\x45\xdf\xa3":  # EBML: WebM and Matroska
        return "webm"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[4:8] == b"ftyp":  # ISO base media: MP4, M4A, 3GP from a phone's recorder
        return "m4a"
    return None


def check(data: bytes) -> str:
    """The extension to store an uploaded clip under, or ClipRejected with a message."""
    if not data:
        raise ClipRejected(_("Choose a sound file, or record the label."))
    if len(data) > MAX_CLIP_BYTES:
        raise ClipRejected(_("A clip may be at most %(mb)d MB: say just the label.",
                             mb=MAX_CLIP_BYTES // 2**20))
    extension = sniff(data)
    if extension is None:
        raise ClipRejected(_("This is not a sound file we can play. Please send a "
                             "recording in WebM, Ogg, MP4 (M4A) or WAV."))
    return extension


def store_recording(data: bytes) -> str:
    """Check an uploaded clip and store it; returns its stored name."""
    return files.store(data, check(data))


def speak_label(label: str) -> str | None:
    """Have the server say the label and store the clip; None when it cannot speak
    (no espeak-ng here): staff can still record one."""
    from .speech import SpeechUnavailable, available, speak
    if not available():
        return None
    try:
        data, extension = speak(label)
    except (SpeechUnavailable, ValueError):
        return None
    if extension not in files.MIMETYPES or not data:
        return None
    return files.store(data, extension)
