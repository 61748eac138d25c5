"""The world the access matrix runs in: a community with one of every object a URL can
name, a person for each role, and the values that fill every route's arguments.

`community_world` makes the objects of one community; the matrix builds it for "home"
(whose URLs every role opens) and, for the cross-community (IDOR) test, for "other" as
well, so that each id argument can be swapped alone for home's while the others stay
the other community's own.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from deliberation import notifications
from deliberation.meetings import services as meetings
from deliberation.models import Notification, Thread
from proposals.kids import codes, files, kiosk, parts
from proposals.kids.pictures import BY_KEY
from proposals.models import Idea, IdeaPhoto
from proposals.notices import services as notices
from proposals.outcomes.models import Outcome, OutcomeComment, OutcomePhoto
from proposals.owners.models import Owner
from proposals.photos import process_photo, store
from proposals.projects.models import Project
from proposals.rounds import ballots
from proposals.rounds.eligibility import paper_voter_for_user
from proposals.services import photo_folder

from .images import jpeg_bytes
from .kids_factories import child
from .projects_factories import access_world as project_world

# Who the matrix is run as. The last three are not signed in: the kiosk tablet holds only
# its cookie, the projector's browser only the screen link.
ROLES = ("anonymous", "unverified", "resident", "owner", "council", "chair", "staff",
         "admin", "site_admin", "guardian", "kiosk", "projector", "outsider")
SIGNED_OUT = ("anonymous", "kiosk", "projector")

# A screen token nobody was given: everyone but the projector's holder opens this one.
WRONG_TOKEN = "not-the-screen-token"
# A join code from a window long gone (the join page says the code changed).
OLD_JOIN_CODE = "expired0code"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d69cb40000"
                    "000049454e44ae426082")


@dataclass
class Place:
    """One community's objects: `values` fills URL arguments, `cast` its people."""

    community: object
    values: dict
    cast: dict = field(default_factory=dict)
    kiosk_token: str = ""


def _round_with_children(make, community, staff):
    """An open round with a children's part whose first card shows an uploaded picture
    (a file kids.file serves), a pending paper ballot to confirm, and a printed code."""
    round_ = make.round(community, state="upcoming", paper_needs_confirmation=True)
    parts.set_part(round_, staff, picks=1, budget_fen=None)
    picture = files.store(PNG, "png")
    parts.set_card(round_.entries[0], staff, label="秋千", upload=picture)
    for entry, key in zip(round_.entries[1:], ("bench", "light")):
        parts.set_card(entry, staff, label=BY_KEY[key].zh, builtin=key)
    db.session.commit()
    make.time_round(round_, "open")
    paper_voter = make.user(community)
    paper = ballots.enter_paper(round_, staff, paper_voter_for_user(round_, paper_voter),
                                [round_.entries[2].id], "P-001")
    code = codes.mint_cards(round_, 1)[0]
    db.session.commit()
    return round_, {"round_id": round_.id, "entry_id": round_.entries[0].id,
                    "participation_id": paper.id, "code": code, "name": picture}


def _meeting(make, community, idea):
    """A live meeting on the idea, with one speaker queued."""
    meeting = make.meeting(community, ideas=[idea])
    meetings.start(meeting, meeting.chair)
    speaker = meetings.add_speaker(meeting, meeting.chair, "王阿姨", "support")
    db.session.commit()
    council = next(c.user for c in meeting.council if c.user_id != meeting.chair_id)
    return meeting, council, {"meeting_id": meeting.id, "item_id": meeting.items[0].id,
                              "speaker_id": speaker.id, "token": meeting.screen_token,
                              "join_code": OLD_JOIN_CODE}


def _notice(make, community, staff, resident):
    noticed = make.idea(community, stage="noticed")
    notice = notices.open_notice(community, staff, "plan", ideas=[noticed],
                                 title="公示：楼道灯", text="公示七天。")
    objection = notices.file_objection(notice, resident, noticed, "太贵了。")
    db.session.commit()
    return {"notice_id": notice.id, "objection_id": objection.id}


