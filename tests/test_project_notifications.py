"""Followers hear of a project's milestones and of its outcome page, through signals the
notification centre listens to; the one who did it hears nothing, and an idea done
because its outcome was published is told once."""
from __future__ import annotations

from io import BytesIO

from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from deliberation.models import Notification
from deliberation.follows import set_following
from proposals.models import IdeaSupport
from proposals.moves import move_idea
from proposals.outcomes.models import Outcome
from proposals.projects import milestones
from proposals.projects.models import Milestone
from proposals.projects.services import start_work
from proposals.projects.signals import outcome_published

from .images import gps_exif, jpeg_bytes
from .projects_factories import make_project
from .querycount import counted_queries


def received(user) -> list[tuple[str, str]]:
    rows = db.session.execute(select(Notification.kind, Notification.detail)
                              .where(Notification.user_id == user.id).order_by(Notification.id))
    return [tuple(r) for r in rows]


def world(make):
    """A project whose idea has an author, a supporter, someone who turned following off,
    and a staff member who follows it too (and will be the one acting)."""
    c = make.community(slug="nt")
    author, fan, quiet = make.user(c), make.user(c), make.user(c)
    staff = make.user(c, "staff")
    project = make_project(make, c, staff=staff, author=author, title="屋面防水修缮")
    idea = project.idea
    db.session.add_all([IdeaSupport(idea_id=idea.id, user_id=u.id) for u in (fan, quiet, staff)])
    set_following(quiet, idea, False)
    db.session.commit()
    db.session.query(Notification).delete()  # the move to funded told them already
    db.session.commit()
    return c, project, dict(author=author, fan=fan, quiet=quiet, staff=staff)


def test_a_milestone_with_a_photo_notifies_followers_but_not_the_actor(make, client):
    c, project, people = world(make)
    client.http.set_cookie("lang", "en")
    client.login(people["staff"])
    page = f"/c/nt/projects/{project.id}"
    photo = (BytesIO(jpeg_bytes(exif=gps_exif())), "进场.jpg")
    response = client.post(f"{page}/milestones", dict(due_on="2026-06-01", title="施工队进场",
                                                       status="in_progress", photos=[photo]),
                           token_from=page, content_type="multipart/form-data")
    assert response.status_code == 303
    name = db.session.scalars(select(Milestone)).one().photos[0].filename
    assert b"PhoneMaker" not in client.get(f"/media/ideas/{name}").data
    for who in ("author", "fan"):
        assert received(people[who]) == [("milestone", "added:in_progress:施工队进场")]
    assert received(people["staff"]) == [] and received(people["quiet"]) == []

    client.logout()
    client.login(people["fan"])
    listing = client.get("/notifications").get_data(as_text=True)
    assert "“屋面防水修缮” has a new milestone: 施工队进场" in listing
    n = db.session.scalars(select(Notification).where(
        Notification.user_id == people["fan"].id)).one()
    opened = client.post(f"/notifications/{n.id}/open", {}, token_from="/notifications")
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/c/nt/projects/{project.id}#milestones")


def test_a_status_change_is_news_but_the_same_status_again_is_not(make, client):
    c, project, people = world(make)
    m = milestones.add_milestone(project, people["staff"], due_on=utcnow().date(), title="验收")
    assert milestones.set_status(m, people["staff"], "done")
    assert not milestones.set_status(m, people["staff"], "done")
    db.session.commit()
    assert received(people["author"]) == [("milestone", "added:planned:验收"),
                                          ("milestone", "status:done:验收")]
    client.http.set_cookie("lang", "en")
    client.login(people["author"])
    assert "A milestone of “屋面防水修缮” is now Reached: 验收" in client.get(
        "/notifications").get_data(as_text=True)


def test_the_published_outcome_is_told_once_and_leads_to_its_page(make, client):
    c, project, people = world(make)
    start_work(project, people["staff"], "开工")
    db.session.commit()
    assert [k for k, _d in received(people["fan"])] == ["stage"]  # other moves still tell
    outcome = Outcome(community_id=c.id, project_id=project.id, title="屋顶不再漏水",
                      published_at=utcnow(), published_by_id=people["staff"].id)
    db.session.add(outcome)
    db.session.flush()
    # What publishing does: the move to done with the outcome as cause, then the signal.
    move_idea(project.idea, "done", actor=people["staff"], cause=outcome)
    outcome_published.send(outcome, actor=people["staff"])
    db.session.commit()
    assert received(people["fan"])[1:] == [("outcome", "屋顶不再漏水")]
    assert received(people["author"])[1:] == [("outcome", "屋顶不再漏水")]
    assert received(people["staff"]) == []

    client.http.set_cookie("lang", "en")
    client.login(people["fan"])
    listing = client.get("/notifications").get_data(as_text=True)
    assert "The outcome of “屋面防水修缮” is published: 屋顶不再漏水" in listing
    n = db.session.scalars(select(Notification).where(
        Notification.user_id == people["fan"].id, Notification.kind == "outcome")).one()
    location = client.post(f"/notifications/{n.id}/open", {},
                           token_from="/notifications").headers["Location"]
    assert location.endswith(f"/c/nt/outcomes/{outcome.id}")


def test_the_list_costs_the_same_queries_for_one_or_many_milestone_news(make, client):
    c, project, people = world(make)
    costs = []
    for n in (1, 8):
        for i in range(n):
            milestones.add_milestone(project, people["staff"], due_on=utcnow().date(),
                                     title=f"节点{n}-{i}")
        db.session.commit()
        client.login(people["fan"])
        with counted_queries() as statements:
            assert client.get("/notifications").status_code == 200
        costs.append(len(statements))
        client.logout()
    assert costs[0] == costs[1], costs
