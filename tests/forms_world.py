"""A world with one of every kind of object, in the states that show each form (a live
meeting and one with a motion open, an open, an upcoming and a closed round...), and the
kinds of people who fill them in. The crawler (forms_crawl.py) opens every page of it.

Ids vary by name in `variants`: the crawler opens a page once per variant of the ids
its route takes, so a page that shows different forms in different states is read in
each. A new kind of object gets its id here, and its forms are then fuzzed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from hashlib import sha1

from sqlalchemy import select, text

from app.extensions import db
from app.timeutil import utcnow

from .forms_crawl import Role


@dataclass
class World:
    values: dict
    roles: dict[str, Role]
    variants: dict[str, list[dict]] = field(default_factory=dict)

    def scene(self, chosen: dict) -> dict:
        """The values with the chosen variants; a callable is a value of the moment (a
        meeting's join code changes every 30 seconds)."""
        values = dict(self.values)
        for key, index in chosen.items():
            values.update(self.variants[key][index])
        return {k: v() if callable(v) else v for k, v in values.items()}


def _meetings(make, home, idea, topic, council):
    """A live meeting (someone speaking, a hand raised), one with a motion open and the
    timer paused, one scheduled and one closed; each with two items on its agenda."""
    from deliberation.meetings import services as meetings
    from deliberation.meetings.models import Meeting
    from deliberation.meetings.setup import add_item
    chair = make.user(home, "chair", display_name="主持人老周")
    made = {}
    for state in ("live", "motion", "scheduled", "closed"):
        m = make.meeting(home, chair=chair, ideas=[idea], council=1)
        add_item(m, chair, kind="topic", thread=topic)
        add_item(m, chair, kind="free", title="其他事项")
        for member in council:
            m.council.append(type(m.council[0])(user_id=member.id))
        db.session.commit()
        if state != "scheduled":
            meetings.start(m, chair)
            for member in [chair, *council]:
                meetings.sign_in(m, member, "qr")
            meetings.add_attendee(m, chair, "张大爷")
            meetings.add_speaker(m, chair, "王阿姨", "support")
            meetings.add_speaker(m, chair, "李叔叔", "oppose")
            meetings.call_next(m, chair)
        if state == "live":
            meetings.raise_hand(m, council[0], "suggest")
        if state == "motion":
            meetings.pause(m, chair)
            meetings.put_motion(m, chair, question="同意列入方案吗？",
                                present_ids={c.user_id for c in m.council})
        if state == "closed":
            meetings.close(m, chair)
        db.session.commit()
        made[state] = db.session.get(Meeting, m.id)
    variants = []
    for m in made.values():
        speaker = m.items[0].speakers[-1].id if m.items[0].speakers else 1
        variants.append({"meeting_id": m.id, "item_id": m.items[0].id, "speaker_id": speaker,
                         "token": m.screen_token, "join_code": _join_code(m)})
    return chair, variants


def _join_code(meeting):
    """The code the meeting's screen shows at the time of asking."""
    from deliberation.meetings import rules
    secret, meeting_id = meeting.join_secret, meeting.id
    return lambda: rules.join_code(secret, meeting_id, rules.join_window(utcnow()))


def _rounds(make, home):
    from proposals.kids import codes
    from proposals.rounds import ballots
    from proposals.rounds.eligibility import paper_voter_for_user
    from .kids_factories import kids_round
    variants = []
    for state in ("open", "upcoming", "closed"):
        r = kids_round(make, home, state=state)
        code = codes.mint_cards(r, 1)[0]
        db.session.commit()
        variants.append({"round_id": r.id, "entry_id": r.entries[0].id, "code": code,
                         "participation_id": 1})
    bare = make.round(home, state="upcoming")  # no children's part yet: its set-up form
    variants.append({"round_id": bare.id, "entry_id": bare.entries[0].id})
    make.planned_idea(home, 5_000_00, title="可以加进投票的点子")  # for "add to this round"
    paper = make.round(home, paper_needs_confirmation=True)  # a paper ballot to confirm
    entered = ballots.enter_paper(paper, make.user(home, "staff"),
                                  paper_voter_for_user(paper, make.user(home)),
                                  [paper.entries[0].id], "P-1")
    db.session.commit()
    variants.append({"round_id": paper.id, "entry_id": paper.entries[0].id,
                     "participation_id": entered.id})
    return variants


def _owners(make, home, resident, staff, other):
    """An open decision where the resident (owner A) voted online and a sheet says
    otherwise (a conflict to resolve), owner B's conflict resolved, and a closed one to
    apply."""
    from proposals.owners import decisions
    from proposals.owners.models import Owner
    decision = make.owners_decision(home, title="加装电梯")
    closed = make.owners_decision(home, matter="use_fund", title="屋顶防水维修")
    closed.opens_at = utcnow() - timedelta(days=20)
    closed.closes_at = utcnow() - timedelta(days=5)
    for register_id, user in (("A", resident), ("B", other)):
        for owner in db.session.scalars(select(Owner).where(
                Owner.community_id == home.id, Owner.register_id == register_id)):
            owner.user_id = user.id
    db.session.commit()
    for user in (other, resident):
        owner = db.session.scalar(select(Owner).where(Owner.user_id == user.id))
        decisions.cast_online(decision, owner, user, "agree")
        decisions.enter_sheet(decision, owner, "against", f"S-{owner.id}", staff=staff)
        if user is other:
            decisions.resolve_conflict(decision, owner, "against", staff, "业主说以签字为准。")
    db.session.commit()
    return [{"decision_id": d.id, "owner_id": owner.id} for d in (decision, closed)]


def _outcomes(make, home, staff, member):
    from .outcomes_factories import draft, project, published
    from proposals.outcomes.models import OutcomeComment
    done = published(make, home, staff)
    remark = OutcomeComment(outcome_id=done.id, author_id=member.id, body="不漏了")
    db.session.add(remark)
    drafted = draft(project(make, home, title="楼道灯"), staff)
    db.session.commit()
    return [{"outcome_id": o.id, "outcome_photo_id": o.photos[0].id,
             "outcome_comment_id": remark.id} for o in (done, drafted)]


def _deliberation(make, home, idea, resident, unverified, council):
    """A comment of the resident's own, one flagged and one hidden (for the moderation
    queue), a topic, and a notification."""
    from deliberation import moderation, summaries
    from deliberation.models import Thread
    from deliberation.notifications import notify
    comment = make.comment(idea, author=resident)
    flagged = make.comment(idea, author=unverified, body="一楼的意见")
    moderation.flag(flagged, resident, "广告")
    moderation.hide(make.comment(idea, author=unverified, body="不文明的话"), council, "不文明")
    topic = Thread(community_id=home.id, title="流浪猫怎么办", body="大家说说看。",
                   author_id=resident.id)
    db.session.add(topic)
    db.session.flush()
    notify([resident.id], "comment", idea_id=idea.id, comment_id=flagged.id,
           actor_id=unverified.id)
    summaries.write(comment.thread, council, "大家同意先修楼道灯。")
    db.session.commit()
    return comment, topic


def _notices(make, home, staff, resident):
    """An open notice with an objection to answer, one over and settled (to finish),
    and a noticed plan on none yet (a candidate for a new notice)."""
    from proposals.notices import services as notices
    noticed = make.idea(home, stage="noticed")
    notice = notices.open_notice(home, staff, "plan", ideas=[noticed], title="公示：楼道灯",
                                 text="公示七天。")
    objection = notices.file_objection(notice, resident, noticed, "太贵了。")
    notices.answer_objection(notices.file_objection(notice, staff, noticed, "时间太长。"),
                             staff, "工期已经缩短。", upheld=False)
    over = notices.open_notice(home, staff, "plan", ideas=[make.idea(home, stage="noticed")],
                               title="公示：长椅", text="公示七天。")
    over.opens_at, over.closes_at = utcnow() - timedelta(days=10), utcnow() - timedelta(days=1)
    make.idea(home, stage="noticed", title="等待公示的方案")
    db.session.commit()
    return noticed, [{"notice_id": notice.id, "objection_id": objection.id},
                     {"notice_id": over.id}]


def _projects(make, home, staff):
    """A funded project with one of everything, one in progress without an outcome page,
    and an idea funded before projects existed (staff set its project up by hand)."""
    from proposals.models import Costing, FundingSource
    from .outcomes_factories import project
    from .projects_factories import access_world
    funded = access_world(make, home)
    building = project(make, home, title="单元门禁")
    old = make.idea(home, stage="funded", title="早就批准的点子")
    old.costing = Costing(amount_fen=1_000_00, responsible="物业",
                          sources=[FundingSource(kind="round_budget", amount_fen=1_000_00)])
    db.session.commit()
    return old, [funded, {"project_id": building.id}]


def build(make) -> World:
    """The world: two communities, "home" with one of everything, and its people."""
    from .kids_factories import child
    home, other = make.community(slug="home"), make.community(slug="other")
    staff = make.user(home, "staff")
    admin = make.user(home, "admin", is_site_admin=True)
    resident = make.user(home)
    unverified = make.user(home, verified=False)
    council = [make.user(home, "council") for _ in range(2)]
    guardian = make.user(home)
    kid = child(make, home, guardian)
    idea = make.idea(home)
    comment, topic = _deliberation(make, home, idea, resident, unverified, council[0])
    chair, meeting_variants = _meetings(make, home, idea, topic, council)
    noticed, notice_variants = _notices(make, home, staff, resident)
    old_funded, project_variants = _projects(make, home, staff)
    rounds = _rounds(make, home)
    values = {"slug": "home", "idea_id": idea.id, "comment_id": comment.id,
              "member_id": resident.memberships[0].id, "thread_id": topic.id,
              "child_id": kid.id, "name": "missing.jpg", "code": "en",
              "notification_id": 1, "kiosk_round_id": rounds[0]["round_id"]}
    values.update(project_variants[0])
    variants = {
        "meeting_id": meeting_variants,
        "round_id": rounds,
        "decision_id": _owners(make, home, resident, staff, council[1]),
        "outcome_id": _outcomes(make, home, staff, resident),
        "notice_id": notice_variants,
        "project_id": project_variants,
        "idea_id": [{"idea_id": i.id} for i in (idea, old_funded, noticed)],
    }
    people = {"resident": resident, "unverified": unverified, "guardian": guardian,
              "council": council[0], "chair": chair, "staff": staff, "admin": admin,
              "outsider": make.user(other)}
    roles = {"anonymous": Role(), **{k: Role(u.username) for k, u in people.items()},
             "kiosk": Role(staff.username, steps=_kiosk_steps)}
    return World(values, roles, variants)


def _kiosk_steps(client, values) -> list[tuple[str, str, str]]:
    """Staff start the kiosk on the tablet (which logs them out there), then tap "next
    child": the children's ballot is the answer to that POST, not a page of its own."""
    base = f"/c/{values['slug']}/kids"
    round_id = values["kiosk_round_id"]  # the open round with a children's part
    start = client.post(f"{base}/rounds/{round_id}/kiosk/start",
                        token_from=f"/c/{values['slug']}/rounds/{round_id}")
    assert start.status_code == 303, start.status_code
    wait = client.get(f"{base}/kiosk")
    ballot = client.post(f"{base}/kiosk/next", token_from=f"{base}/kiosk")
    return [("kiosk", f"{base}/kiosk", wait.get_data(as_text=True)),
            ("kiosk-next", f"{base}/kiosk/next", ballot.get_data(as_text=True))]


# --- the world's database: kept once, put back before each form, compared after -------

def snapshot() -> dict:
    """Every row of every table, to put the world back without building it again."""
    snap = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        snap[table.name] = [dict(r) for r in db.session.execute(
            select(table).order_by(*order)).mappings()]
    return snap


def restore(snap: dict) -> None:
    """Empty the database and insert the snapshot's rows. Foreign keys are checked at
    the end (SQLite) or not at all (PostgreSQL, as a bulk copy): some tables point at
    each other, e.g. a meeting at its current agenda item."""
    from .conftest import empty_database
    empty_database()
    postgres = db.engine.dialect.name == "postgresql"
    db.session.execute(text("SET LOCAL session_replication_role = replica" if postgres
                            else "PRAGMA defer_foreign_keys = ON"))
    for table in db.metadata.sorted_tables:
        if snap[table.name]:
            db.session.execute(table.insert(), snap[table.name])
    if postgres:
        for table in db.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement in (True, "auto") \
                    and pk[0].type.python_type is int:
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{pk[0].name}'), "
                    f"COALESCE(MAX(\"{pk[0].name}\"), 1), MAX(\"{pk[0].name}\") IS NOT NULL) "
                    f"FROM \"{table.name}\""))
    db.session.commit()


@cache
def _fingerprint_sql(dialect: str) -> str:
    parts = []
    for table in db.metadata.sorted_tables:
        name = table.name.replace('"', '""')
        if dialect == "postgresql":
            parts.append(f"SELECT '{name}', COUNT(*), md5(COALESCE(string_agg(t::text, chr(30) "
                         f"ORDER BY t::text), '')) FROM \"{name}\" AS t")
        else:
            row = " || ',' || ".join(f'quote("{c.name}")' for c in table.columns)
            parts.append(f"SELECT '{name}', COUNT(*), COALESCE(group_concat(r, char(30)), '') "
                         f"FROM (SELECT {row} AS r FROM \"{name}\" ORDER BY rowid)")
    return " UNION ALL ".join(parts)


def fingerprint() -> dict[str, tuple]:
    """Per table: its row count and a digest of its rows, in one query."""
    db.session.commit()
    rows = db.session.execute(text(_fingerprint_sql(db.engine.dialect.name))).all()
    db.session.commit()
    return {name: (count, sha1(str(digest).encode()).hexdigest()) for name, count, digest in rows}
