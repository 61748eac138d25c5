"""Writing outcome pages (金钥匙): draft one for a project in progress, edit its text and
photos, publish it (which moves the idea to `done`); residents rate it and comment.

Each verb checks its own rules and raises OutcomeRefused with a message for the person;
the caller runs it inside `write_transaction()`. Staff permission is the views' job
(`@access("staff")`); the residents' rules (verified, this community) are checked here
because they are what the satisfaction vote means.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import audit, once, permissions
from app.extensions import db
from app.timeutil import utcnow
from proposals.moves import MoveRefused, move_idea
from proposals.photos import ProcessedPhoto, store
from proposals.projects.signals import outcome_published
from proposals.services import photo_folder

from .models import PHOTO_KINDS, SCORES, Outcome, OutcomeComment, OutcomePhoto, \
    SatisfactionVote

MAX_TITLE = 120
MAX_SUMMARY = 5000
MAX_CAPTION = 120
MAX_PHOTOS_PER_KIND = 6
MAX_COMMENT = 300


class OutcomeRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- drafting and editing ---------------------------------------------------------------

def outcome_of(project) -> Outcome | None:
    return db.session.scalar(select(Outcome).where(Outcome.project_id == project.id))


def draft_outcome(project, staff) -> Outcome:
    """The outcome page of a project in progress, as a draft titled after the idea."""
    if project.idea.stage != "in_progress":
        raise OutcomeRefused(_("An outcome page is written for a project in progress."))
    if outcome_of(project) is not None:
        raise OutcomeRefused(_("This project already has an outcome page."))
    outcome = Outcome(community_id=project.community_id, project_id=project.id,
                      title=project.idea.title[:MAX_TITLE], summary="",
                      created_by_id=staff.id)
    try:
        # Two staff pressing the button at once: the unique key on project_id wins.
        with db.session.begin_nested():
            db.session.add(outcome)
    except IntegrityError:
        raise OutcomeRefused(_("This project already has an outcome page.")) from None
    audit.record("outcome.draft", actor=staff, community=project.community, target=outcome,
                 project_id=project.id)
    return outcome


def check_text(title: str, summary: str) -> tuple[str, str]:
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title:
        raise OutcomeRefused(_("Give the outcome page a title."))
    if len(title) > MAX_TITLE:
        raise OutcomeRefused(_("The title may have at most %(n)d characters.", n=MAX_TITLE))
    if len(summary) > MAX_SUMMARY:
        raise OutcomeRefused(_("“What was done” may have at most %(n)d characters.",
                               n=MAX_SUMMARY))
    return title, summary


def edit(outcome: Outcome, staff, *, title: str, summary: str) -> None:
    """Change the title and "what was done"; after publishing too (a correction), and
    then the audit log keeps what it said before."""
    title, summary = check_text(title, summary)
    if outcome.published and not summary:
        raise OutcomeRefused(_("A published outcome page must say what was done."))
    before = {"title": outcome.title, "summary": outcome.summary} if outcome.published else {}
    outcome.title, outcome.summary = title, summary
    audit.record("outcome.edit", actor=staff, community=outcome.community, target=outcome,
                 published=outcome.published, **{f"before_{k}": v for k, v in before.items()})


def _require_draft(outcome: Outcome) -> None:
    if outcome.published:
        raise OutcomeRefused(_("The photos of a published outcome page can no longer be "
                               "changed."))


def add_photo(outcome: Outcome, staff, kind: str, photo: ProcessedPhoto,
              caption: str = "") -> OutcomePhoto:
    _require_draft(outcome)
    if kind not in PHOTO_KINDS:
        raise OutcomeRefused(_("Say whether the photo shows the place before or after."))
    caption = (caption or "").strip()
    if len(caption) > MAX_CAPTION:
        raise OutcomeRefused(_("A caption may have at most %(n)d characters.", n=MAX_CAPTION))
    same = [p for p in outcome.photos if p.kind == kind]
    if len(same) >= MAX_PHOTOS_PER_KIND:
        raise OutcomeRefused(_("At most %(n)d photos of each kind: remove one first.",
                               n=MAX_PHOTOS_PER_KIND))
    name = store(photo, photo_folder())
    row = OutcomePhoto(kind=kind, filename=name, width=photo.width, height=photo.height,
                       caption=caption,
                       position=max((p.position for p in same), default=-1) + 1)
    outcome.photos.append(row)
    audit.record("outcome.photo_add", actor=staff, community=outcome.community,
                 target=outcome, kind=kind, filename=name)
    return row


def remove_photo(outcome: Outcome, staff, photo: OutcomePhoto) -> str:
    """Remove the photo's row; returns its file name for the caller to delete once the
    transaction has committed (a failed commit must not leave a row without its file)."""
    _require_draft(outcome)
    if photo.outcome_id != outcome.id:
        raise OutcomeRefused(_("This photo is not on this outcome page."))
    outcome.photos.remove(photo)
    audit.record("outcome.photo_remove", actor=staff, community=outcome.community,
                 target=outcome, kind=photo.kind, filename=photo.filename)
    return photo.filename


def discard_file(name: str) -> None:
    if name:
        (photo_folder() / name).unlink(missing_ok=True)


# --- publishing ---------------------------------------------------------------------------

def publish_problems(outcome: Outcome) -> list[str]:
    """What still stands between the draft and publishing it (empty when it may go)."""
    problems = []
    if not outcome.summary.strip():
        problems.append(_("Say what was done: the page needs this text."))
    if not any(p.kind == "after" for p in outcome.photos):
        problems.append(_("Add at least one photo of the result (an “after” photo)."))
    if outcome.project.idea.stage != "in_progress":
        problems.append(_("Only the outcome of a project in progress can be published."))
    return problems


def publish(outcome: Outcome, staff):
    """Publish the page and move the idea to done (the stage table asks for a published
    outcome as the cause); followers hear of it through `outcome_published`. If the move
    is refused, nothing is published. Returns the idea's stage change."""
    if outcome.published:
        raise OutcomeRefused(_("This outcome page is already published."))
    problems = publish_problems(outcome)
    if problems:
        raise OutcomeRefused(" ".join(problems))
    outcome.published_at, outcome.published_by_id = utcnow(), staff.id
    try:
        change = move_idea(outcome.project.idea, "done", actor=staff, cause=outcome)
    except MoveRefused as refused:
        outcome.published_at = outcome.published_by_id = None
        raise OutcomeRefused(refused.message) from None
    audit.record("outcome.publish", actor=staff, community=outcome.community, target=outcome,
                 idea_id=outcome.project.idea_id)
    outcome_published.send(outcome, actor=staff)
    return change


