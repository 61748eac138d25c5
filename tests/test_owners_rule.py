"""The owners' decision rule (proposals.owners.rule): boundaries, a real building, and a
random comparison with a deliberately simple Fraction-based second implementation."""
from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from proposals.owners import rule
from proposals.owners.rule import MATTERS, RegisterUnit, tally


def register(*areas: int) -> list[RegisterUnit]:
    """One unit per owner: owner o0 holds unit u0 of areas[0], and so on."""
    return [RegisterUnit(f"u{i}", a, f"o{i}") for i, a in enumerate(areas)]


def votes(**by_choice: range | list[int]) -> dict[str, str]:
    """votes(agree=[0, 1], against=range(2, 4)) -> {"o0": "agree", ..., "o3": "against"}."""
    return {f"o{i}": choice for choice, ids in by_choice.items() for i in ids}


# --- the matters ---------------------------------------------------------------------

def test_matters_and_thresholds():
    assert len(MATTERS) == len(set(MATTERS)) == 9
    assert rule.SPECIAL == {"raise_fund", "rebuild", "change_use"}
    assert set(rule.SPECIAL) < set(MATTERS)
    assert [rule.threshold_label(m) for m in ("raise_fund", "rebuild", "change_use")] == ["3/4"] * 3
    for m in ("rules", "statute", "committee", "hire_manager", "use_fund", "other_major"):
        assert rule.threshold_label(m) == ">1/2"
    with pytest.raises(ValueError, match="unknown matter"):
        rule.threshold_label("lift")


# --- quorum: 2/3 of the area AND 2/3 of the owners, exactly 2/3 is enough ------------

@pytest.mark.parametrize("areas, taking_part, quorum_area, quorum_heads", [
    ([100, 100, 100], [0, 1], True, True),          # exactly 2/3 of both
    ([100, 100, 100], [0], False, False),           # one owner fewer
    ([100, 100, 101], [0, 1], False, True),         # 200/301 area: just below 2/3
    ([100, 100, 99], [0, 1], True, True),           # 200/299 area: just above
    ([1000, 1, 1, 1, 1, 1], [0, 1, 2, 3], True, True),   # 4/6 heads: exactly 2/3
    ([1000, 1, 1, 1, 1, 1], [0, 1, 2], True, False),     # 3/6 heads: one owner fewer
    ([100] * 192, range(128), True, True),          # 128/192 = 2/3 exactly
    ([100] * 192, range(127), False, False),
])
def test_quorum_boundaries(areas, taking_part, quorum_area, quorum_heads):
    t = tally(register(*areas), votes(abstain=taking_part), "use_fund")
    assert (t.quorum_area, t.quorum_heads) == (quorum_area, quorum_heads)
    assert t.quorum == (quorum_area and quorum_heads)
    if not t.quorum:
        assert t.result == "no_quorum" and not t.passed


# --- agreement, measured against those taking part ------------------------------------

@pytest.mark.parametrize("matter, areas, agree, against, agree_area, agree_heads", [
    # special: at least 3/4 of participating area and owners
    ("raise_fund", [100] * 4, [0, 1, 2], [3], True, True),                # exactly 3/4
    ("raise_fund", [100] * 4, [0, 1], [2, 3], False, False),
    ("rebuild", [100, 100, 100, 101], [0, 1, 2], [3], False, True),       # 300/401 area
    ("rebuild", [100, 100, 100, 99], [0, 1, 2], [3], True, True),         # 300/399 area
    ("change_use", [100] * 5 + [1] * 3, range(6), [6, 7], True, True),     # 6/8 heads
    ("change_use", [100] * 5 + [1] * 3, range(5), [5, 6, 7], True, False),  # 5/8 heads
    ("raise_fund", [100] * 192, range(144), range(144, 192), True, True),  # 144/192
    ("raise_fund", [100] * 192, range(143), range(143, 192), False, False),
    # ordinary: more than half; exactly half fails
    ("use_fund", [100] * 4, [0, 1], [2, 3], False, False),                # exactly 1/2
    ("use_fund", [100] * 4, [0, 1, 2], [3], True, True),
    ("committee", [100, 100, 200], [0, 1], [2], False, True),             # area 200/400
    ("committee", [100, 101, 200], [0, 1], [2], True, True),              # area 201/401
    ("hire_manager", [300, 100, 100, 100], [0], [1, 2, 3], False, False), # area 300/600
    ("hire_manager", [301, 100, 100, 100], [0, 1], [2, 3], True, False),  # heads 2/4
    ("rules", [100] * 5, [0, 1, 2], [3, 4], True, True),                  # heads 3/5
])
def test_agreement_boundaries(matter, areas, agree, against, agree_area, agree_heads):
    t = tally(register(*areas), votes(agree=agree, against=against), matter)
    assert t.quorum  # everyone took part
    assert (t.agree_area, t.agree_heads) == (agree_area, agree_heads)
    assert t.passed == (agree_area and agree_heads)
    assert t.result == ("passed" if t.passed else "not_passed")


