"""Communities, buildings, units, and the people in them with their roles.

Each community's accounts get one block of ids: its admin, staff, chairs and council
first, then residents; the unverified few come last, so the verified members of a
community (who may vote in its person rounds) are one contiguous id range.
"""
from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.low_level import hash_secret

from . import texts
from .bulk import token
from .presets import EPOCH, PASSWORD

UNVERIFIED_SHARE = 0.08
OWNER_SHARE = 0.5  # of the units whose first resident holds the deed online


@dataclass
class Place:
    """A community as the generator knows it."""
    id: int
    index: int
    slug: str
    name: str
    weight: float
    buildings: list[tuple[int, str]] = field(default_factory=list)
    units: list[tuple[int, int]] = field(default_factory=list)  # (unit id, building id)
    verified: list[int] = field(default_factory=list)  # user ids, contiguous
    unverified: list[int] = field(default_factory=list)
    admin: int = 0
    staff: list[int] = field(default_factory=list)
    chairs: list[int] = field(default_factory=list)
    council: list[int] = field(default_factory=list)
    home: dict[int, int] = field(default_factory=dict)  # user id -> building id
    owners: list[tuple[int, int]] = field(default_factory=list)  # verified (user, unit)
    names: dict[int, str] = field(default_factory=dict)  # owners' display names


def password_hash(rng) -> str:
    """One argon2id hash shared by every account, with the site's parameters and a salt
    from our generator (a random salt would make every run differ)."""
    return _hash(rng.randbytes(16))


@lru_cache(maxsize=4)
def _hash(salt: bytes) -> str:
    ph = PasswordHasher()  # argon2 is slow on purpose: once per salt and process
    return hash_secret(PASSWORD.encode(), salt, time_cost=ph.time_cost,
                       memory_cost=ph.memory_cost, parallelism=ph.parallelism,
                       hash_len=ph.hash_len, type=ph.type).decode()


def sizes(total: int, n: int) -> list[int]:
    """Residents per community: Zipf-like, the biggest first (a quarter of a city)."""
    weights = [1 / (i + 1) for i in range(n)]
    s = sum(weights)
    out = [max(30, int(total * w / s)) for w in weights]
    out[0] += total - sum(out)
    return out


