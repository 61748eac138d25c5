"""Outcome pages (金钥匙) without HTTP: drafting, photos, publishing (the only way an idea
becomes done), the satisfaction vote and the short comments."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from proposals.models import StageChange
from proposals.outcomes import services
from proposals.outcomes.models import Outcome, OutcomeComment, OutcomePhoto, SatisfactionVote
from proposals.outcomes.services import OutcomeRefused
from proposals.projects.signals import outcome_published

from . import outcomes_factories as of
from .querycount import counted_queries


@pytest.fixture(autouse=True)
def english(app):
    # Refusals are matched by their English words; Chinese is the default language.
    with force_locale("en"):
        yield


@pytest.fixture
def place(make):
    return make.community(slug="cn")


@pytest.fixture
def staff(make, place):
    return make.user(place, "staff")


def votes_of(outcome) -> int:
    return db.session.scalar(select(func.count()).select_from(SatisfactionVote)
                             .where(SatisfactionVote.outcome_id == outcome.id))


# --- drafting -------------------------------------------------------------------------------

def test_a_draft_is_titled_after_the_idea_and_one_per_project(make, place, staff):
    project = of.project(make, place, title="长宁路225弄屋顶修缮")
    outcome = services.draft_outcome(project, staff)
    db.session.commit()
    assert (outcome.title, outcome.summary, outcome.published) == ("长宁路225弄屋顶修缮", "", False)
    with pytest.raises(OutcomeRefused, match="already has an outcome page"):
        services.draft_outcome(project, staff)
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 1


@pytest.mark.parametrize("stage", ["funded", "done", "not_adopted"])
def test_only_a_project_in_progress_gets_an_outcome_page(make, place, staff, stage):
    project = of.project(make, place)
    project.idea.stage = stage
    db.session.commit()
    with pytest.raises(OutcomeRefused, match="in progress"):
        services.draft_outcome(project, staff)


def test_the_title_is_required_and_at_most_120_characters(make, place, staff):
    outcome = services.draft_outcome(of.project(make, place), staff)
    with pytest.raises(OutcomeRefused, match="title"):
        services.edit(outcome, staff, title="   ", summary="做完了")
    with pytest.raises(OutcomeRefused, match="120"):
        services.edit(outcome, staff, title="顶" * 121, summary="做完了")
    services.edit(outcome, staff, title="  " + "顶" * 120 + " ", summary="  做完了 ")
    assert (outcome.title, outcome.summary) == ("顶" * 120, "做完了")


# --- photos ---------------------------------------------------------------------------------

def test_at_most_six_photos_of_each_kind(make, place, staff):
    outcome = of.draft(of.project(make, place), staff, before=6, after=0)
    with pytest.raises(OutcomeRefused, match="6"):
        services.add_photo(outcome, staff, "before", of.photo(), "")
    services.add_photo(outcome, staff, "after", of.photo(), "新的防水层")
    db.session.commit()
    assert [p.position for p in outcome.photos if p.kind == "before"] == list(range(6))
    with pytest.raises(OutcomeRefused):
        services.add_photo(outcome, staff, "during", of.photo(), "")
    with pytest.raises(OutcomeRefused, match="120"):
        services.add_photo(outcome, staff, "after", of.photo(), "字" * 121)


def test_a_photo_is_removed_while_a_draft_and_kept_once_published(make, place, staff, app):
    from proposals.services import photo_folder
    outcome = of.draft(of.project(make, place), staff, before=2, after=1)
    first = outcome.photos[0]
    name = services.remove_photo(outcome, staff, first)
    db.session.commit()
    services.discard_file(name)
    assert not (photo_folder() / name).exists()
    assert len(outcome.photos) == 2
    services.publish(outcome, staff)
    db.session.commit()
    with pytest.raises(OutcomeRefused, match="published"):
        services.remove_photo(outcome, staff, outcome.photos[0])
    with pytest.raises(OutcomeRefused, match="published"):
        services.add_photo(outcome, staff, "after", of.photo(), "")


# --- publishing -----------------------------------------------------------------------------

def test_publishing_moves_the_idea_from_in_progress_to_done_and_only_then(make, place, staff):
    outcome = of.draft(of.project(make, place), staff)
    idea = outcome.project.idea
    assert idea.stage == "in_progress"  # a draft, however complete, moves nothing
    change = services.publish(outcome, staff)
    db.session.commit()
    assert idea.stage == "done" and outcome.published
    assert outcome.published_by_id == staff.id
    assert (change.from_stage, change.to_stage, change.cause_type, change.cause_id) == \
        ("in_progress", "done", "outcome", outcome.id)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "outcome.publish")) == 1
    with pytest.raises(OutcomeRefused, match="already published"):
        services.publish(outcome, staff)


def test_publishing_needs_what_was_done_and_an_after_photo(make, place, staff):
    outcome = of.draft(of.project(make, place), staff, summary="", after=0)
    with pytest.raises(OutcomeRefused) as refused:
        services.publish(outcome, staff)
    assert "what was done" in refused.value.message
    assert "“after” photo" in refused.value.message
    db.session.rollback()
    assert not outcome.published and outcome.project.idea.stage == "in_progress"


def test_when_the_move_is_refused_nothing_is_published(make, place, staff):
    outcome = of.draft(of.project(make, place), staff)
    council = make.user(place, "council")  # not staff: the stage table refuses the move
    heard = []

    def receiver(sender, **kw):
        heard.append(sender)

    outcome_published.connect(receiver)
    try:
        with pytest.raises(OutcomeRefused, match="may not"):
            services.publish(outcome, council)
    finally:
        outcome_published.disconnect(receiver)
    db.session.rollback()
    assert outcome.published_at is None and outcome.published_by_id is None
    assert outcome.project.idea.stage == "in_progress" and heard == []
    assert db.session.scalar(select(func.count()).select_from(StageChange)
                             .where(StageChange.to_stage == "done")) == 0


def test_outcome_published_is_sent_once_after_the_move(make, place, staff):
    outcome = of.draft(of.project(make, place), staff)
    heard = []

    def receiver(sender, **kw):
        heard.append((sender, kw["actor"], sender.project.idea.stage))

    outcome_published.connect(receiver)
    try:
        services.publish(outcome, staff)
        with pytest.raises(OutcomeRefused):
            services.publish(outcome, staff)
    finally:
        outcome_published.disconnect(receiver)
    assert heard == [(outcome, staff, "done")]


def test_the_debate_of_a_done_idea_is_locked(make, place, staff):
    from deliberation.services import find_thread, is_locked
    outcome = of.draft(of.project(make, place), staff)
    make.comment(outcome.project.idea)
    assert not is_locked(find_thread(outcome.project.idea))
    services.publish(outcome, staff)
    db.session.commit()
    assert is_locked(find_thread(outcome.project.idea))


# --- satisfaction ---------------------------------------------------------------------------

def test_one_vote_per_resident_a_second_replaces_the_first(make, place, staff):
    outcome = of.published(make, place, staff)
    resident, other = make.user(place), make.user(place)
    services.rate(outcome, resident, 2)
    db.session.commit()
    services.rate(outcome, resident, "5")
    services.rate(outcome, other, 4)
    db.session.commit()
    assert votes_of(outcome) == 2
    dist = services.distribution(outcome)
    assert dist.counts == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    assert (dist.total, dist.mean) == (2, 4.5)
    assert services.score_of(outcome, resident) == 5


@pytest.mark.parametrize("score", [0, 6, -1, "", "3.5", "abc", None, "99999999999999999999"])
def test_scores_outside_one_to_five_are_refused_and_nothing_stored(make, place, staff, score):
    outcome = of.published(make, place, staff)
    with pytest.raises(OutcomeRefused, match="five faces"):
        services.rate(outcome, make.user(place), score)
    db.session.rollback()
    assert votes_of(outcome) == 0


def test_only_verified_residents_of_the_community_rate_a_published_outcome(make, place, staff):
    outcome = of.published(make, place, staff)
    elsewhere = make.community(slug="elsewhere")
    refused = [make.user(place, verified=False), make.user(elsewhere), make.user()]
    for person in refused:
        with pytest.raises(OutcomeRefused, match="verified residents"):
            services.rate(outcome, person, 5)
    draft = of.draft(of.project(make, place, title="西门雨棚"), staff)
    with pytest.raises(OutcomeRefused, match="not published"):
        services.rate(draft, make.user(place), 5)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SatisfactionVote)) == 0


def test_the_distribution_is_read_in_one_query(make, place, staff):
    outcome = of.published(make, place, staff)
    for score in (1, 3, 3, 5, 5, 5):
        services.rate(outcome, make.user(place), score)
    db.session.commit()
    assert outcome.id  # loaded again after the commit, before counting
    with counted_queries() as statements:
        dist = services.distribution(outcome)
    assert len([s for s in statements if s.startswith("SELECT")]) == 1
    assert dist.counts == {1: 1, 2: 0, 3: 2, 4: 0, 5: 3} and dist.total == 6
    assert dist.mean == pytest.approx(22 / 6)


# --- comments -------------------------------------------------------------------------------

def test_comments_are_one_to_three_hundred_characters(make, place, staff):
    outcome = of.published(make, place, staff)
    resident = make.user(place)
    for body in ("", "   \n "):
        with pytest.raises(OutcomeRefused, match="write something"):
            services.add_comment(outcome, resident, body)
    with pytest.raises(OutcomeRefused, match="300"):
        services.add_comment(outcome, resident, "好" * 301)
    services.add_comment(outcome, resident, "好" * 300)
    services.add_comment(outcome, resident, " 不漏水了 ")
    db.session.commit()
    bodies = db.session.scalars(select(OutcomeComment.body).order_by(OutcomeComment.id)).all()
    assert bodies == ["好" * 300, "不漏水了"]
    with pytest.raises(OutcomeRefused, match="verified residents"):
        services.add_comment(outcome, make.user(place, verified=False), "我也觉得好")


def test_moderators_hide_a_comment_and_it_is_audited(make, place, staff):
    outcome = of.published(make, place, staff)
    comment = services.add_comment(outcome, make.user(place), "广告：专业防水，电话……")
    db.session.commit()
    with pytest.raises(OutcomeRefused, match="moderators"):
        services.set_hidden(comment, make.user(place), True)
    council = make.user(place, "council")
    services.set_hidden(comment, council, True)
    db.session.commit()
    assert comment.hidden
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outcome.comment_hide"))
    assert (entry.actor_id, entry.target_id) == (council.id, comment.id)
    services.set_hidden(comment, staff, False)
    db.session.commit()
    assert not comment.hidden


def test_photos_are_stored_re_encoded_in_the_public_photo_folder(make, place, staff):
    from proposals.services import photo_folder
    outcome = of.draft(of.project(make, place), staff, before=0, after=1)
    row = db.session.scalar(select(OutcomePhoto).where(OutcomePhoto.outcome_id == outcome.id))
    assert (photo_folder() / row.filename).read_bytes()[:2] == b"\xff\xd8"
    assert (row.kind, row.caption, row.width, row.height) == ("after", "修缮后1", 64, 48)
