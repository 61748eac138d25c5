"""Growing the access world for the query budgets: several more of every row a page
lists, in the home community and on the very objects the world's URLs name.

Everything goes through the factories and services the product uses, so the rows are
the ones a page really meets (a comment's reply, a ballot's choices, a motion's votes).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from deliberation import follows, moderation, notifications
from deliberation import services as talk
from deliberation.meetings import services as meetings
from deliberation.meetings.setup import add_item
from deliberation.models import Comment, Thread
from deliberation.topics import start_topic
from proposals.kids import codes, profiles, voting
from proposals.models import Idea, IdeaPhoto
from proposals.notices import services as notices
from proposals.notices.models import Notice
from proposals.outcomes import services as outcomes
from proposals.outcomes.models import Outcome, OutcomeComment, OutcomePhoto
from proposals.owners import decisions
from proposals.owners.models import DecisionUnit, Owner, OwnersDecision, RegisterUnit
from proposals.owners.register import import_register
from proposals.owners.register_csv import UnitRow
from proposals.projects import milestones, services as projects, spending
from proposals.projects.models import Project
from proposals.rounds import ballots
from proposals.rounds.eligibility import voters_for
from proposals.rounds.models import Round
from proposals.rounds.services import add_idea
from proposals.services import toggle_support

from . import access_world as world
from .kids_factories import child
from .projects_factories import access_world as project_world

TIMES = 3  # how many more of each thing


def grow(make, home, site: dict, gen: int) -> None:
    """Add TIMES more of everything to `home` (an access_world.Place); `gen` numbers
    the call, so that names meant to be unique stay so when it grows again."""
    c, v, cast = home.community, home.values, home.cast
    people = [make.user(c) for _ in range(TIMES)]
    grow_members(make, c)
    grow_ideas(make, c, people, home)
    grow_thread(v["idea_id"], cast, people)
    grow_topics(c, v["thread_id"], people, cast["resident"])
    grow_notifications(cast["resident"], c, people)
    grow_round(make, home, people)
    grow_meeting(make, home, people)
    grow_notice(make, home, people)
    grow_project(make, home)
    grow_outcome(make, home, people, gen)
    grow_owners(make, home, gen)
    grow_children(make, home, gen)
    grow_idea_photos(v["idea_id"], site["name"], gen)
    grow_closed(make, home, people)
    db.session.commit()


def grow_closed(make, home, people) -> None:
    """What the world has only while live, over: a closed round (more ballots each
    time: it is opened, voted in and closed again) and a closed meeting with published
    minutes. Their ids go in `home.values` as closed_round_id and closed_meeting_id."""
    c, v = home.community, home.values
    if "closed_round_id" not in v:
        v["closed_round_id"] = make.round(c, state="closed").id
        meeting = make.meeting(c, ideas=[make.idea(c, stage="deliberating")])
        meetings.start(meeting, meeting.chair)
        meetings.close(meeting, meeting.chair)
        meetings.save_minutes(meeting, meeting.chair, "会议纪要。", publish=True)
        v["closed_meeting_id"] = meeting.id
    round_ = make.time_round(db.session.get(Round, v["closed_round_id"]), "open")
    entries = [e.id for e in round_.entries]
    for n, person in enumerate(people):
        ballots.submit_online(round_, voters_for(round_, person)[0],
                              [entries[n % 2], entries[2]])
    make.time_round(round_, "closed")


def grow_members(make, community) -> None:
    for role in ("council", "staff", "chair", "admin"):
        make.user(community, role)
    for _ in range(TIMES):
        make.user(community, verified=False)


def grow_ideas(make, community, people, home) -> None:
    """Ideas in every listed stage, each supported, commented and with a photo."""
    for stage in ("submitted", "deliberating", "planned", "in_round", "noticed",
                  "funded", "in_progress", "done", "not_adopted", "withdrawn"):
        for n in range(TIMES):
            author = home.cast["resident"] if n == 0 else people[n]  # their ideas grow
            idea = make.idea(community, author=author, stage=stage)
            for person in people:
                toggle_support(idea, person)
            idea.photos.append(IdeaPhoto(filename=f"grown-{idea.id}.jpg", width=1, height=1))
            make.comment(idea, author=people[n])
            follows.set_following(home.cast["resident"], idea, True)
    mine = db.session.get(Idea, home.values["idea_id"])
    for person in people:
        toggle_support(mine, person)
    db.session.commit()


def grow_thread(idea_id: int, cast, people) -> None:
    """Comments, replies, reactions and flags on the world idea's thread, one comment
    hidden by a moderator and one flag dismissed (the queue's handled cases)."""
    idea = db.session.get(Idea, idea_id)
    thread = talk.thread_for_idea(idea)
    writers = people + [cast["council"], cast["owner"]]
    posted = []
    for n, person in enumerate(writers):
        top = talk.post_comment(thread, person, f"第{n}条意见。", "oppose" if n % 2 else "support")
        for other in writers[:TIMES]:
            if other is not person:
                talk.reply(top, other, "回复一下。")
                talk.toggle_reaction(top, other)
        moderation.flag(top, cast["resident"], "不文明")
        posted.append(top)
    moderation.hide(posted[0], cast["council"], "人身攻击")
    moderation.dismiss(posted[1], cast["council"])
    db.session.commit()


def grow_topics(community, thread_id: int, people, resident) -> None:
    """Comments and replies in the world topic (replies to the resident, who hears of
    them with no idea to link), and more topics."""
    topic = db.session.get(Thread, thread_id)
    for n, person in enumerate(people):
        top = talk.post_comment(topic, resident, f"议题意见{n}", "suggest")
        talk.reply(top, person, "有道理。")
        talk.reply(top, people[(n + 1) % len(people)], "同意。")
        talk.toggle_reaction(top, people[(n + 2) % len(people)])
        other = start_topic(community, person, f"新议题{n}", "说说看。")
        talk.post_comment(other, person, "第一条。", "support")
    db.session.commit()


def grow_notifications(resident, community, people) -> None:
    ideas = db.session.scalars(select(Idea).where(Idea.community_id == community.id)
                               .limit(TIMES * 3)).all()
    comments = db.session.scalars(select(Comment).limit(TIMES * 3)).all()
    for idea, comment, person in zip(ideas, comments, people * 3):
        for kind in ("reply", "comment", "stage"):
            notifications.notify([resident.id], kind, idea_id=idea.id,
                                 comment_id=comment.id, actor_id=person.id)
    db.session.commit()


def grow_round(make, home, people) -> None:
    """Ballots (online, paper, children's) in the world round, and more rounds."""
    round_ = db.session.get(Round, home.values["round_id"])
    entries = [e.id for e in round_.entries]
    for n, person in enumerate(people + [home.cast["resident"], home.cast["owner"]]):
        voter = voters_for(round_, person)[0]
        ballots.submit_online(round_, voter, [entries[n % 2], entries[2]])
    for code in codes.mint_cards(round_, TIMES):
        voting.vote_with_code(round_, code, entries[:1])
    staff = home.cast["staff"]
    make.time_round(round_, "upcoming")  # ideas join a ballot only before it opens
    for _ in range(2):
        add_idea(round_, make.planned_idea(home.community, 10_000_00), staff)
    make.time_round(round_, "open")
    for _ in range(TIMES - 1):
        world._round_with_children(make, home.community, make.user(home.community, "staff"))
    db.session.commit()


def grow_meeting(make, home, people) -> None:
    """Agenda items, speakers, attendance, motions and votes in the live meeting."""
    from deliberation.meetings.models import Meeting
    meeting = db.session.get(Meeting, home.values["meeting_id"])
    chair = meeting.chair
    for _ in range(TIMES):
        add_item(meeting, chair, kind="idea", idea=make.idea(home.community,
                                                             stage="deliberating"))
        add_item(meeting, chair, kind="free", title="其他事项")
    for n, person in enumerate(people):
        meetings.add_speaker(meeting, chair, person.display_name, "oppose")
        meetings.sign_in(meeting, person)
        meetings.add_attendee(meeting, chair, f"张阿姨{person.id}")
    council = {c.user_id for c in meeting.council}
    for seat in list(meeting.council):
        meetings.sign_in(meeting, seat.user)
    for n in range(TIMES):
        meetings.put_motion(meeting, chair, question=f"表决{n}", present_ids=council)
        for seat in meetings.voters(meeting):
            meetings.cast_vote(meeting, seat.user, "for")
        meetings.close_motion(meeting, chair)
    for _ in range(TIMES - 1):
        world._meeting(make, home.community, make.idea(home.community, stage="deliberating"))
    db.session.commit()


def grow_notice(make, home, people) -> None:
    notice = db.session.get(Notice, home.values["notice_id"])
    idea = notice.items[0].idea
    staff = home.cast["staff"]
    for n, person in enumerate(people):
        objection = notices.file_objection(notice, person, idea, f"异议{n}")
        if n % 2:
            notices.answer_objection(objection, staff, "已答复。", upheld=False)
    for _ in range(TIMES - 1):
        world._notice(make, home.community, staff, people[0])
    db.session.commit()


def grow_project(make, home) -> None:
    """Milestones (whose notifications reach the resident following the idea), spending,
    partners and funding of the world project, and more projects."""
    project = db.session.get(Project, home.values["project_id"])
    staff = home.cast["staff"]
    follows.set_following(home.cast["resident"], project.idea, True)
    for n in range(TIMES):
        milestones.add_milestone(project, staff, due_on=date(2026, 4, 1 + n), title=f"节点{n}")
        spending.add_spending(project, staff, spent_on=date(2026, 4, 2 + n), amount_fen=100_00,
                              payee=f"供应商{n}", purpose="材料", source_kind="round_budget")
        projects.add_partner(project, staff, name=f"合作单位{n}", contribution="捐赠")
        projects.add_funding(project, staff, kind="subsidy", amount_fen=1_000_00,
                             note=f"补贴{n}")
    for _ in range(TIMES - 1):
        project_world(make, home.community)
    db.session.commit()


def grow_outcome(make, home, people, gen: int) -> None:
    outcome = db.session.get(Outcome, home.values["outcome_id"])
    for n, person in enumerate(people):
        outcome.photos.append(OutcomePhoto(kind="before" if n % 2 else "after",
                                           filename=f"grown-{gen}-{n}.jpg", width=1, height=1))
        outcomes.add_comment(outcome, person, f"修得好{n}")
        outcomes.rate(outcome, person, 1 + n % 5)
    for n in range(TIMES - 1):
        another_outcome(make, home.community, people[0], f"{gen}-{n}")
    db.session.commit()


def another_outcome(make, community, resident, n: str) -> None:
    built = Project(community_id=community.id, idea=make.idea(community, stage="done"),
                    responsible_kind="property", responsible_name="物业")
    db.session.add(built)
    db.session.flush()
    outcome = Outcome(community_id=community.id, project_id=built.id, title=f"修好了{n}",
                      summary="修好了", published_at=utcnow())
    outcome.photos.append(OutcomePhoto(kind="after", filename=f"grown-outcome-{n}.jpg",
                                       width=1, height=1))
    db.session.add(outcome)
    db.session.flush()
    db.session.add(OutcomeComment(outcome_id=outcome.id, author_id=resident.id, body="好"))


def grow_owners(make, home, gen: int) -> None:
    """Votes on the world decision, a larger register, and a decision over it."""
    decision = db.session.get(OwnersDecision, home.values["decision_id"])
    staff = home.cast["staff"]
    for rid in ("B", "C")[gen:gen + 1]:
        owner = db.session.scalar(select(Owner).where(
            Owner.community_id == home.community.id, Owner.register_id == rid))
        decisions.enter_sheet(decision, owner, "agree", f"S-{rid}", staff=staff)
    rows = [("1号楼", "101", 100_00, "A", False), ("1号楼", "102", 90_00, "B", False),
            ("1号楼", "103", 80_00, "C", False)]
    rows += [("2号楼", f"{n + 1}01", 70_00, f"G{n}", False) for n in range(TIMES * (gen + 1))]
    import_register(home.community.slug, [UnitRow(line, *row)
                                          for line, row in enumerate(rows, start=2)])
    # As if the world's decision had been opened over the larger register.
    frozen = {u.unit_id for u in decision.units}
    for held in db.session.scalars(select(RegisterUnit).join(Owner).where(
            Owner.community_id == home.community.id, RegisterUnit.unit_id.not_in(frozen))):
        decision.units.append(DecisionUnit(unit_id=held.unit_id, owner_id=held.owner_id,
                                           area_centi=70_00))
        decisions.enter_sheet(decision, held.owner, "against", f"S-{held.owner_id}",
                              staff=staff)
    decisions.open_decision(home.community, "rebuild", "外墙翻新")
    db.session.commit()


def grow_children(make, home, gen: int) -> None:
    guardian = home.cast["guardian"]
    round_ = db.session.get(Round, home.values["round_id"])
    entry = round_.entries[0].id
    for n in range(TIMES):
        if n < 2:  # a guardian may keep six profiles: the world's one and two a time
            kid = child(make, home.community, guardian, nickname=f"小朋友{gen}{n}")
            voting.vote_as_child(round_, kid, [entry])
        profiles.create_by_staff(home.community, home.cast["staff"], nickname=f"纸质{gen}{n}",
                                 age_band="9-11", avatar="cat", paper_ref=f"F-{gen}-{n}")
    db.session.commit()


def grow_idea_photos(idea_id: int, name: str, gen: int) -> None:
    idea = db.session.get(Idea, idea_id)
    for n in range(TIMES):
        idea.photos.append(IdeaPhoto(filename=f"{gen}-{n}-{name}", width=1, height=1))
