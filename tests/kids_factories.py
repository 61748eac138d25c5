"""Test data for the children's part: a round with picture cards, child profiles."""
from __future__ import annotations

from app.extensions import db
from proposals.kids import parts, profiles


def kids_round(make, community, *, picks: int = 1, budget_fen: int | None = None,
               state: str = "open", costs=(40_000_00, 30_000_00, 20_000_00),
               pictures=("swing", "bench", "light")):
    """A round with a children's part whose cards show `pictures` with their own words
    (so each has its built-in clip)."""
    from proposals.kids.pictures import BY_KEY
    r = make.round(community, costs=costs, state="upcoming")
    staff = make.user(community, "staff")
    parts.set_part(r, staff, picks=picks, budget_fen=budget_fen)
    for entry, key in zip(r.entries, pictures):
        parts.set_card(entry, staff, label=BY_KEY[key].zh, builtin=key)
    db.session.commit()
    make.time_round(r, state)
    return r


def child(make, community, guardian=None, *, nickname: str = "小雨", age_band: str = "6-8",
          avatar: str = "rabbit"):
    guardian = guardian or make.user(community)
    c = profiles.create_for_guardian(community, guardian, nickname=nickname,
                                     age_band=age_band, avatar=avatar, consent=True)
    db.session.commit()
    return c


def access_world(make, home, round_) -> dict:
    """What the access tests need of the children's part: the world's round gets one
    (with cards), a guardian's child, and a fresh card code."""
    from proposals.kids import codes
    staff = make.user(home, "staff")
    parts.set_part(round_, staff, picks=1, budget_fen=None)
    kid = child(make, home)
    code = codes.mint_cards(round_, 1)[0]
    db.session.commit()
    return {"child_id": kid.id, "code": code}