# --- satisfaction ---------------------------------------------------------------------------

def _may_take_part(outcome: Outcome, user) -> None:
    if not outcome.published:
        raise OutcomeRefused(_("This outcome page is not published yet."))
    if not permissions.is_verified_resident(user, outcome.community):
        raise OutcomeRefused(_("Only verified residents of this community can take part."))


def parse_score(value) -> int:
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = 0
    if score not in SCORES:
        raise OutcomeRefused(_("Choose one of the five faces."))
    return score


def rate(outcome: Outcome, user, score) -> SatisfactionVote:
    """One vote per resident: a second vote replaces the first."""
    score = parse_score(score)
    _may_take_part(outcome, user)
    where = (SatisfactionVote.outcome_id == outcome.id, SatisfactionVote.user_id == user.id)
    vote = db.session.scalar(select(SatisfactionVote).where(*where))
    if vote is None:
        try:
            # A double click on PostgreSQL can race past the check; the unique key wins.
            with db.session.begin_nested():
                vote = SatisfactionVote(outcome_id=outcome.id, user_id=user.id, score=score)
                db.session.add(vote)
            return vote
        except IntegrityError:
            vote = db.session.scalar(select(SatisfactionVote).where(*where))
    vote.score, vote.updated_at = score, utcnow()
    return vote


@dataclass(frozen=True)
class Distribution:
    counts: dict[int, int]  # score → votes, every score present

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        if not self.total:
            return None
        return sum(s * n for s, n in self.counts.items()) / self.total

    def share(self, score: int) -> float:
        return self.counts[score] / self.total if self.total else 0.0


def distribution(outcome: Outcome) -> Distribution:
    """Votes per score, in one query."""
    rows = db.session.execute(select(SatisfactionVote.score, func.count())
                              .where(SatisfactionVote.outcome_id == outcome.id)
                              .group_by(SatisfactionVote.score))
    counts = {s: 0 for s in SCORES}
    counts.update({score: n for score, n in rows})
    return Distribution(counts)


def score_of(outcome: Outcome, user) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(SatisfactionVote.score).where(
        SatisfactionVote.outcome_id == outcome.id, SatisfactionVote.user_id == user.id))


# --- short comments ---------------------------------------------------------------------

def add_comment(outcome: Outcome, user, body: str,
                once_key: str | None = None) -> OutcomeComment:
    _may_take_part(outcome, user)
    body = (body or "").strip()
    if not body:
        raise OutcomeRefused(_("Please write something first."))
    if len(body) > MAX_COMMENT:
        raise OutcomeRefused(_("A comment here may have at most %(n)d characters.",
                               n=MAX_COMMENT))

    def make(key):
        comment = OutcomeComment(outcome_id=outcome.id, author_id=user.id, body=body,
                                 once_key=key)
        db.session.add(comment)
        db.session.flush()
        return comment
    return once.write_once(OutcomeComment, user.id, once_key, make)


def set_hidden(comment: OutcomeComment, moderator, hidden: bool) -> None:
    outcome = db.session.get(Outcome, comment.outcome_id)
    if not permissions.is_moderator(moderator, outcome.community):
        raise OutcomeRefused(_("Only moderators can hide comments."))
    if comment.hidden == hidden:
        return
    comment.hidden = hidden
    audit.record("outcome.comment_hide" if hidden else "outcome.comment_show",
                 actor=moderator, community=outcome.community, target=comment,
                 outcome_id=outcome.id, author_id=comment.author_id)
