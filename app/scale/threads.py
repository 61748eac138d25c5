"""Threads and comments as `deliberation.services` writes them: a thread made at the first
comment; top-level comments with a stance, replies (no stance) under a top-level one;
some edited within the window, deleted (tombstone, words removed) or hidden by staff;
有道理 reactions, flags, 议事小结; and each thread's change marker counting its changes.

Comments on an idea fall between its handing in and the moment its thread locked (it
left deliberation for good, or was done).
"""
from __future__ import annotations

from datetime import timedelta

from deliberation.live import thread_channel
from deliberation.models import STANCES

from . import texts
from .presets import EPOCH

MAX_PER_IDEA = 800
TOPIC_SHARE = 0.05
TARGET_COMMENTS = 200


class _Thread:
    """What `live.thread_channel` reads of a thread."""

    def __init__(self, tid, idea_id):
        self.id, self.idea_id = tid, idea_id


class Threads:
    def __init__(self, w, ideas):
        self.w, self.ideas = w, ideas
        self.topics: dict[int, list[int]] = {}  # community id -> topic thread ids
        self.target = None  # the idea with exactly TARGET_COMMENTS comments

    def run(self) -> None:
        w, rng = self.w, self.w.rng
        total = w.preset.comments
        on_topics = int(total * TOPIC_SHARE)
        self.target = self._pick_target()
        others = [d for d in self.ideas.drafts if d is not self.target]
        weights = [rng.paretovariate(1.1) * (0.3 if d.stage == "submitted" else 1.0)
                   for d in others]
        counts = _spread(total - on_topics - TARGET_COMMENTS, weights, MAX_PER_IDEA)
        for d, n in zip(self.ideas.drafts, self._in_id_order(others, counts)):
            if n:
                end = d.lock_at or EPOCH
                self._thread(d.place, d.id, d.created + timedelta(minutes=10), end, n)
        self._topics(on_topics)

    def _in_id_order(self, others, counts):
        by_id = {d.id: n for d, n in zip(others, counts)}
        by_id[self.target.id] = TARGET_COMMENTS
        return [by_id[d.id] for d in self.ideas.drafts]

    def _pick_target(self):
        """An idea under deliberation in the biggest community, open for comments."""
        first = self.w.places[0]
        pool = [d for d in self.ideas.drafts if d.place is first and d.stage == "deliberating"
                and (EPOCH - d.created).days >= 2]
        if not pool:
            raise RuntimeError("no idea under deliberation in the biggest community")
        return pool[len(pool) // 2]

    def _topics(self, n: int) -> None:
        rng = self.w.rng
        places = self.w.places
        slots = [(place, t) for place in places for t in texts.TOPICS[:2]]
        per = max(1, n // len(slots))
        left = n
        for i, (place, (title, body)) in enumerate(slots):
            k = left if i == len(slots) - 1 else min(left, per)
            start = EPOCH - timedelta(days=rng.uniform(10, 200))
            tid = self._thread(place, None, start, EPOCH, k, title=title, body=body,
                               author=rng.choice(place.verified))
            self.topics.setdefault(place.id, []).append(tid)
            left -= k

    # --- one thread -------------------------------------------------------------------

    def _thread(self, place, idea_id, start, end, n: int, title="", body="", author=None):
        rng, loader = self.w.rng, self.w.loader
        end = max(end, start + timedelta(minutes=n + 1))
        span = int((end - start).total_seconds()) - 60
        times = sorted(start + timedelta(seconds=rng.randint(0, span)) for _ in range(n))
        tid = loader.new_id("thread")
        loader.add("thread", dict(
            id=tid, community_id=place.id, idea_id=idea_id, title=title, body=body,
            author_id=author, created_at=times[0] if idea_id and times else start))
        changes, tops = 0, []
        for at in times:
            changes += self._comment(place, tid, at, tops)
        if n >= 15 and rng.random() < 0.3:
            loader.add("thread_summary", dict(
                id=loader.new_id("thread_summary"), thread_id=tid, version=1,
                body=texts.SUMMARY, author_id=place.chairs[0],
                created_at=times[-1] + timedelta(minutes=30)))
            changes += 1
        if changes:
            loader.add("change_marker", dict(channel=thread_channel(_Thread(tid, idea_id)),
                                             version=changes))
        return tid

    def _comment(self, place, tid, at, tops: list) -> int:
        """One comment and what happened to it; returns how many changes it published."""
        rng, loader = self.w.rng, self.w.loader
        cid = loader.new_id("comment")
        author = rng.choice(place.verified)
        spot = rng.choice(texts.PLACES)
        if tops and rng.random() < 0.3:
            parent, stance = rng.choice(tops[-8:]), None
            body = rng.choice(texts.REPLIES)
        else:
            parent, stance = None, rng.choices(STANCES, (5, 2, 3))[0]
            body = rng.choice(texts.STANCE_TEXTS[stance]).format(p=spot)
            tops.append(cid)
        row = dict(id=cid, thread_id=tid, parent_id=parent, author_id=author, stance=stance,
                   body=body, created_at=at, edited_at=None, deleted_at=None, hidden_at=None,
                   hidden_by_id=None, hidden_reason="")
        changes = 1
        r = rng.random()
        if r < 0.01:
            row.update(body="", deleted_at=at + timedelta(hours=rng.uniform(1, 48)))
            changes += 1
        elif r < 0.015:
            row.update(hidden_at=at + timedelta(hours=3), hidden_by_id=place.staff[0],
                       hidden_reason=texts.HIDE_REASON)
            changes += 1
        elif r < 0.05:
            row["edited_at"] = at + timedelta(minutes=rng.uniform(1, 14))
            row["body"] += "（补充：已和楼组长沟通过。）"
            changes += 1
        loader.add("comment", row)
        if row["deleted_at"] is None and row["hidden_at"] is None:
            changes += self._reactions(place, cid, author, at)
            if r > 0.997:
                self._flag(place, cid, at)
        return changes

    def _reactions(self, place, cid, author, at) -> int:
        rng, loader = self.w.rng, self.w.loader
        n = 0
        while rng.random() < 0.2 and n < 20:
            n += 1
        who = [u for u in rng.sample(place.verified, min(len(place.verified), n + 1))
               if u != author][:n]
        for uid in who:
            loader.add("reaction", dict(id=loader.new_id("reaction"), comment_id=cid,
                                        user_id=uid,
                                        created_at=at + timedelta(minutes=rng.randint(5, 600))))
        return len(who)

    def _flag(self, place, cid, at) -> None:
        rng, loader = self.w.rng, self.w.loader
        resolved = rng.random() < 0.5
        loader.add("flag", dict(
            id=loader.new_id("flag"), comment_id=cid, user_id=rng.choice(place.verified),
            reason=texts.FLAG_REASON, created_at=at + timedelta(hours=1),
            resolved_at=at + timedelta(hours=20) if resolved else None,
            resolved_by_id=place.staff[0] if resolved else None))


def _spread(total: int, weights: list[float], cap: int) -> list[int]:
    """Whole numbers in proportion to weights, none above cap, adding up to total (as
    long as the caps allow it)."""
    out = [0] * len(weights)
    active = list(range(len(weights)))
    left = total
    while left > 0 and active:
        s = sum(weights[i] for i in active)
        given = 0
        for i in active:
            n = min(cap - out[i], int(left * weights[i] / s))
            out[i] += n
            given += n
        if given == 0:  # remainders: one each to the heaviest
            for i in sorted(active, key=lambda i: -weights[i])[:left]:
                out[i] += 1
                given += 1
        left -= given
        active = [i for i in active if out[i] < cap]
    return out
