"""What follows an adopted round: winners on public notice (公示), then funded as projects,
some in progress, some done with a published outcome page (金钥匙); the rest planned.

Every move is one the stage table allows with the cause the site would give it: the
round, the notice (`flask tick` funds ideas as the system, without an actor), the
outcome page.
"""
from __future__ import annotations

from datetime import timedelta

from proposals.projects.services import guess_responsible_kind

from . import texts
from .ideas import DAY, move
from .presets import EPOCH, PENDING


class Aftermath:
    def __init__(self, w, plans):
        self.w, self.plans = w, plans
        self.rows: list[tuple[str, dict]] = []  # written after the ideas
        self.funded = 0  # winners funded so far: their fates take turns

    def run(self) -> None:
        for plan in self.plans:
            if plan.adopted:
                self._adopted(plan)

    def _add(self, table: str, row: dict) -> dict:
        self.rows.append((table, row))
        return row

    def _adopted(self, plan) -> None:
        loader, staff = self.w.loader, plan.place.staff[0]
        won = set(plan.selected[plan.rule][0])
        cause = ("round", plan.id, plan.title)
        winners = []
        for _eid, d, _cost in plan.entries:
            if str(d.id) in won:
                move(d, "noticed", plan.adopted, staff, cause=cause)
                winners.append(d)
            else:
                move(d, "planned", plan.adopted, staff, cause=cause)
        if not winners:
            return
        nid = loader.new_id("notice")
        closes = PENDING if plan.recent else plan.adopted + 7 * DAY
        finished = None if plan.recent else closes + timedelta(hours=1)
        title = f"{plan.title}结果公示"
        self._add("notice", dict(
            id=nid, community_id=plan.place.id, kind="round", title=title,
            text="以下项目经居民投票入选，现予公示。如有异议，请在公示期内提出。",
            round_id=plan.id, decision_id=None, opens_at=plan.adopted, closes_at=closes,
            photo_filename="", photo_width=0, photo_height=0, created_by_id=staff,
            created_at=plan.adopted, finished_at=finished,
            finished_by_id=None))
        for d in winners:
            item = self._add("notice_idea", dict(id=loader.new_id("notice_idea"),
                                                 notice_id=nid, idea_id=d.id, result=""))
            if finished is not None:
                move(d, "funded", finished, None, cause=("notice", nid, title))
                item["result"] = "funded"
                self._project(d, finished, (2, 1, 0, 2)[self.funded % 4])
                self.funded += 1

    def _project(self, d, funded, fate: int) -> None:
        """fate 0: still funded; 1: in progress; 2, 3: done when there was time."""
        rng, loader, staff = self.w.rng, self.w.loader, d.place.staff[0]
        c = d.costing
        pid = loader.new_id("project")
        project = self._add("project", dict(
            id=pid, community_id=d.place.id, idea_id=d.id,
            responsible_kind=guess_responsible_kind(c["responsible"]),
            responsible_name=c["responsible"], progress=0, created_by_id=None,
            created_at=funded))
        for kind, amount, note in c["sources"]:
            self._add("project_funding", dict(id=loader.new_id("project_funding"),
                                              project_id=pid, kind=kind, amount_fen=amount,
                                              note=note))
        started = funded + timedelta(days=rng.uniform(10, 40))
        if fate == 0 or started >= EPOCH - DAY:
            return
        move(d, "in_progress", started, staff, texts.REASONS["in_progress"])
        project["progress"] = rng.choice((20, 40, 60, 80))
        finished = started + timedelta(days=rng.uniform(30, 90))
        if fate == 1 or finished >= EPOCH - DAY:
            return
        oid = loader.new_id("outcome")
        title = f"{d.title}：完成了"[:120]
        self._add("outcome", dict(
            id=oid, community_id=d.place.id, project_id=pid, title=title,
            summary=texts.OUTCOME_SUMMARY, created_by_id=staff,
            created_at=finished - 2 * DAY, published_at=finished, published_by_id=staff))
        move(d, "done", finished, staff, cause=("outcome", oid, title))
        project["progress"] = 100

    def emit(self) -> None:
        for table, row in self.rows:
            self.w.loader.add(table, row)
