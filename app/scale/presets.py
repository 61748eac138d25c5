"""How big each data set is, and the fixed clock every generated time is counted from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The data set's "today": its history happened before it. Fixed, so two runs agree.
EPOCH = datetime(2026, 3, 1, tzinfo=SHANGHAI).astimezone(timezone.utc)
# What must still be pending whenever the data set is opened (open rounds, upcoming
# ones, open notices, scheduled meetings) is dated after this: far enough ahead of any
# benchmark run, yet a fixed value.
PENDING = EPOCH + timedelta(days=4 * 365)
PASSWORD = "yishiting-scale"  # every generated account's password


@dataclass(frozen=True)
class Preset:
    name: str
    communities: int
    residents: int
    ideas: int
    comments: int
    rounds: int
    ballots: int
    meetings: int
    years: int = 2  # how far back the history goes


PRESETS = {
    "city": Preset("city", communities=30, residents=50_000, ideas=10_000, comments=200_000,
                   rounds=50, ballots=100_000, meetings=300),
    "town": Preset("town", communities=3, residents=5_000, ideas=1_000, comments=20_000,
                   rounds=5, ballots=10_000, meetings=30),
    # Enough of everything for every state and benchmark target to exist: seconds to make.
    "tiny": Preset("tiny", communities=2, residents=120, ideas=80, comments=400,
                   rounds=6, ballots=150, meetings=4, years=1),
}
