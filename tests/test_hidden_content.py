"""What is not yet public, or was taken down, shows on no page to those it is hidden from.

The access world gets hidden things, each carrying a word found nowhere else: a draft
outcome, a comment hidden by a moderator, a hidden remark on an outcome, minutes not yet
published, and a child's nickname. Then every GET route of the app (found from the URL
map, so later pages are covered too), with the world's objects and, where a route takes
one, the hidden object's id in its place, is opened as each role the thing is hidden
from; no answer, whatever its status, may carry the word.
"""
from __future__ import annotations

from app.extensions import db
from app.timeutil import utcnow
from deliberation.meetings.models import Meeting
from proposals.models import Idea
from proposals.outcomes.models import Outcome, OutcomeComment
from proposals.projects.models import Project

from .access_world import community_world, people, site_values, values_for
from .figures import report
from .kids_factories import child
from .test_access_matrix import Visitor, build, requests, values_of

# Who may see each secret (besides staff and admins, who see everything, and are not run).
SEES = {
    "草稿成果甲乙丙": set(),
    "被隐藏的评论丁戊": {"council", "chair"},  # moderators (permissions.is_moderator)
    "隐藏的成果留言己庚": {"council", "chair"},
    "未公布纪要辛壬": {"chair", "council"},
    "秘密昵称癸": {"guardian"},
}
# Unverified members and owners see what residents see, a chair what council sees.
LOOKERS = ("anonymous", "resident", "council", "guardian", "kiosk", "projector", "outsider")


def hide_things(make, home) -> dict:
    """The secrets in home's world; returns the ids routes can be pointed at."""
    c, values, cast = home.community, home.values, home.cast
    built = Project(community_id=c.id, idea=make.idea(c, stage="done"),
                    responsible_kind="property", responsible_name="物业")
    db.session.add(built)
    db.session.flush()
    draft = Outcome(community_id=c.id, project_id=built.id, title="草稿成果甲乙丙",
                    summary="草稿成果甲乙丙", published_at=None)
    db.session.add(draft)

    idea = db.session.get(Idea, values["idea_id"])  # in deliberation: its thread is open
    hidden = make.comment(idea, author=cast["resident"], body="被隐藏的评论丁戊")
    hidden.hidden_at, hidden.hidden_by_id = utcnow(), cast["staff"].id
    hidden.hidden_reason = "人身攻击"
    db.session.add(OutcomeComment(outcome_id=values["outcome_id"], hidden=True,
                                  author_id=cast["resident"].id, body="隐藏的成果留言己庚"))
    chair = db.session.get(Meeting, values["meeting_id"]).chair
    ended = make.meeting(c, chair=chair, status="closed")
    ended.minutes = "未公布纪要辛壬"
    child(make, c, cast["guardian"], nickname="秘密昵称癸")
    db.session.commit()
    return {"outcome_id": draft.id, "comment_id": hidden.id, "meeting_id": ended.id}


def urls(app, home_values: dict, site: dict, hidden: dict) -> list[str]:
    """Every GET route with the world's objects, and again with each hidden object."""
    found = []
    for rule, method in requests(app):
        if method != "GET":
            continue
        values = values_of(rule, home_values, site)
        found.append(build(rule, values))
        for argument, hidden_id in hidden.items():
            if argument in rule.arguments and "slug" in rule.arguments:
                found.append(build(rule, {**values, argument: hidden_id}))
    return found


def test_hidden_things_show_on_no_page_to_those_they_are_hidden_from(app, backend, make,
                                                                     new_client, pytestconfig):
    home = community_world(make, "home")
    hidden = hide_things(make, home)
    cast = people(make, home, make.community(slug="other"))
    site = site_values(make, home)
    assert db.session.get(Meeting, hidden["meeting_id"]).minutes_published_at is None
    # Each secret is on some page for those who may see it: the test can fail.
    unseen = set(SEES)
    for role in ("staff", "chair", "guardian"):
        seer = Visitor(new_client(), cast[role], role, home)
        for url in urls(app, {"slug": "home", **home.values}, site, hidden):
            if not unseen:
                break
            body = seer.send("GET", url).get_data().decode("utf-8", "replace")
            unseen -= {word for word in unseen if word in body}
    assert not unseen, f"no page shows {unseen} to anyone: the secrets are not in the world"

    leaks, opened = [], 0
    for role in LOOKERS:
        visitor = Visitor(new_client(), cast[role], role, home)
        secrets = [word for word, roles in SEES.items() if role not in roles]
        for url in urls(app, values_for(role, {"slug": "home", **home.values}), site, hidden):
            body = visitor.send("GET", url).get_data().decode("utf-8", "replace")
            opened += 1
            leaks += [f"{role} GET {url}: {word}" for word in secrets if word in body]
    assert opened > 600
    report(pytestconfig, f"hidden content ({backend}): {opened} pages opened as "
                         f"{len(LOOKERS)} roles, {len(SEES)} secrets")
    assert not leaks, f"{len(leaks)} pages show what is hidden:\n" + "\n".join(leaks)
