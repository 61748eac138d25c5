"""Votes under stress (issue 9), in `make test`: tests/stress/votes.py on SQLite with
1,000 voters and, when TEST_DATABASE_URL is set, on PostgreSQL with 300. Marked `stress`
so it can be picked out (`-m stress`) or left out (`-m "not stress"`) by hand.

The figures are printed (even when pytest captures output) and written to
test-artifacts/stress-<backend>.txt, for the issue's closing note."""
from __future__ import annotations

import os

import pytest

from .votes import VOTERS, stress

PG_URL = os.environ.get("TEST_DATABASE_URL")
KINDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

pytestmark = pytest.mark.stress


@pytest.mark.parametrize("kind", KINDS)
def test_votes_under_stress(kind, tmp_path, capsys):
    report = stress(kind, tmp_path)
    with capsys.disabled():
        print("\n" + report.text())
    assert not report.verdict.problems, report.text()

    # The run did what it says, so the checks above had something to check.
    f, kill, voters = report.verdict.figures, report.run.kill, VOTERS[kind]
    assert f.voters_acked >= 0.95 * voters, report.text()
    assert f.voters_counted >= f.voters_acked
    assert f.ballots_refused and f.double_taps and f.comments_acked and f.owner_votes_acked
    assert f.revisions_counted > f.voters_acked  # revisions and twins were saved too
    assert kill.pid is not None and report.replaced_by, "no worker killed and replaced"
    assert 0.35 * kill.of_planned <= kill.at_answers <= 0.6 * kill.of_planned
