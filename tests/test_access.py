"""Every route declares who may open it, and the declaration is enforced."""
from __future__ import annotations

import pytest

from app.access import RULES, rule_of

# Expected answer per declared rule for people who do not qualify.
ANONYMOUS = {"public": None, "system": None, "signed_in": 302, "member": 302,
             "verified": 302, "staff": 302, "site_admin": 302}
OUTSIDER = {"member": 403, "verified": 403, "staff": 403, "site_admin": 403}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def test_every_route_declares_an_access_rule(app):
    missing = [r.rule for r, view in routes(app) if rule_of(view) not in RULES]
    assert not missing, f"routes without @access(...): {missing}"


@pytest.fixture
def world(make):
    from deliberation.models import Thread
    from proposals.models import IdeaPhoto
    from app.extensions import db
    home, other = make.community(slug="home"), make.community(slug="other")
    idea = make.idea(home)
    idea.photos.append(IdeaPhoto(filename="missing.jpg", width=1, height=1))
    db.session.commit()
    member = make.user(home, verified=False)
    comment = make.comment(idea, author=member)
    topic = Thread(community_id=home.id, title="流浪猫怎么办", body="大家说说看。",
                   author_id=member.id)
    db.session.add(topic)
    db.session.commit()
    round_ = make.round(home)
    decision = make.owners_decision(home)
    meeting = make.meeting(home, ideas=[idea])
    from deliberation.meetings import services as meetings
    meetings.start(meeting, meeting.chair)
    speaker = meetings.add_speaker(meeting, meeting.chair, "王阿姨", "support")
    db.session.commit()
    extra = {}
    from proposals.notices import services as notices
    noticed = make.idea(home, stage="noticed")
    notice = notices.open_notice(home, make.user(home, "staff"), "plan", ideas=[noticed],
                                 title="公示：楼道灯", text="公示七天。")
    objection = notices.file_objection(notice, make.user(home), noticed, "太贵了。")
    db.session.commit()
    extra.update({"notice_id": notice.id, "objection_id": objection.id})
    from .projects_factories import access_world
    extra.update(access_world(make, home))
    from proposals.outcomes.models import Outcome, OutcomeComment, OutcomePhoto
    from proposals.projects.models import Project
    from app.timeutil import utcnow
    built = Project(community_id=home.id, idea=make.idea(home, stage="done"),
                    responsible_kind="property", responsible_name="物业")
    db.session.add(built)
    db.session.flush()
    key = Outcome(community_id=home.id, project_id=built.id, title="屋顶修好了", summary="修好了",
                  published_at=utcnow())
    key.photos.append(OutcomePhoto(kind="after", filename="missing-after.jpg", width=1, height=1))
    db.session.add(key)
    db.session.flush()
    remark = OutcomeComment(outcome_id=key.id, author_id=member.id, body="不漏了")
    db.session.add(remark)
    db.session.commit()
    extra.setdefault("project_id", built.id)
    extra.update({"outcome_id": key.id, "outcome_photo_id": key.photos[0].id,
                  "outcome_comment_id": remark.id})
    # dashboard world
    from .kids_factories import access_world as kids_world
    extra.update(kids_world(make, home, round_))
    return {
        "home": home, "idea": idea,
        "values": {"slug": "home", "idea_id": idea.id, "member_id": member.memberships[0].id,
                   "name": "missing.jpg", "code": "en", "comment_id": comment.id,
                   "notification_id": 1, "thread_id": topic.id,
                   "round_id": round_.id, "entry_id": round_.entries[0].id,
                   "participation_id": 1, "decision_id": decision.id,
                   "owner_id": decision.units[0].owner_id, "meeting_id": meeting.id,
                   "item_id": meeting.items[0].id, "speaker_id": speaker.id,
                   "token": meeting.screen_token, "join_code": "expired0code", **extra},
        "outsider": make.user(other, "staff"),
        "resident": make.user(home),
        "unverified": member,
        "staff": make.user(home, "staff"),
    }


def url_for_rule(rule, values):
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def test_anonymous_visitors_meet_the_declared_rule(app, world, client):
    for rule, view in routes(app):
        url = url_for_rule(rule, world["values"])
        expected = ANONYMOUS[rule_of(view)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.get(url) if method == "GET" else client.post(url)
            if expected is None:
                assert response.status_code not in (302, 403, 500), (method, url)
            else:
                assert response.status_code == expected, (method, url, response.status_code)
                assert "/login" in response.headers["Location"]


def test_members_of_another_community_are_refused(app, world, client):
    client.login(world["outsider"])
    for rule, view in routes(app):
        expected = OUTSIDER.get(rule_of(view))
        if expected is None:
            continue
        url = url_for_rule(rule, world["values"])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.get(url) if method == "GET" else client.post(url, {})
            assert response.status_code == expected, (method, url, response.status_code)


def test_staff_open_every_staff_page(app, world, client):
    client.login(world["staff"])
    for rule, view in routes(app):
        if rule_of(view) == "staff" and "GET" in rule.methods:
            url = url_for_rule(rule, world["values"])
            assert client.get(url).status_code == 200, url


def test_residents_are_refused_staff_pages(app, world, client):
    client.login(world["resident"])
    for rule, view in routes(app):
        if rule_of(view) == "staff" and "GET" in rule.methods:
            assert client.get(url_for_rule(rule, world["values"])).status_code == 403


def test_unverified_member_may_hand_in_but_not_support(app, world, client):
    client.login(world["unverified"])
    idea = world["idea"]
    assert client.get("/c/home/ideas/new").status_code == 200
    assert client.post(f"/c/home/ideas/{idea.id}/support").status_code == 403


def test_ideas_of_another_community_are_not_reachable_by_id(app, world, client):
    idea = world["idea"]
    assert client.get(f"/c/other/ideas/{idea.id}").status_code == 404
    client.login(world["outsider"])
    response = client.post(f"/c/other/ideas/{idea.id}/move",
                           {"to": "deliberating", "reason": "越界"})
    assert response.status_code == 404


def test_unknown_community_is_404_and_bare_slug_redirects(app, world, client):
    assert client.get("/c/nowhere/").status_code == 404
    response = client.get("/c/home")
    assert response.status_code in (301, 308) and response.headers["Location"].endswith("/c/home/")
