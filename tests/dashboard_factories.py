"""Hand-made rows for the dashboard tests: ideas with an exact timeline, projects with
funding and a ledger, outcomes and notices, all at chosen Shanghai times."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from app.extensions import db
from proposals.models import Costing, FundingSource, Idea, StageChange
from proposals.notices.models import Notice
from proposals.outcomes.models import Outcome
from proposals.projects.models import Project, ProjectFunding, SpendingEntry
from proposals.rounds.models import Round

SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def sh(year, month, day, hour=12, minute=0) -> datetime:
    """A Shanghai wall-clock time, as the aware UTC datetime the database stores."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(timezone.utc)


def idea(community, author, stage: str, created: datetime, changes=(), cost_fen=None,
         sources=None, title: str | None = None) -> Idea:
    """An idea handed in at `created`, then moved by `changes`: (from, to, at) each."""
    i = Idea(community=community, author=author, title=title or f"点子{next(_seq)}",
             description="描述", category="facilities", stage=stage, created_at=created)
    i.timeline.append(StageChange(from_stage=None, to_stage="submitted", at=created,
                                  actor_id=author.id))
    for source, to, at in changes:
        i.timeline.append(StageChange(from_stage=source, to_stage=to, at=at))
    if cost_fen is not None:
        kinds = sources or [("round_budget", cost_fen)]
        i.costing = Costing(amount_fen=cost_fen, responsible="物业",
                            sources=[FundingSource(kind=k, amount_fen=a) for k, a in kinds])
    db.session.add(i)
    db.session.flush()
    return i


def funded_idea(community, author, stage: str, funded_at: datetime, **kw) -> Idea:
    """An idea that went through a round and its notice to `funded` at `funded_at`."""
    before = funded_at - timedelta(days=30)
    changes = [("submitted", "deliberating", before), ("deliberating", "planned", before),
               ("planned", "in_round", before), ("in_round", "noticed", before),
               ("noticed", "funded", funded_at)]
    if stage in ("in_progress", "done", "not_adopted"):
        changes.append(("funded", "in_progress", funded_at + timedelta(days=1)))
    if stage in ("done", "not_adopted"):
        changes.append(("in_progress", stage, funded_at + timedelta(days=2)))
    return idea(community, author, stage, before - timedelta(days=10), changes, **kw)


def project(community, idea_, funding=(), spending=()) -> Project:
    """`funding`: (kind, fen) pairs; `spending`: (date, fen, kind) triples."""
    p = Project(community=community, idea=idea_, responsible_kind="property",
                responsible_name="物业",
                funding=[ProjectFunding(kind=k, amount_fen=a) for k, a in funding],
                spending=[SpendingEntry(spent_on=d, amount_fen=a, source_kind=k,
                                        payee="施工队", purpose="材料")
                          for d, a, k in spending])
    db.session.add(p)
    db.session.flush()
    return p


def round_(community, budget_fen: int, opens_at: datetime) -> Round:
    r = Round(community=community, title=f"预算投票{next(_seq)}", budget_fen=budget_fen,
              opens_at=opens_at, closes_at=opens_at + timedelta(days=7))
    db.session.add(r)
    db.session.flush()
    return r


def outcome(community, project_, title: str, published_at: datetime | None) -> Outcome:
    o = Outcome(community_id=community.id, project_id=project_.id, title=title,
                summary="做好了。", published_at=published_at)
    db.session.add(o)
    db.session.flush()
    return o


def notice(community, title: str, closes_at: datetime) -> Notice:
    n = Notice(community_id=community.id, kind="plan", title=title, text="公示内容",
               opens_at=closes_at - timedelta(days=7), closes_at=closes_at)
    db.session.add(n)
    db.session.flush()
    return n

