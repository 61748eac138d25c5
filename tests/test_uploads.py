"""Photos are checked, re-encoded and stripped of EXIF; everything else is refused."""
from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from proposals.photos import PhotoRejected, process_photo

from .images import gps_exif, jpeg_bytes, png_bytes

LIMITS = dict(max_bytes=10 * 2**20, max_pixels=40_000_000)


def test_gps_exif_is_stripped():
    raw = jpeg_bytes(exif=gps_exif())
    assert Image.open(BytesIO(raw)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    photo = process_photo(raw, **LIMITS)
    reopened = Image.open(BytesIO(photo.data))
    assert reopened.format == "JPEG"
    assert not reopened.getexif() and "exif" not in reopened.info
    assert (photo.width, photo.height) == (64, 48)


def test_png_and_webp_are_reencoded_in_their_format():
    assert process_photo(png_bytes(), **LIMITS).extension == "png"
    out = BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, "WEBP")
    assert process_photo(out.getvalue(), **LIMITS).extension == "webp"


@pytest.mark.parametrize("raw", [b"%PDF-1.4 not an image", b"", b"GIF89a" + b"\0" * 40,
                                 b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"])
def test_non_images_are_refused(raw):
    with pytest.raises(PhotoRejected):
        process_photo(raw, **LIMITS)


def test_gif_is_refused_even_when_valid():
    out = BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    with pytest.raises(PhotoRejected, match="JPEG|PNG"):
        process_photo(out.getvalue(), **LIMITS)


def test_oversized_file_is_refused():
    with pytest.raises(PhotoRejected):
        process_photo(jpeg_bytes(), max_bytes=100, max_pixels=40_000_000)


def test_pixel_bomb_is_refused_before_decoding():
    # A tiny PNG that claims 30,000 × 30,000 pixels (900 megapixels).
    out = BytesIO()
    Image.new("1", (30000, 30000)).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    with pytest.raises(PhotoRejected):
        process_photo(out.getvalue(), **LIMITS)


def test_truncated_jpeg_is_refused():
    with pytest.raises(PhotoRejected):
        process_photo(jpeg_bytes((400, 300))[:300], **LIMITS)
