"""Child profiles: made by a guardian with consent (or by staff from a signed paper
form), seen and deleted by the guardian, with everything the child did."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update

from app import audit, permissions
from app.extensions import db
from app.timeutil import utcnow

from .models import AGE_BANDS, AVATARS, NOTICE_VERSION, ChildBallot, ChildChoice, ChildProfile, \
    ChildrensPart

NICKNAME_MAX = 12
MAX_PER_GUARDIAN = 6  # a family, not a class: staff make profiles for groups
MAX_PAPER_REF = 40


class ProfileRefused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _checked(nickname: str, age_band: str, avatar: str) -> str:
    nickname = " ".join((nickname or "").split())
    if not nickname:
        raise ProfileRefused("nickname", _("Give a nickname: what the child likes to be "
                                           "called, not their real name."))
    if len(nickname) > NICKNAME_MAX:
        raise ProfileRefused("nickname", _("A nickname may be at most %(num)d characters.",
                                           num=NICKNAME_MAX))
    if age_band not in AGE_BANDS:
        raise ProfileRefused("age_band", _("Choose the child's age group."))
    if avatar not in AVATARS:
        raise ProfileRefused("avatar", _("Choose an animal."))
    return nickname


def create_for_guardian(community, guardian, *, nickname: str, age_band: str, avatar: str,
                        consent: bool) -> ChildProfile:
    """A guardian (a verified resident) makes their child's profile, consenting to the
    notice (PIPL: a child under 14's data needs a guardian's consent)."""
    if not permissions.is_verified_resident(guardian, community):
        raise ProfileRefused("consent", _("Only a verified resident can make a child's "
                                          "profile."))
    nickname = _checked(nickname, age_band, avatar)
    if not consent:
        raise ProfileRefused("consent", _("Read the notice and agree to it as the child's "
                                          "guardian."))
    if len(of_guardian(guardian, community)) >= MAX_PER_GUARDIAN:
        raise ProfileRefused("nickname", _("A guardian can have at most %(num)d children's "
                                           "profiles here.", num=MAX_PER_GUARDIAN))
    now = utcnow()
    child = ChildProfile(community_id=community.id, nickname=nickname, age_band=age_band,
                         avatar=avatar, guardian_id=guardian.id, created_by_id=guardian.id,
                         consent_version=NOTICE_VERSION, consent_at=now, created_at=now)
    db.session.add(child)
    db.session.flush()
    # The nickname stays out of the audit log: it goes when the profile goes.
    audit.record("kids.profile_created", actor=guardian, community=community, target=child,
                 consent_version=NOTICE_VERSION)
    return child


def create_by_staff(community, staff, *, nickname: str, age_band: str, avatar: str,
                    paper_ref: str) -> ChildProfile:
    """Staff make a profile at the community centre from a guardian's signed consent
    form, whose number is kept."""
    nickname = _checked(nickname, age_band, avatar)
    ref = (paper_ref or "").strip()
    if not ref or len(ref) > MAX_PAPER_REF:
        raise ProfileRefused("paper_ref", _("Give the number of the guardian's signed "
                                            "consent form."))
    now = utcnow()
    child = ChildProfile(community_id=community.id, nickname=nickname, age_band=age_band,
                         avatar=avatar, guardian_id=None, created_by_id=staff.id,
                         consent_version=NOTICE_VERSION, consent_at=now,
                         consent_paper_ref=ref, created_at=now)
    db.session.add(child)
    db.session.flush()
    audit.record("kids.profile_created", actor=staff, community=community, target=child,
                 consent_version=NOTICE_VERSION, paper_ref=ref)
    return child


def of_guardian(user, community) -> list[ChildProfile]:
    return list(db.session.scalars(
        select(ChildProfile).where(ChildProfile.community_id == community.id,
                                   ChildProfile.guardian_id == user.id)
        .order_by(ChildProfile.id)))


def of_paper_forms(community) -> list[ChildProfile]:
    """The profiles staff made from guardians' paper forms (never guardians' own)."""
    return list(db.session.scalars(
        select(ChildProfile).where(ChildProfile.community_id == community.id,
                                   ChildProfile.guardian_id.is_(None))
        .order_by(ChildProfile.id)))


def open_rounds(community) -> list:
    """The rounds whose children's ballot is open now, soonest closing first."""
    from proposals.rounds.models import Round
    now = utcnow()
    return list(db.session.scalars(
        select(Round).join(ChildrensPart, ChildrensPart.round_id == Round.id)
        .where(Round.community_id == community.id, Round.adopted_at.is_(None),
               Round.opens_at <= now, Round.closes_at > now)
        .order_by(Round.closes_at, Round.id)))


def may_manage(user, child: ChildProfile) -> bool:
    """The guardian; staff of the community for a profile made from a paper form."""
    if child.guardian_id is not None:
        return getattr(user, "id", None) == child.guardian_id
    return permissions.is_staff(user, child.community)


def delete(child: ChildProfile, actor) -> None:
    """Delete the profile. Its votes stay counted but no longer say whose they were; its
    ideas stay 小朋友的金点子 without a link to it."""
    from proposals.models import Idea
    db.session.execute(update(ChildBallot).where(ChildBallot.child_id == child.id)
                       .values(child_id=None).execution_options(synchronize_session=False))
    db.session.execute(update(Idea).where(Idea.child_id == child.id)
                       .values(child_id=None).execution_options(synchronize_session=False))
    audit.record("kids.profile_deleted", actor=actor, community=child.community,
                 target=child)
    db.session.delete(child)
    db.session.flush()


@dataclass
class Vote:
    round: object
    entry_ids: list[int]


def activity(child: ChildProfile) -> tuple[list[Vote], list]:
    """Everything the child did: votes from the guardian's phone, and ideas."""
    from proposals.models import Idea
    from proposals.rounds.models import Round
    ballots = db.session.scalars(select(ChildBallot).where(ChildBallot.child_id == child.id))
    votes = []
    for ballot in ballots:
        entry_ids = list(db.session.scalars(select(ChildChoice.entry_id)
                                            .where(ChildChoice.ballot_id == ballot.id)))
        votes.append(Vote(db.session.get(Round, ballot.round_id), entry_ids))
    ideas = list(db.session.scalars(select(Idea).where(Idea.child_id == child.id)
                                    .order_by(Idea.id)))
    return votes, ideas
