"""Spoken card labels made on the server: espeak-ng's Mandarin voice, as Ogg Vorbis.

Used when staff give a card a label of their own (the server speaks it on save) and by
`flask --app wsgi kids make-clips` for the built-in pictures. The text goes to espeak-ng
on standard input, never on a command line or through a shell, so a label beginning
with "-" cannot be read as an option. Without oggenc the clip is a WAV file: bigger,
but every browser plays it. espeak-ng speaks mono, so the clip is mono.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

MAX_CHARS = 16  # a card label (PictureCard.label)
VOICE = "cmn"
# A little slower than espeak-ng's 175 words a minute: the listeners are six.
SPEED = 140
TIMEOUT_S = 20
# A fixed Ogg stream serial (oggenc picks a random one): the same label and the same
# espeak-ng make the same bytes, so `make-clips` run again changes no file in git.
SERIAL = "20260"


class SpeechUnavailable(Exception):
    """espeak-ng is not installed (or failed): no clip could be made."""


def available() -> bool:
    return shutil.which("espeak-ng") is not None


def makes_ogg() -> bool:
    """Whether speak() gives Ogg Vorbis (oggenc, from vorbis-tools, is installed)."""
    return shutil.which("oggenc") is not None


def speak(text: str) -> tuple[bytes, str]:
    """(audio, extension) of `text` said in Mandarin: ("ogg") when oggenc is present,
    else ("wav"). ValueError for an empty or too long text."""
    text = " ".join((text or "").split())
    if not text:
        raise ValueError("There is nothing to say.")
    if len(text) > MAX_CHARS:
        raise ValueError(f"A spoken label has at most {MAX_CHARS} characters.")
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SpeechUnavailable("espeak-ng is not installed.")
    oggenc = shutil.which("oggenc")
    with tempfile.TemporaryDirectory(prefix="kids-speech-") as tmp:
        # Written to a file, not stdout: on stdout espeak-ng cannot go back to fill in
        # the WAV header's lengths, and some players refuse the placeholder.
        wav = Path(tmp) / "clip.wav"
        _run([espeak, "-v", VOICE, "-s", str(SPEED), "-w", str(wav), "--stdin"],
             text.encode("utf-8"))
        if oggenc is None:
            return wav.read_bytes(), "wav"
        ogg = Path(tmp) / "clip.ogg"
        _run([oggenc, "-Q", "-q", "1", "-s", SERIAL, "-o", str(ogg), str(wav)], b"")
        return ogg.read_bytes(), "ogg"


def _run(args: list[str], stdin: bytes) -> None:
    try:
        result = subprocess.run(args, input=stdin, capture_output=True, timeout=TIMEOUT_S,
                                check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SpeechUnavailable(f"{Path(args[0]).name} did not finish: {exc}") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()[:200]
        raise SpeechUnavailable(f"{Path(args[0]).name} failed ({result.returncode}): {message}")