class People:
    def __init__(self, w):
        self.w = w
        self.hash = password_hash(w.rng)
        self.places: list[Place] = []

    def run(self) -> list[Place]:
        p = self.w.preset
        counts = sizes(p.residents, p.communities)
        total = sum(counts)
        for i, n in enumerate(counts):
            self.places.append(self._community(i, n, n / total))
        self._site_admin()
        return self.places

    # --- places -------------------------------------------------------------------

    def _community(self, i: int, residents: int, weight: float) -> Place:
        w = self.w
        slug, name = texts.COMMUNITIES[i % len(texts.COMMUNITIES)]
        if i >= len(texts.COMMUNITIES):
            slug, name = f"{slug}{i // len(texts.COMMUNITIES) + 1}", f"{name}{i // len(texts.COMMUNITIES) + 1}"
        place = Place(w.loader.new_id("community"), i, slug, name + "居民区", weight)
        w.loader.add("community", dict(
            id=place.id, slug=slug, name=place.name, district=texts.DISTRICTS[i % 4],
            description=f"{place.name}有{residents}位居民在议事厅上登记。",
            notice_days=7, created_at=w.history_start - timedelta(days=400)))
        self._buildings(place, math.ceil(residents / 2.3))
        self._accounts(place, residents)
        return place

    def _buildings(self, place: Place, households: int) -> None:
        w, rng = self.w, self.w.rng
        estate = place.name[:-3] + rng.choice(texts.ESTATE_KINDS)
        made, k = 0, 0
        while made < households:
            k += 1
            floors, per_floor = rng.choice(((6, 2), (6, 4), (7, 3), (18, 6), (24, 4)))
            bid = w.loader.new_id("building")
            bname = f"{estate}{k}号楼"
            w.loader.add("building", dict(id=bid, community_id=place.id, name=bname))
            place.buildings.append((bid, bname))
            plan = [rng.randint(4000, 14000) for _ in range(per_floor)]
            for floor in range(1, floors + 1):
                for j in range(per_floor):
                    uid = w.loader.new_id("unit")
                    w.loader.add("unit", dict(id=uid, building_id=bid,
                                              number=f"{floor}{j + 1:02d}",
                                              area_centi_m2=plan[j]))
                    place.units.append((uid, bid))
            made += floors * per_floor

    # --- people -------------------------------------------------------------------

    def _user(self, username: str, display_name: str, created, admin: bool = False) -> int:
        w = self.w
        uid = w.loader.new_id("user")
        w.loader.add("user", dict(id=uid, username=username, display_name=display_name,
                                  password_hash=self.hash, session_token=token(w.rng, 24),
                                  is_site_admin=admin, disabled=False, is_demo=False,
                                  created_at=created))
        return uid

    def _accounts(self, place: Place, residents: int) -> None:
        w, rng = self.w, self.w.rng
        council = max(3, min(9, residents // 40))
        roles = ["admin", "staff", "staff", "chair"] + ["council"] * council
        unverified = max(1, int(residents * UNVERIFIED_SHARE))
        first = w.history_start - timedelta(days=200)
        span = 190 * 86400 / max(1, residents)
        for n in range(residents):
            role = roles[n] if n < len(roles) else "resident"
            created = first + timedelta(seconds=int(n * span) + rng.randint(0, 3600))
            username = f"{place.slug}_{role}{n + 1}" if role != "resident" \
                else f"{place.slug}_{n + 1:05d}"
            name = texts.person_name(rng)
            uid = self._user(username, name, created)
            verified = n < residents - unverified
            (place.verified if verified else place.unverified).append(uid)
            unit_id, building_id = place.units[n % len(place.units)]
            place.home[uid] = building_id
            if role == "admin":
                place.admin = uid
            elif role == "staff":
                place.staff.append(uid)
            elif role == "chair":
                place.chairs.append(uid)
            elif role == "council":
                place.council.append(uid)
            grants = [role] if role != "resident" else []
            first_in_unit = n < len(place.units)
            if verified and first_in_unit and rng.random() < OWNER_SHARE:
                grants.append("owner")
                place.owners.append((uid, unit_id))
                place.names[uid] = name
            self._member(place, uid, building_id, created, verified, grants)
        self._register(place)

    def _member(self, place: Place, uid: int, building_id: int, created, verified: bool,
                grants: list[str]) -> None:
        w = self.w
        mid = w.loader.new_id("membership")
        verifier = place.admin if uid in place.staff or uid == place.admin else \
            (place.staff[0] if place.staff else place.admin)
        w.loader.add("membership", dict(
            id=mid, user_id=uid, community_id=place.id, building_id=building_id,
            verified_at=created + timedelta(hours=2) if verified else None,
            verified_by_id=(verifier or None) if verified else None, joined_at=created))
        for role in grants:
            w.loader.add("member_role", dict(id=w.loader.new_id("member_role"),
                                             membership_id=mid, role=role))

    def _register(self, place: Place) -> None:
        """Every unit has its owner in the register; some owners are linked accounts."""
        w, rng = self.w, self.w.rng
        linked = dict((unit, user) for user, unit in place.owners)
        staff = place.staff[0]
        for unit_id, _b in place.units:
            user = linked.get(unit_id)
            w.loader.add("unit_ownership", dict(
                id=w.loader.new_id("unit_ownership"), unit_id=unit_id, user_id=user,
                owner_name=place.names[user] if user else texts.person_name(rng),
                verified_by_id=staff if user else None,
                verified_at=w.history_start - timedelta(days=5) if user else None))

    def _site_admin(self) -> None:
        self.w.site_admin = self._user("scale_admin", "平台管理员",
                                       self.w.history_start - timedelta(days=400), admin=True)


def history_start(years: int):
    return EPOCH - timedelta(days=365 * years)
