"""The owners' decision rule (业主表决): pure arithmetic, no database, no Flask.

Sources: Civil Code art. 278 (2021) and the Supreme People's Court interpretation on
building ownership (最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释),
arts. 8-9. Areas are integer hundredths of a m², and every ratio is compared by
cross-multiplying, so a boundary such as exactly 2/3 is decided exactly.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Civil Code art. 278 para. 1, items (一)-(九), in the statute's order.
MATTERS = ("rules", "statute", "committee", "hire_manager", "use_fund",
           "raise_fund", "rebuild", "change_use", "other_major")
# Art. 278 para. 2: items (六)-(八) need three quarters, the others more than half.
SPECIAL = frozenset({"raise_fund", "rebuild", "change_use"})
CHOICES = ("agree", "against", "abstain")


@dataclass(frozen=True)
class RegisterUnit:
    """One unit of the register in scope; the developer's unsold units share one owner_key."""

    unit_key: str
    area_centi: int
    owner_key: str


@dataclass(frozen=True)
class Tally:
    owners_total: int
    owners_participating: int
    owners_agree: int
    area_total: int
    area_participating: int
    area_agree: int
    conflicts: int
    quorum_area: bool
    quorum_heads: bool
    quorum: bool
    agree_area: bool
    agree_heads: bool
    passed: bool
    result: str  # "passed" | "not_passed" | "no_quorum"


def _check_matter(matter: str) -> None:
    if matter not in MATTERS:
        raise ValueError(f"unknown matter {matter!r}; expected one of {', '.join(MATTERS)}")


def threshold_label(matter: str) -> str:
    _check_matter(matter)
    return "3/4" if matter in SPECIAL else ">1/2"


def _agrees(agree: int, part: int, special: bool) -> bool:
    if part == 0:  # nobody took part, so nobody agreed (and never a 0 >= 0 "pass")
        return False
    # "四分之三以上" includes exactly 3/4; "过半数" means strictly more than half.
    return agree * 4 >= part * 3 if special else agree * 2 > part


def tally(units: Iterable[RegisterUnit], choices: Mapping[str, str], matter: str,
          conflicts: Iterable[str] = frozenset()) -> Tally:
    """Count one owners' decision over the register snapshot `units`.

    `choices` maps owner_key to "agree", "against" or "abstain"; an owner missing from
    it did not vote. `conflicts` are owners whose online and paper choices differ.
    """
    _check_matter(matter)
    # Interpretation art. 8: an owner's share is the exclusive area of their units;
    # art. 9: one owner of several units (and the developer's unsold units) counts once.
    area_of: dict[str, int] = {}
    seen: set[str] = set()
    for unit in units:
        if unit.unit_key in seen:
            raise ValueError(f"unit {unit.unit_key!r} appears twice in the register")
        seen.add(unit.unit_key)
        area = unit.area_centi
        if type(area) is not int or area <= 0:
            raise ValueError(f"unit {unit.unit_key!r} has area {area!r}; "
                             "expected a positive integer of hundredths of a m²")
        area_of[unit.owner_key] = area_of.get(unit.owner_key, 0) + area
    for owner, choice in choices.items():
        if owner not in area_of:
            raise ValueError(f"choice given for owner {owner!r}, who is not in the register")
        if choice not in CHOICES:
            raise ValueError(f"owner {owner!r} has unknown choice {choice!r}; "
                             f"expected one of {', '.join(CHOICES)}")
    conflicts = frozenset(conflicts)
    for owner in conflicts:
        if owner not in area_of:
            raise ValueError(f"conflict for owner {owner!r}, who is not in the register")

    # 弃权 takes part but never agrees; a conflict took part (it voted twice) but
    # counts as agreeing only once resolved; a non-voter neither takes part nor agrees.
    taking_part = set(choices) | conflicts
    agreeing = {o for o, c in choices.items() if c == "agree"} - conflicts

    owners_total, area_total = len(area_of), sum(area_of.values())
    heads_part, area_part = len(taking_part), sum(area_of[o] for o in taking_part)
    heads_agree, area_agree = len(agreeing), sum(area_of[o] for o in agreeing)

    # Art. 278 para. 2: "三分之二以上" includes exactly 2/3; an empty scope has no quorum.
    quorum_area = owners_total > 0 and area_part * 3 >= area_total * 2
    quorum_heads = owners_total > 0 and heads_part * 3 >= owners_total * 2
    quorum = quorum_area and quorum_heads
    # Agreement is measured against those taking part, not the totals (Civil Code 2021).
    special = matter in SPECIAL
    agree_area = _agrees(area_agree, area_part, special)
    agree_heads = _agrees(heads_agree, heads_part, special)
    passed = quorum and agree_area and agree_heads
    result = "passed" if passed else "not_passed" if quorum else "no_quorum"
    return Tally(owners_total, heads_part, heads_agree, area_total, area_part, area_agree,
                 len(conflicts), quorum_area, quorum_heads, quorum, agree_area, agree_heads,
                 passed, result)
