"""The .pb reader/writer (proposals.counting.pabulib), checked against pabutools."""
from __future__ import annotations

from pathlib import Path

import pytest

from proposals.counting import pabulib as pb

PABULIB = Path(__file__).resolve().parents[2] / "shared" / "pabulib"
FILES = sorted(PABULIB.glob("*.pb")) if PABULIB.is_dir() else []
needs_shared = pytest.mark.skipif(
    not FILES, reason="needs ../shared/pabulib (the real elections; present in CI)")

SMALL = """META
key;value
budget;100.5
vote_type;approval
PROJECTS
project_id;cost;votes;name;selected
1;50.25;2;"Park; with a bench";1
2;60;1;Lamp;0
VOTES
voter_id;vote
a;1,2
b;1
"""


def test_parse_small():
    e = pb.parse(SMALL)
    assert e.budget == 10050
    assert [(p.id, p.cost) for p in e.projects] == [("1", 5025), ("2", 6000)]
    assert e.projects[0].fields["name"] == "Park; with a bench"
    assert e.ballots() == [{"1": 1, "2": 1}, {"1": 1}]
    assert e.selected() == ["1"]


@pytest.mark.parametrize("text, amount", [("12", 1200), ("12.3", 1230), ("12,34", 1234),
                                          ("12.340", 1234), ("0.05", 5)])
def test_money(text, amount):
    assert pb.parse_money(text) == amount
    assert pb.parse_money(pb.format_money(amount)) == amount


@pytest.mark.parametrize("text", ["12.345", "-1", "abc", "", "1.2.3"])
def test_money_refused(text):
    with pytest.raises(pb.PbFormatError):
        pb.parse_money(text)


@pytest.mark.parametrize("bad, line", [
    (SMALL.replace("1;50.25;", "1;50.255;"), 7),
    (SMALL.replace("b;1\n", "b;7\n"), 12),
    (SMALL.replace("2;60;1;Lamp;0", "2;60;1;Lamp"), 8),
    (SMALL.replace("a;1,2", "b;1,2"), 12),
    (SMALL.replace("vote_type;approval", "vote_type;scoring"), 11),
    (SMALL.split("VOTES")[0], None),
])
def test_malformed_names_line(bad, line):
    with pytest.raises(pb.PbFormatError) as err:
        pb.parse(bad)
    if line is not None:
        assert err.value.line == line
        assert f"line {line}" in str(err.value)


def test_ordinal_and_cumulative_weights():
    cum = SMALL.replace("vote_type;approval", "vote_type;cumulative").replace(
        "voter_id;vote", "voter_id;vote;points").replace("a;1,2", "a;1,2;3,2").replace(
        "b;1\n", "b;1;5\n")
    assert pb.parse(cum).ballots() == [{"1": 3, "2": 2}, {"1": 5}]
    ordi = SMALL.replace("vote_type;approval", "vote_type;ordinal\nmax_length;3").replace(
        "a;1,2", "a;2,1")
    assert pb.parse(ordi).ballots() == [{"2": 3, "1": 2}, {"1": 3}]


def _same_as_pabutools(text, path):
    from pabutools.election import parse_pabulib
    path.write_text(text, encoding="utf-8")
    return parse_pabulib(str(path))


@needs_shared
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_parse_every_file(path):
    e = pb.read(path)
    assert len(e.projects) == int(e.meta["num_projects"])
    assert len(e.votes) == int(e.meta["num_votes"])
    assert e.vote_type in pb.VOTE_TYPES
    assert e.budget > 0 and all(p.cost >= 0 for p in e.projects)


ROUND_TRIP = [p for p in FILES if p.stat().st_size < 600_000]


@needs_shared
@pytest.mark.parametrize("path", ROUND_TRIP, ids=lambda p: p.stem)
def test_write_round_trip_pabutools(path, tmp_path):
    from fractions import Fraction
    from pabutools.election import parse_pabulib
    e = pb.read(path)
    inst0, prof0 = parse_pabulib(str(path))
    out = tmp_path / "out.pb"
    out.write_text(pb.write(e), encoding="utf-8")
    inst1, prof1 = parse_pabulib(str(out))
    assert Fraction(inst1.budget_limit) == Fraction(inst0.budget_limit)
    assert {(p.name, Fraction(p.cost)) for p in inst1} == {(p.name, Fraction(p.cost)) for p in inst0}

    def norm(profile):
        out = []
        for b in profile:
            if type(b).__name__ == "OrdinalBallot":
                out.append([p.name for p in b])
            elif hasattr(b, "items"):
                out.append(sorted((p.name, Fraction(s)) for p, s in b.items()))
            elif isinstance(b, (list, tuple)) or type(b).__name__ == "OrdinalBallot":
                out.append([p.name for p in b])
            else:
                out.append(sorted(p.name for p in b))
        return out
    assert norm(prof1) == norm(prof0)
    assert pb.read(out).ballots() == e.ballots()


def test_write_selected_column():
    e = pb.parse(SMALL)
    again = pb.parse(pb.write(e, selected=["2"]))
    assert again.selected() == ["2"]
    assert again.budget == 10050 and again.ballots() == e.ballots()