def _outcome(make, community, resident):
    """A published outcome of a finished project, with a photo and a resident's remark."""
    built = Project(community_id=community.id, idea=make.idea(community, stage="done"),
                    responsible_kind="property", responsible_name="物业")
    db.session.add(built)
    db.session.flush()
    outcome = Outcome(community_id=community.id, project_id=built.id, title="屋顶修好了",
                      summary="修好了", published_at=utcnow())
    outcome.photos.append(OutcomePhoto(kind="after", filename=f"{community.slug}-after.jpg",
                                       width=1, height=1))
    db.session.add(outcome)
    db.session.flush()
    remark = OutcomeComment(outcome_id=outcome.id, author_id=resident.id, body="不漏了")
    db.session.add(remark)
    db.session.commit()
    return {"outcome_id": outcome.id, "outcome_photo_id": outcome.photos[0].id,
            "outcome_comment_id": remark.id}


def community_world(make, slug: str) -> Place:
    """One community with one of everything, and its people: a resident who wrote the
    idea, the comment, the topic, the objection and the outcome remark; an unverified
    member; an owner linked in the owners' register; the meeting's chair and a council
    member; staff; an admin; a guardian with a child profile."""
    home = make.community(slug=slug)
    staff = make.user(home, "staff")
    resident = make.user(home)
    unverified = make.user(home, verified=False)
    idea = make.idea(home, author=resident, stage="deliberating")
    comment = make.comment(idea, author=resident)
    topic = Thread(community_id=home.id, title="流浪猫怎么办", body="大家说说看。",
                   author_id=resident.id)
    db.session.add(topic)
    db.session.commit()
    values = {"idea_id": idea.id, "comment_id": comment.id, "thread_id": topic.id,
              "member_id": unverified.memberships[0].id}

    round_, round_values = _round_with_children(make, home, staff)
    values.update(round_values)

    decision = make.owners_decision(home)
    owner_user = make.user(home)
    owner = db.session.scalar(select(Owner).where(Owner.community_id == home.id,
                                                  Owner.register_id == "A"))
    owner.user_id = owner_user.id
    db.session.commit()
    values.update(decision_id=decision.id, owner_id=owner.id)

    meeting, council, meeting_values = _meeting(make, home, idea)
    values.update(meeting_values)
    values.update(_notice(make, home, staff, resident))
    values.update(project_world(make, home))
    values.update(_outcome(make, home, resident))

    kid = child(make, home)
    values["child_id"] = kid.id
    token, _session = kiosk.start(round_, staff)
    db.session.commit()
    cast = {"unverified": unverified, "resident": resident, "owner": owner_user,
            "council": council, "chair": meeting.chair, "staff": staff,
            "admin": make.user(home, "admin"), "guardian": kid.guardian}
    return Place(home, values, cast, token)


def site_values(make, home: Place) -> dict:
    """Arguments of the routes outside any community: a language, an idea photo's file,
    the resident's notification."""
    photo = process_photo(jpeg_bytes(), max_bytes=10_000_000, max_pixels=10_000_000)
    name = store(photo, photo_folder())
    idea = db.session.get(Idea, home.values["idea_id"])
    idea.photos.append(IdeaPhoto(filename=name, width=photo.width, height=photo.height))
    notifications.notify([home.cast["resident"].id], "comment", idea_id=idea.id,
                         comment_id=home.values["comment_id"])
    db.session.commit()
    mine = db.session.scalar(select(Notification.id).where(
        Notification.user_id == home.cast["resident"].id))
    return {"code": "en", "name": name, "notification_id": mine}


def people(make, home: Place, other_community) -> dict:
    """Everyone the matrix signs in as (the signed-out roles are None)."""
    cast = dict(home.cast)
    cast["site_admin"] = make.user(None, is_site_admin=True)
    cast["outsider"] = make.user(other_community, "staff")
    for role in SIGNED_OUT:
        cast[role] = None
    return cast


def values_for(role: str, values: dict) -> dict:
    """The URL values `role` uses: only the projector's holder has the screen token."""
    if role == "projector":
        return values
    return {**values, "token": WRONG_TOKEN}