def test_a_large_owner_carries_the_area_but_not_the_heads_and_the_reverse():
    units = register(1000, 10, 10, 10)
    big = tally(units, votes(agree=[0], against=[1, 2, 3]), "use_fund")
    assert (big.agree_area, big.agree_heads, big.result) == (True, False, "not_passed")
    small = tally(units, votes(agree=[1, 2, 3], against=[0]), "use_fund")
    assert (small.agree_area, small.agree_heads, small.result) == (False, True, "not_passed")


def test_an_owner_with_three_units_counts_once_with_all_their_area():
    units = [RegisterUnit("101", 100, "A"), RegisterUnit("102", 200, "A"),
             RegisterUnit("103", 300, "A"), RegisterUnit("201", 50, "B"),
             RegisterUnit("202", 50, "C")]
    t = tally(units, {"A": "agree", "B": "against"}, "use_fund")
    assert (t.owners_total, t.area_total) == (3, 700)
    assert (t.owners_participating, t.area_participating) == (2, 650)
    assert (t.owners_agree, t.area_agree) == (1, 600)
    assert t.quorum and t.agree_area and not t.agree_heads  # 1 of 2 is not more than half
    assert t.result == "not_passed"


def test_the_developers_unsold_units_count_once_together():
    units = [RegisterUnit(f"d{i}", 100, "developer") for i in range(10)]
    units += [RegisterUnit("x", 100, "X"), RegisterUnit("y", 100, "Y")]
    t = tally(units, {"developer": "against", "X": "agree", "Y": "agree"}, "hire_manager")
    assert (t.owners_total, t.area_total) == (3, 1200)
    assert (t.owners_agree, t.area_agree) == (2, 200)
    assert t.agree_heads and not t.agree_area and t.result == "not_passed"


def test_abstentions_take_part_and_only_withhold_agreement():
    units = register(100, 100, 100)
    t = tally(units, votes(agree=[0], abstain=[1, 2]), "use_fund")
    assert t.quorum and t.owners_participating == 3 and t.area_participating == 300
    assert (t.owners_agree, t.area_agree) == (1, 100) and t.result == "not_passed"
    # an abstention weighs exactly like a vote against: in the denominator, never agreeing
    assert t == tally(units, votes(agree=[0], against=[1, 2]), "use_fund")
    # and without the abstentions there would be no quorum at all
    assert tally(units, votes(agree=[0]), "use_fund").result == "no_quorum"


def test_non_voters_never_agree():
    units = register(100, 100, 100, 100)
    t = tally(units, votes(agree=[0, 1]), "use_fund")
    assert (t.owners_participating, t.owners_agree) == (2, 2)
    assert t.result == "no_quorum"  # silence is not consent (no 默认同意)
    # agreement is against those taking part: a silent fourth owner does not block 3/4
    assert tally(units, votes(agree=[0, 1, 2]), "raise_fund").result == "passed"


def test_a_conflict_takes_part_but_does_not_agree_and_counts_once():
    units = register(100, 100, 100)
    t = tally(units, votes(agree=[0, 1, 2]), "rules", conflicts={"o0"})
    assert t.conflicts == 1
    assert (t.owners_participating, t.area_participating) == (3, 300)
    assert (t.owners_agree, t.area_agree) == (2, 200)
    assert t.result == "passed"  # 2 of 3 is more than half
    special = tally(units, votes(agree=[0, 1, 2]), "rebuild", conflicts={"o0"})
    assert special.result == "not_passed"  # 2 of 3 is below 3/4
    # a conflicting owner with no online choice recorded still took part
    t = tally(units, votes(agree=[1]), "rules", conflicts={"o0"})
    assert (t.owners_participating, t.owners_agree) == (2, 1)


def test_an_empty_scope_has_no_quorum():
    t = tally([], {}, "raise_fund")
    assert t == rule.Tally(0, 0, 0, 0, 0, 0, 0, False, False, False, False, False, False,
                           "no_quorum")


def test_nobody_taking_part_agrees_to_nothing():
    t = tally(register(100, 100), {}, "raise_fund")
    assert not t.agree_area and not t.agree_heads and t.result == "no_quorum"


@pytest.mark.parametrize("units, choices, matter, conflicts, message", [
    (register(-1), {}, "rules", (), "positive integer"),
    (register(0), {}, "rules", (), "positive integer"),
    (register(10.5), {}, "rules", (), "positive integer"),
    (register(True), {}, "rules", (), "positive integer"),
    (register(100), {"o0": "yes"}, "rules", (), "unknown choice"),
    (register(100), {}, "lift", (), "unknown matter"),
    (register(100), {"o9": "agree"}, "rules", (), "not in the register"),
    (register(100), {}, "rules", {"o9"}, "not in the register"),
    ([RegisterUnit("u", 1, "a"), RegisterUnit("u", 2, "b")], {}, "rules", (), "twice"),
])
def test_bad_input_is_refused(units, choices, matter, conflicts, message):
    with pytest.raises(ValueError, match=message):
        tally(units, choices, matter, conflicts)


# --- a real building -----------------------------------------------------------------

