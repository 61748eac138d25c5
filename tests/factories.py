"""Factories for tests: communities, people with roles, ideas."""
from __future__ import annotations

import itertools

from app.accounts import services as accounts
from app.accounts.models import User
from app.accounts.passwords import hash_secret
from app.community import Building, Community, Unit
from app.extensions import db
from app.timeutil import utcnow
from proposals.models import Idea, StageChange

_seq = itertools.count(1)
_HASHES: dict[str, str] = {}


class Factory:
    def __init__(self, password: str):
        self.password = password

    def _hash(self, password: str) -> str:
        # argon2 is slow on purpose; one hash per password keeps the suite fast.
        if password not in _HASHES:
            _HASHES[password] = hash_secret(password)
        return _HASHES[password]

    def community(self, slug: str | None = None, name: str | None = None,
                  buildings=("1号楼", "2号楼")) -> Community:
        n = next(_seq)
        c = Community(slug=slug or f"c{n}", name=name or f"测试居民区{n}")
        for b in buildings:
            c.buildings.append(Building(name=b))
        db.session.add(c)
        db.session.commit()
        return c

    def unit(self, building: Building, number: str = "101", area_centi_m2: int = 8550) -> Unit:
        u = Unit(building=building, number=number, area_centi_m2=area_centi_m2)
        db.session.add(u)
        db.session.commit()
        return u

    def user(self, community: Community | None = None, *roles: str, verified: bool = True,
             username: str | None = None, password: str | None = None, **fields):
        n = next(_seq)
        user = User(username=username or f"user{n}",
                    display_name=fields.pop("display_name", f"居民{n}"),
                    password_hash=self._hash(password or self.password), **fields)
        db.session.add(user)
        if community is not None:
            m = accounts.join(user, community)
            if verified:
                m.verified_at = utcnow()
            for role in roles:
                m.grant(role)
        db.session.commit()
        return user

    def idea(self, community: Community, author=None, stage: str = "submitted",
             title: str | None = None, **fields) -> Idea:
        author = author or self.user(community)
        idea = Idea(community=community, author=author, title=title or f"金点子{next(_seq)}",
                    description=fields.pop("description", "一个好点子的描述。"),
                    category=fields.pop("category", "facilities"), stage=stage, **fields)
        idea.timeline.append(StageChange(from_stage=None, to_stage=stage, actor_id=author.id))
        db.session.add(idea)
        db.session.commit()
        return idea

    def comment(self, idea: Idea, author=None, body: str = "同意，楼道里飞线充电太危险了。",
                stance: str | None = "support", parent=None, **fields):
        from deliberation.models import Comment, Thread
        from sqlalchemy import select
        thread = db.session.scalar(select(Thread).where(Thread.idea_id == idea.id))
        if thread is None:
            thread = Thread(community_id=idea.community_id, idea_id=idea.id)
            db.session.add(thread)
        c = Comment(thread=thread, author=author or self.user(idea.community), body=body,
                    stance=None if parent is not None else stance,
                    parent_id=getattr(parent, "id", None), **fields)
        db.session.add(c)
        db.session.commit()
        return c

    def planned_idea(self, community: Community, cost_fen: int, title: str | None = None,
                     **fields) -> Idea:
        from proposals.models import Costing, FundingSource
        idea = self.idea(community, stage="planned", title=title, **fields)
        idea.costing = Costing(amount_fen=cost_fen, responsible="物业", sources=[
            FundingSource(kind="round_budget", amount_fen=cost_fen)])
        db.session.commit()
        return idea

    def round(self, community: Community, costs=(40_000_00, 30_000_00, 20_000_00),
              state: str = "open", budget_fen: int = 60_000_00, buildings=(), **fields):
        """A round with a planned idea per cost put on its ballot, then timed to `state`
        (upcoming, open or closed)."""
        from datetime import timedelta
        from proposals.rounds.models import Round
        from proposals.rounds.services import add_idea
        now = utcnow()
        r = Round(community=community, title=fields.pop("title", f"预算投票{next(_seq)}"),
                  budget_fen=budget_fen, opens_at=now + timedelta(days=1),
                  closes_at=now + timedelta(days=8), **fields)
        r.buildings = list(buildings)
        db.session.add(r)
        staff = self.user(community, "staff")
        for i, cost in enumerate(costs):
            add_idea(r, self.planned_idea(community, cost, title=f"项目{i + 1}"), staff)
        if state == "open":
            r.opens_at = now - timedelta(days=1)
        elif state == "closed":
            r.opens_at, r.closes_at = now - timedelta(days=8), now - timedelta(days=1)
        db.session.commit()
        return r

    def time_round(self, r, state: str):
        """Give a round the times of `state`: upcoming, open or closed."""
        from datetime import timedelta
        now = utcnow()
        r.opens_at, r.closes_at = {
            "upcoming": (now + timedelta(days=1), now + timedelta(days=8)),
            "open": (now - timedelta(days=1), now + timedelta(days=8)),
            "closed": (now - timedelta(days=8), now - timedelta(days=1)),
        }[state]
        db.session.commit()
        return r

    def owners_decision(self, community: Community, register=None, matter: str = "rebuild",
                        title: str = "加装电梯", **fields):
        """Import an owners' register for the community (building, unit, area in
        hundredths of m², owner id, developer unsold) and open a decision over it."""
        from proposals.owners.decisions import open_decision
        from proposals.owners.register import import_register
        from proposals.owners.register_csv import UnitRow
        register = register or [("1号楼", "101", 100_00, "A", False),
                                ("1号楼", "102", 90_00, "B", False),
                                ("1号楼", "103", 80_00, "C", False)]
        import_register(community.slug, [UnitRow(line, *row)
                                         for line, row in enumerate(register, start=2)])
        decision = open_decision(community, matter, title, **fields)
        db.session.commit()
        return decision

    def meeting(self, community: Community, *, chair=None, council: int = 3, ideas=(),
                status: str = "scheduled", **fields):
        """A meeting chaired by a 'chair' member, `council` council members invited (the
        chair among them), and an agenda of the given ideas."""
        from datetime import timedelta

        from deliberation.meetings.setup import MeetingFields, add_item, create_meeting
        chair = chair or self.user(community, "chair", display_name=fields.pop("chair_name", "主持人老周"))
        members = [chair] + [self.user(community, "council") for _ in range(council - 1)]
        values = dict(title=f"第{next(_seq)}次居民议事会", place="居委会二楼会议室",
                      starts_at=utcnow() + timedelta(days=1), chair_id=chair.id,
                      council_ids=[u.id for u in members])
        values.update(fields)
        m = create_meeting(community, chair, MeetingFields(**values))
        for idea in ideas:
            add_item(m, chair, kind="idea", idea=idea)
        m.status = status
        db.session.commit()
        return m
