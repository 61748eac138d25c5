"""The dashboard's figures: exact sums on hand-made data across Shanghai's new year, the
neighbouring years, nonsense years, and a query count that does not grow with the rows."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from app.extensions import db
from proposals.dashboard import figures as fig
from proposals.stages import STAGES

from . import dashboard_factories as df
from .dashboard_factories import sh
from .querycount import counted_queries


@pytest.fixture
def town(make):
    """Two years of a community's money, with every edge the definitions draw:

    rounds: 60,000.00 opening 00:30 on 1 Jan 2026 Shanghai (23:30 UTC the day before)
      and 50,000.00 opening 23:30 on 31 Dec 2025;
    a plan of 12,345.67 noticed outside a round in 2026 (twice: an objection upheld
      in between), and a round winner noticed in 2026 that is not counted again;
    projects: 林荫道 funded 00:10 on 1 Jan 2026 (40,000 round + 10,000 subsidy), 凉亭
      funded in 2025 (8,000 partner), 车棚 funded in 2026 then cancelled (5,000
      residents), 路灯 funded 00:30 on 1 Jan 2027 (3,000 maintenance fund);
    ledger: 1,000.00 on 31 Dec 2025 and 2,000.00 on 1 Jan 2026 (round), 3,000.50 and
      a reversal of -500.25 in May 2026 (subsidy), 700.00 on the cancelled project,
      100.00 on 31 Dec 2026 and 50.00 on 1 Jan 2027 (partner).
    """
    c = make.community(slug="town")
    author = make.user(c)
    df.round_(c, 60_000_00, sh(2026, 1, 1, 0, 30))
    df.round_(c, 50_000_00, sh(2025, 12, 31, 23, 30))
    df.idea(c, author, "noticed", sh(2026, 1, 5), cost_fen=12_345_67,
            sources=[("subsidy", 12_345_67)],
            changes=[("submitted", "deliberating", sh(2026, 1, 6)),
                     ("deliberating", "planned", sh(2026, 1, 7)),
                     ("planned", "noticed", sh(2026, 2, 1)),
                     ("noticed", "planned", sh(2026, 2, 5)),
                     ("planned", "noticed", sh(2026, 3, 1))])
    df.idea(c, author, "noticed", sh(2026, 1, 5), cost_fen=40_000_00,
            changes=[("planned", "in_round", sh(2026, 1, 8)),
                     ("in_round", "noticed", sh(2026, 2, 1))])
    avenue = df.funded_idea(c, author, "in_progress", sh(2026, 1, 1, 0, 10), title="林荫道")
    pavilion = df.funded_idea(c, author, "done", sh(2025, 6, 1), title="凉亭")
    shed = df.funded_idea(c, author, "not_adopted", sh(2026, 2, 1), title="车棚")
    lamps = df.funded_idea(c, author, "funded", sh(2027, 1, 1, 0, 30), title="路灯")
    df.project(c, avenue, funding=[("round_budget", 40_000_00), ("subsidy", 10_000_00)],
               spending=[(date(2025, 12, 31), 1_000_00, "round_budget"),
                         (date(2026, 1, 1), 2_000_00, "round_budget"),
                         (date(2026, 5, 1), 3_000_50, "subsidy"),
                         (date(2026, 5, 2), -500_25, "subsidy")])
    pavilion_project = df.project(c, pavilion, funding=[("partner", 8_000_00)],
                                  spending=[(date(2026, 12, 31), 100_00, "partner"),
                                            (date(2027, 1, 1), 50_00, "partner")])
    df.project(c, shed, funding=[("residents", 5_000_00)],
               spending=[(date(2026, 2, 1), 700_00, "residents")])
    df.project(c, lamps, funding=[("maintenance_fund", 3_000_00)])
    df.outcome(c, pavilion_project, "凉亭修好了", sh(2025, 9, 1))
    df.idea(c, author, "submitted", sh(2025, 12, 31, 23, 55))  # handed in 2025
    df.idea(c, author, "submitted", sh(2026, 1, 1, 0, 5))  # handed in 2026
    # Another community's money never shows here.
    other = make.community(slug="elsewhere")
    stranger = make.user(other)
    df.round_(other, 99_000_00, sh(2026, 3, 1))
    df.project(other, df.funded_idea(other, stranger, "in_progress", sh(2026, 3, 1)),
               funding=[("round_budget", 77_000_00)],
               spending=[(date(2026, 3, 2), 66_000_00, "round_budget")])
    db.session.commit()
    return c


def by_kind(f: fig.Figures) -> dict[str, tuple[int, int]]:
    return {s.kind: (s.committed_fen, s.spent_fen) for s in f.by_source}


def test_money_in_2026_is_exact(town):
    f = fig.figures(town, 2026)
    assert f.budgeted_rounds_fen == 60_000_00
    assert f.budgeted_outside_fen == 12_345_67  # noticed twice, counted once
    assert f.budgeted_fen == 72_345_67
    assert f.committed_fen == 50_000_00  # 林荫道 only: 车棚 was cancelled, 路灯 is 2027's
    assert f.spent_fen == 2_000_00 + 3_000_50 - 500_25 + 700_00 + 100_00 == 5_300_25
    assert by_kind(f) == {"round_budget": (40_000_00, 2_000_00),
                          "subsidy": (10_000_00, 2_500_25), "partner": (0, 100_00),
                          "maintenance_fund": (0, 0), "residents": (0, 700_00)}
    assert [s.kind for s in f.sources_with_money] == [
        "round_budget", "subsidy", "partner", "residents"]


def test_money_in_the_neighbouring_years(town):
    last = fig.figures(town, 2025)
    assert (last.budgeted_fen, last.committed_fen, last.spent_fen) == (
        50_000_00, 8_000_00, 1_000_00)
    following = fig.figures(town, 2027)
    assert (following.budgeted_fen, following.committed_fen, following.spent_fen) == (
        0, 3_000_00, 50_00)
    assert by_kind(following)["maintenance_fund"] == (3_000_00, 0)


def test_ideas_and_projects(town):
    f = fig.figures(town, 2026)
    assert list(f.stages) == list(STAGES)
    assert f.stages["noticed"] == 2 and f.stages["submitted"] == 2
    assert f.stages["in_progress"] == 1 and f.stages["merged"] == 0
    assert f.ideas == 8
    # Handed in during 2026 in Shanghai: the two noticed plans, 路灯 (forty days before
    # its funding) and the idea of 00:05 on 1 January; the one of 23:55 on 31 December
    # counts for 2025 with 林荫道, 凉亭 and 车棚.
    assert f.handed_in == 4
    assert fig.figures(town, 2025).handed_in == 4
    assert f.projects == {"funded": 1, "in_progress": 1, "done": 1, "not_adopted": 1}
    assert [o.title for o in f.outcomes] == ["凉亭修好了"]


def test_the_years_next_door_are_those_with_data(town):
    assert fig.neighbour_years(town, 2026) == (2025, 2027)
    assert fig.neighbour_years(town, 2025) == (None, 2026)
    assert fig.neighbour_years(town, 2027) == (2026, None)
    assert fig.neighbour_years(town, 2031) == (2027, None)
    assert fig.neighbour_years(town, 2001) == (None, 2025)


def test_an_empty_community_has_zeros_not_errors(make):
    f = fig.figures(make.community(), 2026)
    assert (f.budgeted_fen, f.committed_fen, f.spent_fen, f.ideas) == (0, 0, 0, 0)
    assert set(f.stages) == set(STAGES) and f.outcomes == []
    assert (f.previous_year, f.next_year) == (None, None)


@pytest.mark.parametrize("raw", [None, "", "abc", "0", "-2026", "99999", "1999", "2101",
                                 "2026abc", "２０２６", "2026.0", "1e3", "9" * 5000])
def test_nonsense_years_mean_this_year(raw):
    now = datetime(2031, 12, 31, 16, 30, tzinfo=timezone.utc)  # 00:30, 1 Jan 2032 Shanghai
    assert fig.parse_year(raw, now) == 2032


def test_a_good_year_is_taken():
    assert fig.parse_year(" 2025 ") == 2025
    assert fig.parse_year("2100") == 2100


def _grow(make, c, n: int) -> None:
    """n more funded projects with funding, ledger lines, outcomes and rounds."""
    author = make.user(c)
    for i in range(n):
        funded = df.funded_idea(c, author, "done", sh(2026, 3, 1 + i % 27))
        p = df.project(c, funded, funding=[("round_budget", 1_000_00), ("subsidy", 500_00)],
                       spending=[(date(2026, 4, 1), 300_00, "round_budget"),
                                 (date(2026, 4, 2), -100_00, "round_budget"),
                                 (date(2025, 4, 2), 100_00, "subsidy")])
        df.outcome(c, p, f"成果{i}", sh(2026, 5, 1 + i % 27))
        df.round_(c, 1_000_00, sh(2026, 6, 1 + i % 27))
    db.session.commit()


def test_the_number_of_queries_does_not_grow_with_the_rows(make, client):
    c = make.community(slug="grows")
    counts = []
    for n in (2, 20):
        _grow(make, c, n if not counts else n - 2)
        with counted_queries() as statements:
            f = fig.figures(c, 2026)
        with counted_queries() as page:
            assert client.get("/c/grows/dashboard/?year=2026").status_code == 200
        with counted_queries() as csv_:
            assert client.get("/c/grows/dashboard/figures.csv?year=2026").status_code == 200
        counts.append((len(statements), len(page), len(csv_)))
        selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
        assert f.project_count == n
    assert fig.figures(c, 2026).committed_fen == 20 * 1_500_00
    assert counts[0] == counts[1], counts
    assert len(selects) <= 10  # nine figures, and the community reloaded after commit
