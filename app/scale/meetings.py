"""Meetings (议事会) in every status: scheduled ones ahead, closed ones with minutes,
motions and the council's votes, and a few live ones with a speaker on the floor.

A live meeting's speaker is paused (no running timer), so the projector shows the same
screen whenever the data set is opened.
"""
from __future__ import annotations

from datetime import timedelta

from deliberation.meetings.models import channel_for
from deliberation.meetings.rules import passes

from . import texts
from .bulk import hex_token, token
from .ideas import DAY
from .presets import EPOCH, PENDING
from .rounds import allocate


class Meetings:
    def __init__(self, w, ideas, threads):
        self.w, self.ideas, self.threads = w, ideas, threads
        self.live: list[tuple[int, str]] = []  # (meeting id, screen token)
        self.live_places: dict[int, object] = {}

    def run(self) -> None:
        w = self.w
        counts = allocate(w.preset.meetings, [p.weight for p in w.places])
        live = max(1, w.preset.meetings // 100)
        for place, k in zip(w.places, counts):
            for j in range(k):
                if live and (place.index == 0 and j == 0 or place.index > 0 and j == 1):
                    status, live = "live", live - 1
                elif j % 10 == 9 or (j == k - 1 and k >= 3):
                    status = "scheduled"
                else:
                    status = "closed"
                self._meeting(place, j, k, status)

    def _meeting(self, place, j: int, k: int, status: str) -> None:
        w, rng, loader = self.w, self.w.rng, self.w.loader
        mid = loader.new_id("meeting")
        if status == "closed":
            span = (EPOCH - 3 * DAY) - w.history_start
            starts = w.history_start + span * (j + 1) / (k + 1)
        elif status == "live":
            starts = EPOCH - timedelta(hours=1)
        else:
            starts = PENDING + j * DAY
        starts = starts.replace(minute=0, second=0, microsecond=0)
        chair = place.chairs[0]
        council = sorted(set(place.council + [chair]))
        local = starts + timedelta(hours=8)
        title = rng.choice(texts.MEETING_TITLES).format(
            n=j + 1, b=rng.choice(place.buildings)[1], year=local.year)[:120]
        screen = token(rng, 24)
        row = loader.add("meeting", dict(
            id=mid, community_id=place.id, title=title, place=rng.choice(texts.MEETING_PLACES),
            starts_at=starts, chair_id=chair, status=status, turn_seconds=120, max_turns=2,
            alternate=True, chair_votes=False, screen_token=screen,
            join_secret=hex_token(rng), current_item_id=None,
            started_at=starts if status != "scheduled" else None,
            ended_at=starts + timedelta(hours=2) if status == "closed" else None,
            minutes="", minutes_published_at=None, minutes_published_by_id=None,
            created_by_id=place.staff[0], created_at=starts - 7 * DAY))
        present = set(council) if status == "scheduled" else \
            {u for u in council if u == chair or rng.random() < 0.85}
        for uid in council:
            here = status != "scheduled" and uid in present
            loader.add("councillor", dict(meeting_id=mid, user_id=uid, present=here,
                                          marked_at=starts + timedelta(minutes=5) if here
                                          else None))
        items = self._agenda(place, mid, starts, status)
        changes = 2 + len(items)
        if status != "scheduled":
            changes += self._room(place, mid, starts, items, status, council, present)
            row["current_item_id"] = items[0][0] if status == "live" else None
        if status == "closed":
            passed = self._motions(place, mid, starts, items, council, present, chair)
            row["minutes"] = texts.MINUTES.format(
                chair="主持人", present=len(present), items=len(items), passed=passed)
            if rng.random() < 0.8:
                row["minutes_published_at"] = starts + 2 * DAY
                row["minutes_published_by_id"] = place.staff[0]
            changes += 3
        if status == "live":
            self.live.append((mid, screen))
            self.live_places[mid] = place
        loader.add("change_marker", dict(channel=channel_for(mid), version=changes))

    def _agenda(self, place, mid, starts, status) -> list[tuple[int, str, int | None]]:
        """(item id, kind, idea id): ideas under deliberation, a topic, a free item."""
        rng, loader = self.w.rng, self.w.loader
        ideas = [d for d in self.ideas.by_place.get(place.id, ()) if d.created < starts
                 and d.stage in ("deliberating", "planned", "in_round")]
        picked = rng.sample(ideas, min(len(ideas), rng.randint(1, 3)))
        items = [("idea", d.id, None, "") for d in picked]
        topics = self.threads.topics.get(place.id, [])
        if topics and rng.random() < 0.5:
            items.append(("topic", None, rng.choice(topics), ""))
        items.append(("free", None, None, rng.choice(texts.ITEM_TITLES)))
        out = []
        for pos, (kind, idea, thread, title) in enumerate(items, start=1):
            iid = loader.new_id("agenda_item")
            began = starts + timedelta(minutes=10 + 25 * (pos - 1))
            loader.add("agenda_item", dict(
                id=iid, meeting_id=mid, position=pos, kind=kind, idea_id=idea,
                thread_id=thread, title=title, note="",
                started_at=began if status == "closed" or (status == "live" and pos == 1)
                else None))
            out.append((iid, kind, idea))
        return out

    def _room(self, place, mid, starts, items, status, council, present) -> int:
        """Who signed in, and who spoke."""
        rng, loader = self.w.rng, self.w.loader
        crowd = rng.sample(place.verified, min(len(place.verified), rng.randint(8, 40)))
        people = sorted(set(crowd) | present)
        for n, uid in enumerate(people):
            loader.add("attendance", dict(
                id=loader.new_id("attendance"), meeting_id=mid, user_id=uid, name="",
                how="chair" if uid in present else "qr",
                at=starts + timedelta(minutes=n % 15)))
        loader.add("attendance", dict(id=loader.new_id("attendance"), meeting_id=mid,
                                      user_id=None, name=texts.person_name(rng) + "阿姨",
                                      how="chair", at=starts + timedelta(minutes=16)))
        spoken = 0
        for pos, (iid, _kind, _idea) in enumerate(items):
            if status == "live" and pos > 0:
                break
            speakers = rng.sample(crowd, min(len(crowd), rng.randint(1, 4)))
            for n, uid in enumerate(speakers):
                asked = starts + timedelta(minutes=12 + 25 * pos + n)
                state = "done"
                if status == "live":
                    state = "speaking" if n == 0 else "waiting"
                began = asked + timedelta(minutes=1) if state != "waiting" else None
                loader.add("speaker", dict(
                    id=loader.new_id("speaker"), item_id=iid, user_id=uid, name="",
                    stance=rng.choice(("support", "oppose", "suggest")), state=state,
                    requested_at=asked, started_at=began,
                    ended_at=began + timedelta(minutes=2) if state == "done" else None,
                    elapsed_ms=rng.randint(20_000, 110_000) if began else 0,
                    running_since=None))
                spoken += 2
        return len(people) + 1 + spoken

    def _motions(self, place, mid, starts, items, council, present, chair) -> int:
        """One motion on an idea item of most closed meetings, voted from phones."""
        rng, loader = self.w.rng, self.w.loader
        on_ideas = [(iid, idea) for iid, kind, idea in items if kind == "idea"]
        if not on_ideas or rng.random() < 0.3:
            return 0
        iid, _idea = on_ideas[0]
        opened = starts + timedelta(minutes=30)
        voters = sorted(u for u in present if u != chair)
        votes = {u: rng.choices(("for", "against", "abstain"), (6, 2, 1))[0] for u in voters}
        counts = {c: sum(1 for v in votes.values() if v == c) for c in ("for", "against",
                                                                         "abstain")}
        moid = loader.new_id("motion")
        ok = passes(counts["for"], counts["against"])
        loader.add("motion", dict(
            id=moid, meeting_id=mid, item_id=iid, question=rng.choice(texts.MOTIONS),
            move_to="", cost_fen=None, responsible="", status="closed",
            council_total=len(council), council_present=len(present), counted_by_chair=False,
            votes_for=counts["for"], votes_against=counts["against"],
            votes_abstain=counts["abstain"], passed=ok, move_note="", opened_by_id=chair,
            opened_at=opened, closed_at=opened + timedelta(minutes=3)))
        for uid, choice in votes.items():
            loader.add("motion_vote", dict(motion_id=moid, user_id=uid, choice=choice,
                                           at=opened + timedelta(seconds=30)))
        return int(ok)
