"""Creating a budget round and changing its settings; what may change follows its state.

Before voting opens everything may change. Once it is open, voters have seen the ballot,
so only the words and the closing time may change (the closing time never to a moment
already past). A closed round keeps its times; an adopted one keeps everything.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app import audit
from app.extensions import db
from app.templating import yuan
from app.timeutil import utcnow

from .models import Round
from .services import RoundRefused

SHANGHAI = ZoneInfo("Asia/Shanghai")

TEXT_FIELDS = ("title", "description")
ALL_FIELDS = ("title", "description", "budget_fen", "opens_at", "closes_at", "unit",
              "ballot_kind", "max_choices", "rule", "threshold", "buildings",
              "paper_needs_confirmation")
EDITABLE = {
    "upcoming": ALL_FIELDS,
    "open": TEXT_FIELDS + ("closes_at",),
    "closed": TEXT_FIELDS,
    "adopted": (),
}


class SettingRefused(RoundRefused):
    """A setting that cannot be accepted; `field` names the form field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _this_minute(now: datetime) -> datetime:
    # datetime-local inputs have minutes only: "now" typed at 14:05:40 means 14:05.
    return now.replace(second=0, microsecond=0)


def _check(values: dict, round_: Round | None, now: datetime) -> None:
    if "opens_at" in values and values["opens_at"] < _this_minute(now):
        raise SettingRefused("opens_at", _(
            "The opening time cannot be in the past: ideas are put on the ballot "
            "before voting opens."))
    opens_at = values.get("opens_at", round_.opens_at if round_ is not None else None)
    if "closes_at" in values:
        if values["closes_at"] <= now:
            raise SettingRefused("closes_at", _("The closing time cannot be earlier than now."))
        if opens_at is not None and values["closes_at"] <= opens_at:
            raise SettingRefused("closes_at", _("Voting must close after it opens."))
    if "budget_fen" in values:
        if values["budget_fen"] <= 0:
            raise SettingRefused("budget", _("The budget must be more than zero."))
        dearest = max((e.cost_fen for e in round_.entries), default=0) if round_ else 0
        if dearest > values["budget_fen"]:
            raise SettingRefused("budget", _(
                "An idea on the ballot costs ¥%(cost)s, more than this budget: "
                "take it off first or keep a larger budget.",
                cost=yuan(dearest)))
    if "ballot_kind" in values or "max_choices" in values:
        kind = values.get("ballot_kind", getattr(round_, "ballot_kind", None))
        limit = values.get("max_choices", getattr(round_, "max_choices", None))
        if kind == "approval" and not limit:
            raise SettingRefused("max_choices", _(
                "Say how many ideas each voter may tick (at least 1)."))


def _normalise(values: dict) -> dict:
    values = dict(values)
    if values.get("ballot_kind") == "knapsack":
        values["max_choices"] = None  # k means nothing on a knapsack ballot
    for key in ("title", "description"):
        if key in values:
            values[key] = (values[key] or "").strip()
    return values


def _differs(old, new) -> bool:
    if isinstance(new, (list, tuple)):  # buildings: the same set in any order is no change
        return {b.id for b in old} != {b.id for b in new}
    return old != new


def _shown(value):
    """An audit log value: buildings by name, times as ISO text."""
    if isinstance(value, (list, tuple)):
        return [getattr(v, "name", v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="minutes")
    return value


def create_round(community, staff, values: dict, now: datetime | None = None) -> Round:
    """A new upcoming round from complete settings; the caller commits."""
    now = now or utcnow()
    values = _normalise(values)
    missing = [f for f in ALL_FIELDS if f not in values]
    if missing:
        raise ValueError(f"settings missing: {missing}")
    _check(values, None, now)
    round_ = Round(community=community, created_by_id=staff.id,
                   **{k: v for k, v in values.items() if k != "buildings"})
    round_.buildings = list(values["buildings"])
    db.session.add(round_)
    db.session.flush()
    audit.record("round.create", actor=staff, community=community, target=round_,
                 **{k: _shown(v) for k, v in values.items() if k != "description"})
    return round_


def update_round(round_: Round, staff, values: dict, now: datetime | None = None) -> dict:
    """Change what the round's state allows; returns {field: (old, new)} of what changed."""
    now = now or utcnow()
    allowed = EDITABLE[round_.state]
    if not allowed:
        raise RoundRefused(_("The result of this round has been adopted: "
                             "its settings can no longer change."))
    refused = [f for f in values if f not in allowed]
    if refused:
        raise RoundRefused(
            _("Voting has opened: only the title, the description and the closing time "
              "can change now.") if round_.state == "open" else
            _("Voting has closed: only the title and the description can change now."))
    values = _normalise(values)
    changed = {k: v for k, v in values.items() if _differs(getattr(round_, k), v)}
    _check(changed, round_, now)
    if "closes_at" not in changed and "opens_at" in changed \
            and round_.closes_at <= changed["opens_at"]:
        raise SettingRefused("closes_at", _("Voting must close after it opens."))
    diff = {k: (_shown(getattr(round_, k)), _shown(v)) for k, v in changed.items()}
    for key, value in changed.items():
        setattr(round_, key, list(value) if key == "buildings" else value)
    if diff:
        audit.record("round.update", actor=staff, community=round_.community, target=round_,
                     changed={k: ("…" if k == "description" else v) for k, v in diff.items()})
    return diff


def local_minute(moment: datetime | None) -> datetime | None:
    """A stored UTC time as the Asia/Shanghai wall clock, to the minute."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).replace(second=0, microsecond=0)


def default_times(now: datetime | None = None) -> tuple[datetime, datetime]:
    """A new round's suggestion: opens tomorrow at 09:00, closes a week later at 20:00."""
    today = (now or utcnow()).astimezone(SHANGHAI).replace(hour=0, minute=0, second=0,
                                                             microsecond=0)
    opens = today + timedelta(days=1, hours=9)
    closes = today + timedelta(days=8, hours=20)
    return opens.astimezone(timezone.utc), closes.astimezone(timezone.utc)
