"""`flask --app wsgi kids cards | make-clips`: printed voting cards and the spoken clips.

`cards` mints one-time codes for a round's children's ballot and writes them as a
printable A4 page, eight cards to a page, each with a QR code that opens the card
ballot. The codes are stored hashed only: the page is the one place they exist in plain
text, so it is written before the codes are committed, and removed if the commit fails.
The page is a local file for staff to print, never served by the site, so it carries its
stylesheet and pictures inline and works opened from disk.
"""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app, render_template, url_for
from flask.cli import with_appcontext
from markupsafe import Markup
from sqlalchemy import select

from app.database import write_transaction
from app.extensions import db
from app.i18n import DEFAULT, LANGUAGES
from app.qr import qr_svg

from . import codes, speech
from .models import ChildCode
from .pictures import PICTURES
from .voting import part_of

kids_group = click.Group("kids", help="Children's ballot: printed voting cards, spoken clips.")

CARDS_PER_PAGE = 8
MAX_CARDS = 500


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def static_path(*parts: str) -> Path:
    return Path(current_app.static_folder, *parts)


def inline_svg(path: Path) -> Markup:
    """A picture file's SVG for inlining, hidden from screen readers (decoration)."""
    return Markup(path.read_text(encoding="utf-8").replace("<svg ", '<svg aria-hidden="true" ', 1))  # nosec B704: our own static file


def card_round(round_id: int):
    from proposals.rounds.models import Round
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        fail(f"There is no round {round_id}.")
    if part_of(round_) is None:
        fail(f"Round {round_id} has no children's part: add one on the round's "
             "children's set-up page first.")
    if round_.state in ("closed", "adopted"):
        fail(f"Round {round_id} is {round_.state}: children can no longer vote in it.")
    return round_


def default_out(round_id: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(current_app.instance_path) / "kids-cards" / f"round-{round_id}-{stamp}.html"


def card_link(round_, code: str) -> str:
    """The card ballot's address for a phone scanning the card (PUBLIC_URL), as the
    notice poster's QR code is built."""
    return current_app.config["SETTINGS"].public_url + url_for(
        "kids.card_ballot", slug=round_.community.slug, round_id=round_.id, code=code)


def sheet_html(round_, minted: list[str]) -> str:
    """The printable page of these freshly minted codes (call in a request context)."""
    from flask_babel import gettext as _
    avatars = {row.digest: row.avatar for row in db.session.scalars(
        select(ChildCode).where(ChildCode.round_id == round_.id,
                                ChildCode.digest.in_([codes.digest(c) for c in minted])))}
    pictures = {}
    cards = []
    for code in minted:
        avatar = avatars.get(codes.digest(code), "cat")
        if avatar not in pictures:
            pictures[avatar] = inline_svg(static_path("kids", "avatars", f"{avatar}.svg"))
        link = card_link(round_, code)
        cards.append({"code": code, "avatar": pictures[avatar], "link": link,
                      "qr": qr_svg(link,
                                   label=_("QR code of a children's voting card"),
                                   css_class="card-qr")})
    pages = [cards[i:i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    css = static_path("css", "kids-cards.css").read_text(encoding="utf-8")
    return render_template("kids/cards_sheet.html", round=round_, pages=pages,
                           count=len(cards), css=Markup(css))  # nosec B704: our own static file


@kids_group.command("cards")
@click.argument("round_id", metavar="ROUND", type=int)
@click.option("--count", type=click.IntRange(1, MAX_CARDS), default=40, show_default=True,
              help=f"How many cards (1 to {MAX_CARDS}).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The page to write (default: the instance folder's kids-cards/).")
@click.option("--lang", type=click.Choice(sorted(LANGUAGES)), default=DEFAULT,
              show_default=True, help="Language of the words on the cards.")
@with_appcontext
def cards_command(round_id: int, count: int, out: Path | None, lang: str) -> None:
    """Print COUNT one-time voting cards for round ROUND's children's ballot.

    Writes a page to print on A4 (eight cards a page, cut along the dotted lines) and
    prints its path as the last line. Each card's code works once. The codes are stored
    hashed: keep the page safe until the cards are handed out, and delete it after
    printing. Refused for a round without a children's part, or closed or adopted.
    """
    round_ = card_round(round_id)
    out = out or default_out(round_id)
    if out.exists():
        fail(f"{out} exists already: give another file with --out. No cards were made.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"Cannot make the folder {out.parent}: {exc.strerror}. No cards were made.")
    written = False
    try:
        with write_transaction():
            round_ = card_round(round_id)  # afresh, in the writing transaction
            minted = codes.mint_cards(round_, count)
            with current_app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
                html = sheet_html(round_, minted)
            # "x": never overwrite a page whose codes may not be printed yet.
            with open(out, "x", encoding="utf-8") as fh:
                written = True
                fh.write(html)
    except OSError as exc:
        if written:
            out.unlink(missing_ok=True)
        fail(f"Cannot write {out}: {exc.strerror or exc}. No cards were made.")
    except Exception:
        if written:  # the codes were not stored: a printed card would not work
            out.unlink(missing_ok=True)
        raise
    click.echo(f"{count} cards for round {round_id} ({round_.title}): print the page on "
               "A4, cut along the dotted lines, and delete the file afterwards:")
    click.echo(str(out.resolve()))


@kids_group.command("make-clips")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder to write them to (default: static/kids/clips).")
@with_appcontext
def make_clips_command(out: Path | None) -> None:
    """(Re)make the spoken clip of every built-in picture: its Chinese word in
    espeak-ng's Mandarin voice, as Ogg Vorbis (needs espeak-ng and oggenc)."""
    if not speech.available():
        fail("espeak-ng is not installed (apt-get install espeak-ng vorbis-tools).")
    if not speech.makes_ogg():
        fail("oggenc is not installed (apt-get install vorbis-tools): the clips are Ogg.")
    out = out or static_path("kids", "clips")
    out.mkdir(parents=True, exist_ok=True)
    wrote = 0
    for picture in PICTURES:
        try:
            audio, _ext = speech.speak(picture.zh)
        except speech.SpeechUnavailable as exc:
            fail(f"{picture.key}: {exc}")
        path = out / f"{picture.key}.ogg"
        if path.exists() and path.read_bytes() == audio:
            click.echo(f"unchanged {path.name} ({picture.zh})")
            continue
        path.write_bytes(audio)
        wrote += 1
        click.echo(f"wrote {path.name} ({picture.zh}, {len(audio)} bytes)")
    click.echo(f"{wrote} of {len(PICTURES)} clips written to {out}.")
