"""Time our counting rules against pabutools on the biggest real elections. Not a test.

    .venv/bin/python bench/tally.py [--cap 600] [--files A.pb B.pb ...]

Defaults to ../shared/pabulib/Poland_Warszawa_2026.pb (61,668 voters) and
Poland_Lodz_2022.pb (90,494). Both files are read with our parser; each rule is timed on
our side (proposals.counting.rules) and on pabutools' side (greedy_utilitarian_welfare
and method_of_equal_shares with voter_budget_increment=1, Cost_Sat, ties by cost then
name, called as tests/test_counting_rules.py calls them), in the same run. Only the rule
is timed, not the parsing. pabutools runs in a subprocess killed after --cap seconds;
then its time is reported as "> cap" and the ratio as a lower bound. Exits 1 only when
pabutools finished and its winners differ from ours; never because of a time. The last
line is JSON, {"tally": [{"file", "rule", "seconds", "pabutools_seconds" (null past the
cap), "identical"}]}, for bench/run_all.py.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from proposals.counting import pabulib as pb  # noqa: E402
from proposals.counting import rules  # noqa: E402

PABULIB = ROOT.parent / "shared" / "pabulib"
DEFAULT = [PABULIB / "Poland_Warszawa_2026.pb", PABULIB / "Poland_Lodz_2022.pb"]
RULES = ("greedy", "equal-shares")


def pabutools_worker(path: str, rule: str) -> None:
    """Run one pabutools rule on one file; print seconds and winners as JSON."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    instance, profile = parse_pabulib(path)
    ties = TieBreakingRule(lambda inst, prof, p: (p.cost, p.name))
    started = time.perf_counter()
    if rule == "greedy":
        out = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat,
                                         tie_breaking=ties)
    else:
        out = method_of_equal_shares(instance, profile, sat_class=Cost_Sat,
                                     voter_budget_increment=1, tie_breaking=ties)
    seconds = time.perf_counter() - started
    winners = [p.name for p in out]
    if rule == "greedy":  # pabutools' greedy also takes projects nobody voted for
        e = pb.read(path)
        votes = rules.tally(e.costs, e.ballots())
        winners = [p for p in winners if votes[p] > 0]
    print(json.dumps({"seconds": seconds, "winners": winners}))


def pabutools(path: Path, rule: str, cap: float) -> dict | None:
    """pabutools' seconds and winners, or None when it ran past ``cap``."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", str(path), rule],
            capture_output=True, text=True, timeout=cap, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cap", type=float, default=600,
                        help="seconds before a pabutools run is stopped (default 600)")
    parser.add_argument("--files", nargs="+", type=Path, default=DEFAULT,
                        help=".pb files (default: Warsaw 2026 and Łódź 2022)")
    parser.add_argument("--worker", nargs=2, metavar=("FILE", "RULE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        pabutools_worker(*args.worker)
        return 0

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"pabutools capped at {args.cap:g} s\n")
    header = f"{'file':<24} {'rule':<13} {'ours (s)':>9} {'pabutools (s)':>14} " \
             f"{'ratio':>9}  identical"
    print(header)
    print("-" * len(header))
    differ, rows = False, []
    for path in args.files:
        e = pb.read(path)
        ballots = e.ballots()
        for rule in RULES:
            started = time.perf_counter()
            ours = rules.count(rule, e.budget, e.costs, ballots)
            mine = time.perf_counter() - started
            theirs = pabutools(path, rule, args.cap)
            if theirs is None:
                their_s, ratio, same = f"> {args.cap:g}", f">= {args.cap / mine:.0f}x", "-"
            else:
                same = "yes" if theirs["winners"] == ours else "no"
                differ |= same == "no"
                their_s = f"{theirs['seconds']:.2f}"
                ratio = f"{theirs['seconds'] / mine:.0f}x"
            print(f"{path.stem:<24} {rule:<13} {mine:>9.3f} {their_s:>14} {ratio:>9}  {same}",
                  flush=True)
            rows.append({"file": path.name, "rule": rule, "seconds": round(mine, 4),
                         "pabutools_seconds": None if theirs is None
                         else round(theirs["seconds"], 3), "identical": same})
    print(json.dumps({"tally": rows}))  # for bench/run_all.py (results.json)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
