"""`flask kids cards | make-clips`: printed one-time voting cards whose codes are stored
hashed only, refused for rounds children cannot vote in; the spoken clips made again."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from flask import url_for
from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import utcnow
from proposals.kids import codes
from proposals.kids.models import ChildCode
from proposals.kids.pictures import PICTURES

from .kids_factories import kids_round
from .test_kids_assets import vorbis_info

CODE_RE = re.compile(r'<p class="card-code">([2-9A-Z]{5}-[2-9A-Z]{5})</p>')
LINK_RE = re.compile(r'<a class="card-scan" href="([^"]+)">')


def cli(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args])


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(result) -> str:
    assert result.exit_code == 1, result.output
    return result.stderr


def card_codes(round_) -> int:
    return db.session.scalar(select(func.count()).select_from(ChildCode)
                             .where(ChildCode.round_id == round_.id))


def every_stored_text() -> str:
    """All the values in all the tables, as one text to search."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            values.extend(str(v) for v in row)
    return "\n".join(values)


def test_cards_writes_a_page_of_n_cards_with_their_codes_stored_hashed(app, make, tmp_path):
    community = make.community()
    r = kids_round(make, community, state="open")
    out = tmp_path / "cards.html"

    stdout = ok(cli(app, "kids", "cards", r.id, "--count", 10, "--out", out, "--lang", "en"))

    assert stdout.strip().splitlines()[-1] == str(out.resolve())
    html = out.read_text(encoding="utf-8")
    assert html.count('class="card-qr"') == 10
    printed = CODE_RE.findall(html)
    assert len(printed) == len(set(printed)) == 10
    assert html.count('class="card"') == 10
    assert r.title in html and "Children's voting card" in html
    # Self-contained: the stylesheet and the pictures are in the page, nothing is fetched.
    assert "<style>" in html and "@page" in html
    assert not re.search(r'<link|<script|<img|src=', html)

    assert card_codes(r) == 10
    stored = every_stored_text()
    for code in printed:
        row = codes.find(r, code)
        assert row is not None and row.kind == "card" and row.used_at is None
        assert row.digest == codes.digest(code)
        assert code not in stored and codes.normalise(code) not in stored


def test_a_printed_card_opens_its_round_card_ballot(app, make, tmp_path):
    community = make.community()
    r = kids_round(make, community, state="upcoming")  # cards may be printed ahead
    out = tmp_path / "cards.html"
    ok(cli(app, "kids", "cards", r.id, "--count", 2, "--out", out))

    html = out.read_text(encoding="utf-8")
    links = LINK_RE.findall(html)
    assert len(links) == 2
    code = CODE_RE.findall(html)[0]
    link = urlsplit(links[0])
    assert f"{link.scheme}://{link.netloc}" == app.config["SETTINGS"].public_url
    with app.test_request_context():
        assert link.path == url_for("kids.card_ballot", slug=community.slug,
                                    round_id=r.id, code=code)
    endpoint, values = app.url_map.bind("localhost").match(link.path)
    assert endpoint == "kids.card_ballot" and values["round_id"] == r.id
    assert codes.find(r, values["code"]) is not None


def test_cards_pages_hold_eight_cards(app, make, tmp_path):
    r = kids_round(make, make.community())
    out = tmp_path / "cards.html"
    ok(cli(app, "kids", "cards", r.id, "--count", 17, "--out", out))
    html = out.read_text(encoding="utf-8")
    assert html.count('<section class="cards-page"') == 3
    assert html.count('class="card-qr"') == 17


def test_cards_go_to_the_instance_folder_by_default(app, make):
    r = kids_round(make, make.community())
    stdout = ok(cli(app, "kids", "cards", r.id, "--count", 1))
    path = Path(stdout.strip().splitlines()[-1])
    assert path.parent == (Path(app.instance_path) / "kids-cards").resolve()
    assert path.name.startswith(f"round-{r.id}-") and path.suffix == ".html"
    assert path.read_text(encoding="utf-8").count('class="card-qr"') == 1
    path.unlink()


def test_cards_are_refused_for_a_round_without_a_childrens_part(app, make, tmp_path):
    r = make.round(make.community(), state="open")
    out = tmp_path / "cards.html"
    message = refused(cli(app, "kids", "cards", r.id, "--out", out))
    assert "no children's part" in message
    assert not out.exists() and card_codes(r) == 0


def test_cards_are_refused_for_a_closed_or_adopted_round(app, make, tmp_path):
    community = make.community()
    for state in ("closed", "adopted"):
        r = kids_round(make, community, state="closed")
        if state == "adopted":
            r.adopted_at = utcnow()
            db.session.commit()
        out = tmp_path / f"{state}.html"
        message = refused(cli(app, "kids", "cards", r.id, "--out", out))
        assert state in message and "can no longer vote" in message
        assert not out.exists() and card_codes(r) == 0


def test_cards_are_refused_for_a_round_that_does_not_exist(app, tmp_path):
    assert "There is no round 999" in refused(
        cli(app, "kids", "cards", 999, "--out", tmp_path / "x.html"))


def test_cards_count_must_be_1_to_500(app, make, tmp_path):
    r = kids_round(make, make.community())
    for count in (0, 501, -3):
        result = cli(app, "kids", "cards", r.id, "--count", count, "--out", tmp_path / "x.html")
        assert result.exit_code != 0 and "--count" in result.output
    assert card_codes(r) == 0 and not (tmp_path / "x.html").exists()


def test_cards_never_overwrite_a_page(app, make, tmp_path):
    r = kids_round(make, make.community())
    out = tmp_path / "cards.html"
    out.write_text("earlier cards", encoding="utf-8")
    assert "exists already" in refused(cli(app, "kids", "cards", r.id, "--out", out))
    assert out.read_text(encoding="utf-8") == "earlier cards"
    assert card_codes(r) == 0


def test_make_clips_writes_every_clip_into_the_folder_given(app, tmp_path):
    folder = tmp_path / "clips"
    stdout = ok(cli(app, "kids", "make-clips", "--out", folder))
    assert f"{len(PICTURES)} of {len(PICTURES)} clips written" in stdout
    for picture in PICTURES:
        assert f"wrote {picture.key}.ogg" in stdout
        data = (folder / f"{picture.key}.ogg").read_bytes()
        assert data[:4] == b"OggS" and vorbis_info(data)[2] > 0.2
    # Made again from the same words, nothing changes (the files are committed).
    again = ok(cli(app, "kids", "make-clips", "--out", folder))
    assert f"0 of {len(PICTURES)} clips written" in again
    assert "unchanged swing.ogg" in again
