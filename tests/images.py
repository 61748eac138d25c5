"""Small images made on the fly for upload tests."""
from __future__ import annotations

from io import BytesIO

from PIL import Image


def jpeg_bytes(size=(64, 48), color=(200, 120, 40), exif=None) -> bytes:
    out = BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png_bytes(size=(32, 32)) -> bytes:
    out = BytesIO()
    Image.new("RGBA", size, (10, 200, 90, 255)).save(out, "PNG")
    return out.getvalue()


def gps_exif() -> Image.Exif:
    """EXIF with a GPS position (Shanghai) and a camera make."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 13.0, 30.0)
    gps[3] = "E"
    gps[4] = (121.0, 26.0, 10.0)
    return exif
