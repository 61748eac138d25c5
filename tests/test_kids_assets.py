"""The children's ballot's pictures and clips: every one the code names is there, is a
plain SVG the site's CSP lets through, or an Ogg Vorbis clip that says something."""
from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from proposals.kids.models import AVATARS
from proposals.kids.pictures import AVATAR_NAMES, MESSAGES, PICTURES

KIDS = Path(__file__).resolve().parent.parent / "static" / "kids"
SVG_NS = "{http://www.w3.org/2000/svg}"
SVGS = ([KIDS / "pictures" / f"{p.key}.svg" for p in PICTURES]
        + [KIDS / "avatars" / f"{a}.svg" for a in AVATAR_NAMES]
        + [KIDS / "messages" / f"{m}.svg" for m in MESSAGES])
# Things the CSP would block, that could run, or that load something from elsewhere.
FORBIDDEN_TAGS = {"style", "script", "text", "foreignObject", "image", "use", "a", "iframe"}


def test_every_avatar_a_profile_may_have_has_a_name():
    assert set(AVATARS) == set(AVATAR_NAMES)


@pytest.mark.parametrize("path", SVGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_picture_is_a_plain_small_svg(path):
    assert path.exists(), f"{path} is missing"
    assert path.stat().st_size < 4096
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 120 120"
    assert root.get("width") is None and root.get("height") is None  # the page sizes it
    for element in root.iter():
        tag = element.tag.removeprefix(SVG_NS)
        assert tag not in FORBIDDEN_TAGS, f"{path.name}: <{tag}>"
        for name, value in element.attrib.items():
            local = name.split("}")[-1]
            assert local != "style", f"{path.name}: style= on <{tag}>"
            assert not local.lower().startswith("on"), f"{path.name}: {local}= on <{tag}>"
            assert local != "href", f"{path.name}: a reference on <{tag}>"
            assert "url(" not in value, f"{path.name}: url() in {local}="


def ogg_pages(data: bytes):
    """(granule position, body) of each Ogg page."""
    pos = 0
    while pos < len(data):
        assert data[pos:pos + 4] == b"OggS", f"no Ogg page at byte {pos}"
        granule = struct.unpack_from("<q", data, pos + 6)[0]
        segments = data[pos + 26]
        table = data[pos + 27:pos + 27 + segments]
        start = pos + 27 + segments
        end = start + sum(table)
        yield granule, data[start:end]
        pos = end


def vorbis_info(data: bytes) -> tuple[int, int, float]:
    """(channels, sample rate, seconds) of an Ogg Vorbis file: the rate from the Vorbis
    identification header, the length from the last page's granule position."""
    pages = list(ogg_pages(data))
    ident = pages[0][1]
    assert ident[:7] == b"\x01vorbis", "the first packet is not a Vorbis identification header"
    channels = ident[11]
    rate = struct.unpack_from("<I", ident, 12)[0]
    samples = max(granule for granule, _body in pages)
    return channels, rate, samples / rate


@pytest.mark.parametrize("picture", PICTURES, ids=lambda p: p.key)
def test_clip_is_a_short_ogg_vorbis_clip_that_says_something(picture):
    path = KIDS / "clips" / f"{picture.key}.ogg"
    assert path.exists(), f"{path} is missing: run flask --app wsgi kids make-clips"
    data = path.read_bytes()
    assert data[:4] == b"OggS"
    assert len(data) < 32 * 1024
    channels, rate, seconds = vorbis_info(data)
    assert channels == 1
    assert rate >= 16000
    assert 0.2 < seconds < 6
