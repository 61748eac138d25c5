"""Uploaded photos: checked, re-encoded with Pillow, EXIF stripped, stored under new names.

Nothing of the uploaded file survives but its pixels: metadata (GPS positions of a
child's home especially) is dropped, and names are made by the server.
"""
from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"JPEG": ("jpg", "JPEG"), "PNG": ("png", "PNG"), "WEBP": ("webp", "WEBP")}
MAX_PHOTOS = 6
MAX_SIDE = 2560  # larger photos are scaled down: nobody needs 8000 px on a phone


class PhotoRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProcessedPhoto:
    data: bytes
    extension: str
    width: int
    height: int


def process_photo(raw: bytes, *, max_bytes: int, max_pixels: int) -> ProcessedPhoto:
    """Re-encode an uploaded image, or raise PhotoRejected with a message for the user."""
    if len(raw) > max_bytes:
        raise PhotoRejected(_("Each photo may be at most %(mb)d MB.", mb=max_bytes // 2**20))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(raw))
            if image.format not in ALLOWED:
                raise PhotoRejected(_("Only JPEG, PNG or WebP photos are accepted."))
            if image.width * image.height > max_pixels:
                raise PhotoRejected(_("This image has too many pixels."))
            image.load()
    except PhotoRejected:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PhotoRejected(_("This image has too many pixels."))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PhotoRejected(_("This file is not a photo we can read. "
                              "Please send a JPEG, PNG or WebP image."))
    return _reencode(image)


def _reencode(image: Image.Image) -> ProcessedPhoto:
    extension, fmt = ALLOWED[image.format]
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if fmt == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    image.info = {}  # drop comments, ICC profiles, text chunks and any EXIF copy
    out = BytesIO()
    # No exif= and no info passed on: the new file carries pixels only.
    options = {"quality": 85, "optimize": True} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    image.save(out, fmt, **options)
    return ProcessedPhoto(out.getvalue(), extension, image.width, image.height)


def store(photo: ProcessedPhoto, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{photo.extension}"
    (folder / name).write_bytes(photo.data)
    return name
