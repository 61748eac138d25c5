"""The children's count: picks per picture, shown apart from the adults' results and
never added into them (it reads only the children's tables)."""
from __future__ import annotations

import zlib
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db

from .models import ChildBallot, ChildChoice, PictureCard
from .voting import cards_of, part_of


@dataclass
class PictureLine:
    card: PictureCard
    picks: int
    favourite: bool = False


@dataclass
class ChildrensResult:
    lines: list[PictureLine]  # most picks first, then the ballot's order
    children: int  # ballots, one per child
    budget_fen: int | None  # the favourite's own small budget, when the round has one

    @property
    def favourites(self) -> list[PictureLine]:
        return [line for line in self.lines if line.favourite]

    @property
    def most(self) -> int:
        return max((line.picks for line in self.lines), default=0)


def children_count(round_) -> int:
    return db.session.scalar(select(func.count()).select_from(ChildBallot)
                             .where(ChildBallot.round_id == round_.id)) or 0


def picks_by_entry(round_) -> dict[int, int]:
    return dict(db.session.execute(
        select(ChildChoice.entry_id, func.count())
        .join(ChildBallot, ChildBallot.id == ChildChoice.ballot_id)
        .where(ChildBallot.round_id == round_.id)
        .group_by(ChildChoice.entry_id)).tuples().all())


def count(round_) -> ChildrensResult:
    part = part_of(round_)
    picks = picks_by_entry(round_)
    cards = cards_of(round_)
    order = {c.entry_id: i for i, c in enumerate(cards)}
    lines = sorted((PictureLine(c, picks.get(c.entry_id, 0)) for c in cards),
                   key=lambda line: (-line.picks, order[line.card.entry_id]))
    top = max((line.picks for line in lines), default=0)
    for line in lines:
        line.favourite = top > 0 and line.picks == top
    return ChildrensResult(lines, children_count(round_),
                           part.budget_fen if part is not None else None)


def marker(round_) -> str:
    """Changes whenever what the children's results show can have changed: the ETag of
    the projector fragment (a revised guardian-mode ballot changes picks, not ballots)."""
    picks = sorted(picks_by_entry(round_).items())
    cards = [(c.entry_id, c.label, c.picture) for c in cards_of(round_)]
    text = repr((children_count(round_), picks, cards, round_.state))
    return f"k{round_.id}-{zlib.crc32(text.encode()):08x}"