def heping_d():
    """和平花园 D座 (seeds/001): 24 residential floors of 8 flats, 192 households."""
    sizes = [8650, 10235, 7420, 12080, 8650, 10235, 7420, 12080]  # hundredths of m²
    return [RegisterUnit(f"D-{floor}{flat + 1:02d}", sizes[flat], f"D-{floor}{flat + 1:02d}")
            for floor in range(2, 26) for flat in range(8)]


def test_heping_garden_block_d_all_192_households_raise_the_fund():
    units = heping_d()
    t = tally(units, {u.owner_key: "agree" for u in units}, "raise_fund")
    assert t.owners_total == t.owners_participating == t.owners_agree == 192
    assert t.area_total == t.area_agree == 24 * 2 * (8650 + 10235 + 7420 + 12080)
    assert t.passed and t.result == "passed"


def test_heping_garden_block_d_at_the_three_quarter_line():
    units = heping_d()
    keys = [u.owner_key for u in units]
    # 144 of 192 is exactly 3/4 of the heads; the area agreeing is 3/4 too (18 whole floors)
    yes = {k: "agree" for k in keys[:144]} | {k: "against" for k in keys[144:]}
    assert tally(units, yes, "raise_fund").result == "passed"
    one_less = yes | {keys[143]: "abstain"}
    assert tally(units, one_less, "raise_fund").result == "not_passed"


# --- a second, deliberately simple implementation ------------------------------------

def simple_tally(units, choices, matter, conflicts):
    area = {}
    for u in units:
        area[u.owner_key] = area.get(u.owner_key, 0) + u.area_centi
    owners = list(area)
    taking_part = [o for o in owners if o in choices or o in conflicts]
    agreeing = [o for o in taking_part if choices.get(o) == "agree" and o not in conflicts]
    n_total, n_part, n_agree = len(owners), len(taking_part), len(agreeing)
    a_total = sum(area[o] for o in owners)
    a_part = sum(area[o] for o in taking_part)
    a_agree = sum(area[o] for o in agreeing)

    if n_total == 0:
        quorum_area = quorum_heads = False
    else:
        quorum_area = Fraction(a_part, a_total) >= Fraction(2, 3)
        quorum_heads = Fraction(n_part, n_total) >= Fraction(2, 3)

    def agreed(yes, part):
        if part == 0:
            return False
        if matter in ("raise_fund", "rebuild", "change_use"):
            return Fraction(yes, part) >= Fraction(3, 4)
        return Fraction(yes, part) > Fraction(1, 2)

    agree_area, agree_heads = agreed(a_agree, a_part), agreed(n_agree, n_part)
    quorum = quorum_area and quorum_heads
    passed = quorum and agree_area and agree_heads
    if not quorum:
        result = "no_quorum"
    elif passed:
        result = "passed"
    else:
        result = "not_passed"
    return dict(owners_total=n_total, owners_participating=n_part, owners_agree=n_agree,
                area_total=a_total, area_participating=a_part, area_agree=a_agree,
                conflicts=len(conflicts), quorum_area=quorum_area, quorum_heads=quorum_heads,
                quorum=quorum, agree_area=agree_area, agree_heads=agree_heads,
                passed=passed, result=result)


MOODS = [
    [None, "agree", "against", "abstain"],
    ["agree"] * 8 + ["against", "abstain", None],
    ["agree"] * 3 + ["against", None],
    ["agree", "agree", "against"],
    ["agree", None, None],
    [None],
]
AREAS = st.one_of(st.sampled_from([6000, 8650, 10000, 12080]), st.integers(1, 40000))


@st.composite
def decisions(draw):
    owners = [f"owner{i}" for i in range(draw(st.integers(1, 40)))]
    if draw(st.booleans()):
        owners.append("developer")
    # sometimes a plain block of equal flats, one per owner: the area ratios then equal
    # the head ratios, so exact 2/3 and 3/4 area boundaries come up too
    flat = draw(st.one_of(st.none(), AREAS))
    units = []
    for owner in owners:
        if owner == "developer":
            count = draw(st.integers(2, 8))
        else:
            count = 1 if flat else draw(st.integers(1, 4))
        units += [RegisterUnit(f"{owner}/{j}", flat or draw(AREAS), owner) for j in range(count)]
    units = draw(st.permutations(units))
    # a mood per building, so that passed, not_passed and no_quorum all come up often
    mood = draw(st.sampled_from(MOODS))
    picks = draw(st.lists(st.sampled_from(mood), min_size=len(owners), max_size=len(owners)))
    choices = {o: c for o, c in zip(owners, picks) if c is not None}
    conflicts = draw(st.sets(st.sampled_from(owners), max_size=draw(st.sampled_from([0, 2, 40]))))
    return units, choices, draw(st.sampled_from(MATTERS)), conflicts


@settings(max_examples=300, deadline=None)
@given(decisions())
def test_tally_agrees_with_a_simple_fraction_implementation(decision):
    units, choices, matter, conflicts = decision
    got = tally(units, choices, matter, conflicts)
    assert dataclasses.asdict(got) == simple_tally(units, choices, matter, conflicts)
