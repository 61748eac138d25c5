"""Demo threads for `seed-demo`: the debates on the seeded ideas and a few free topics.

`proposals.demo` sends `demo_seeded` at the end of its seed, inside its transaction; this
module answers by writing threads, comments, replies, 有道理 reactions and 议事小结 with
the models directly (no notifications, no live markers: nobody is reading yet). Times
are days after the seed's BASE and every choice comes from a fixed random seed, so two
seeds tell the same story. The words are in `demo_thread_data`.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Membership
from app.community import Building
from app.extensions import db
from proposals.demo import at, demo_seeded
from proposals.demo_data import COMMUNITIES, SEED
from proposals.models import Idea

from .demo_thread_data import IDEA_THREADS, SUMMARIES, TOPICS
from .models import Comment, Flag, Reaction, Thread, ThreadSummary

RNG_SEED = SEED + 3
LAST_DAY = 83.5  # the story's "today" is a little after the last idea was handed in
STANCE_MARKS = {"+": "support", "-": "oppose", "?": "suggest"}
_LINE = re.compile(r"^(?P<indent>\s*)(?P<mark>[-+?>])\s+(?P<who>\S+)\s+(?P<day>\d+(?:\.\d+)?)"
                   r"\s+(?:\[(?P<flag>edited|deleted)\]\s+)?(?P<text>.+?)\s*$")


def when(day: float):
    """A day after BASE; its fraction is spread over waking hours (09:00 to 23:24 in
    Shanghai), so neighbours do not write at four in the morning. Order is kept."""
    whole = int(day)
    return at(whole + (day - whole) * 0.6)


@dataclass(frozen=True)
class Line:
    reply: bool
    stance: str | None
    who: str
    day: float
    flag: str
    text: str


def parse(script: str) -> list[Line]:
    """One comment a line: `+`/`-`/`?` a support, objection or suggestion, an indented
    `>` a reply to the comment above; then who, the day, an optional [edited] or
    [deleted], and the words (` // ` starts a new line)."""
    lines = []
    for raw in script.strip("\n").splitlines():
        if not raw.strip():
            continue
        m = _LINE.match(raw)
        if m is None:
            raise ValueError(f"demo thread line not understood: {raw!r}")
        reply = m["mark"] == ">"
        if reply and not lines:
            raise ValueError(f"a reply needs a comment above it: {raw!r}")
        lines.append(Line(reply, None if reply else STANCE_MARKS[m["mark"]], m["who"],
                          float(m["day"]), m["flag"] or "", m["text"].replace(" // ", "\n")))
    return lines


class _People:
    """Who writes: demo accounts by name, residents as `r07`, or `@3号楼/2`: the second
    resident (not one of the named ones) living in the building whose name ends so."""

    def __init__(self, seeder):
        self.users = seeder.users
        by_id = {u.id: u for u in seeder.users.values()}
        named = {c.slug: {f"{c.slug}_r{n:02d}" for n in c.named} for c in COMMUNITIES}
        slug_of = {c.id: slug for slug, c in seeder.communities.items()}
        rows = db.session.execute(
            select(Membership.user_id, Membership.community_id, Membership.verified_at,
                   Building.name).outerjoin(Building, Membership.building_id == Building.id)
            .order_by(Membership.user_id)).all()
        self.verified: dict[str, list] = {slug: [] for slug in seeder.communities}
        self.homes: dict[str, list[tuple[str, object]]] = {slug: [] for slug in seeder.communities}
        for user_id, community_id, verified_at, building in rows:
            user, slug = by_id[user_id], slug_of[community_id]
            if verified_at is None:
                continue
            self.verified[slug].append(user)
            if user.username.startswith(f"{slug}_r") and user.username not in named[slug]:
                self.homes[slug].append((building or "", user))

    def get(self, slug: str, token: str):
        if token.startswith("@"):
            building, _sep, k = token[1:].partition("/")
            pool = sorted((u for b, u in self.homes[slug] if b.endswith(building)),
                          key=lambda u: u.username)
            if not pool:
                raise ValueError(f"nobody lives in a building ending {building!r} in {slug}")
            return pool[(int(k or 1) - 1) % len(pool)]
        if re.fullmatch(r"r\d\d", token):
            return self.users[f"{slug}_{token}"]
        return self.users[token]


class _Writer:
    def __init__(self, seeder):
        self.rng = random.Random(RNG_SEED)
        self.people = _People(seeder)

    def thread(self, community, slug: str, script: str, idea=None, title: str = "",
               body: str = "", author=None, day: float | None = None) -> Thread:
        lines = parse(script)
        start = day if day is not None else min(line.day for line in lines)
        thread = Thread(community_id=community.id, idea_id=getattr(idea, "id", None),
                        title=title, body=body, author_id=getattr(author, "id", None),
                        created_at=when(start))
        db.session.add(thread)
        db.session.flush()
        parent_of, top = {}, None
        for i, line in enumerate(lines):
            if line.reply:
                parent_of[i] = top
            else:
                top = i
        comments = [self._comment(thread, slug, line) for line in lines]
        db.session.add_all(c for i, c in enumerate(comments) if i not in parent_of)
        db.session.flush()  # parents first, so replies can name them
        for i, parent in parent_of.items():
            comments[i].parent_id = comments[parent].id
            db.session.add(comments[i])
        db.session.flush()
        for comment, line in zip(comments, lines):
            self._reactions(comment, slug, line)
        return thread

    def _comment(self, thread: Thread, slug: str, line: Line) -> Comment:
        written = when(line.day)
        comment = Comment(thread_id=thread.id, author_id=self.people.get(slug, line.who).id,
                          stance=line.stance, body=line.text, created_at=written)
        if line.flag == "edited":
            comment.edited_at = written + timedelta(minutes=self.rng.randint(2, 12))
        elif line.flag == "deleted":
            comment.body, comment.deleted_at = "", written + timedelta(hours=self.rng.uniform(1, 5))
        return comment

    def _reactions(self, comment: Comment, slug: str, line: Line) -> None:
        """有道理 from neighbours, in the hours after the comment."""
        if line.flag == "deleted":
            return
        pool = [u for u in self.people.verified[slug] if u.id != comment.author_id]
        n = self.rng.randint(0, 3) if line.reply else self.rng.choice((0, 1, 2, 3, 4, 6, 9, 12))
        for user in self.rng.sample(pool, min(n, len(pool))):
            hours = self.rng.uniform(0.2, 36.0)
            agreed = min(comment.created_at + timedelta(hours=hours), at(LAST_DAY))
            db.session.add(Reaction(comment_id=comment.id, user_id=user.id, created_at=agreed))

    def summary(self, thread: Thread, slug: str, who: str, day: float, body: str) -> None:
        db.session.add(ThreadSummary(thread_id=thread.id, version=1, body=body,
                                     author_id=self.people.get(slug, who).id,
                                     created_at=when(day)))


@demo_seeded.connect
def seed_threads(seeder) -> None:
    """Write the demo debates (connected to `proposals.demo.demo_seeded`)."""
    writer = _Writer(seeder)
    for key, script in IDEA_THREADS.items():
        idea = seeder.ideas[key]
        slug = next(s for s, c in seeder.communities.items() if c is idea.community)
        thread = writer.thread(idea.community, slug, script, idea=idea)
        if key in SUMMARIES:
            writer.summary(thread, slug, *SUMMARIES[key])
    for slug, who, day, title, body, script in TOPICS:
        community = seeder.communities[slug]
        writer.thread(community, slug, script, title=title, body=body,
                      author=writer.people.get(slug, who), day=day)
    db.session.flush()
    _report_one(writer, seeder.communities["gaorong"])


def _report_one(writer: _Writer, community) -> None:
    """One open report, so the moderation queue of the demo has something to show."""
    comment = db.session.scalar(
        select(Comment).join(Thread).join(Idea, Thread.idea_id == Idea.id)
        .where(Thread.community_id == community.id, Idea.stage == "deliberating",
               Comment.stance == "oppose", Comment.deleted_at.is_(None))
        .order_by(Comment.id).limit(1))
    if comment is None:
        return
    reporter = next(u for u in writer.people.verified["gaorong"] if u.id != comment.author_id)
    db.session.add(Flag(comment_id=comment.id, user_id=reporter.id,
                        reason="说话有点冲，请议事员看一下是否合适。",
                        created_at=comment.created_at + timedelta(hours=3)))
