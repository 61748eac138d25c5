"""axe-core on every page of the site: as each kind of person, follow the links from the
community home (and the site's own pages) and let axe judge each endpoint once; then open
every endpoint found once more in English. No page may have a serious or critical
violation, and no link may lead to a server error.

The world is the access matrix's (tests/access_world.py): a community with one of every
object a URL can name and a person in every role, so the crawl reaches every page a
person can reach. A page added later is found by its links, without a list.

The figures (pages × roles × languages, time) go to test-artifacts/axe-crawl.txt.
"""
from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from deliberation import summaries
from deliberation.models import Thread
from proposals.kids import kiosk

from ..access_world import Place, community_world, people, site_values
from ..conftest import PASSWORD
from ..factories import Factory
from ..projects_factories import make_project
from .crawler import ELDER, EN, ZH, Crawler, Report, Site, Visitor

pytestmark = pytest.mark.browser

SLUG = "home"
HOME = f"/c/{SLUG}/"
SITE_PAGES = ("/", "/login", "/signup", "/privacy", "/reset")
# Everyone who signs in, in the order the crawl runs them.
SIGNED_IN = ("unverified", "resident", "owner", "council", "chair", "guardian", "staff",
             "admin", "site_admin")
# The passes after the first, each opening every endpoint once more: in English, and in
# 长辈模式 (elder mode) in Chinese.
LATER_MODES = (EN, ELDER)


def visitors(app, base_url: str) -> list[Visitor]:
    """Build the world and say who the crawl is run as and where each starts."""
    with app.app_context():
        make = Factory(PASSWORD)
        home = community_world(make, SLUG)
        cast = people(make, home, make.community(slug="other"))
        site_values(make, home)
        more_to_link_to(make, home)
        screen = f"{HOME}meetings/{home.values['meeting_id']}/screen/{home.values['token']}"
        kiosk_path = kiosk.cookie_path(home.community)
        kiosk_cookie = {"name": kiosk.COOKIE, "value": home.kiosk_token,
                        "domain": urlsplit(base_url).hostname, "path": kiosk_path}
        usernames = {role: cast[role].username for role in SIGNED_IN}
        db.session.remove()
    return [Visitor("anonymous", (HOME, *SITE_PAGES)),
            Visitor("kiosk", (kiosk_path,), cookies=(kiosk_cookie,)),
            Visitor("projector", (screen,)),
            *(Visitor(role, (HOME, "/"), username=usernames[role], password=PASSWORD)
              for role in SIGNED_IN)]


def more_to_link_to(make, home: Place) -> None:
    """What the access world lacks for some pages to be linked at all: a comment its
    author may still edit and a summary with an earlier version (on a new idea: the
    newest, which the lists link to first), a meeting with published minutes, a project
    in progress awaiting its outcome page."""
    cast, community = home.cast, home.community
    idea = make.idea(community, author=cast["resident"], stage="deliberating")
    make.comment(idea, author=cast["resident"])
    thread = db.session.scalar(select(Thread).where(Thread.idea_id == idea.id))
    for body in ("大家同意装充电桩。", "大家同意装充电桩，物业负责维护。"):
        summaries.write(thread, cast["staff"], body)
        db.session.commit()
    yesterday = utcnow() - timedelta(days=1)
    meeting = make.meeting(community, chair=cast["chair"], status="closed",
                           starts_at=yesterday)
    meeting.started_at, meeting.ended_at = yesterday, yesterday + timedelta(hours=1)
    meeting.minutes = "出席：主持人老周。议定：楼道灯全部换成LED。"
    meeting.minutes_published_at = meeting.ended_at
    meeting.minutes_published_by_id = cast["chair"].id
    make_project(make, community).idea.stage = "in_progress"
    db.session.commit()


def test_no_page_has_a_serious_accessibility_violation(live_app, browser, artifacts):
    base_url, app = live_app
    everyone = visitors(app, base_url)
    site, report = Site(app, base_url), Report()
    crawler = Crawler(browser, site, report)
    started = time.monotonic()
    found_by: dict[str, list[str]] = {}
    for visitor in everyone:
        before = set(report.first_url)
        crawler.crawl(visitor, ZH)
        found_by[visitor.role] = [report.first_url[e][1] for e in report.first_url
                                  if e not in before]
    for mode in LATER_MODES:
        for visitor in everyone:
            crawler.revisit(visitor, mode, found_by[visitor.role])
    seconds = time.monotonic() - started

    summary = summarise(report, everyone, seconds, get_endpoints(app))
    (artifacts / "axe-crawl.txt").write_text(summary + "\n", encoding="utf-8")
    print(summary)
    assert not report.errors, "\n".join(report.errors)
    assert not report.keyboard, "keyboard problems:\n" + "\n".join(report.keyboard)
    # A link is a promise: nobody is shown one that refuses them.
    assert not report.refused, "links that refuse who follows them:\n" + \
        "\n".join(report.refused)
    assert not report.findings, "serious or critical axe violations:\n" + "\n".join(
        str(f) for f in report.findings)
    # The crawl must reach the pages of every part of the site, not stop at the home page.
    reached = report.scanned_in(ZH)
    for endpoint in ("proposals.idea_page", "rounds.ballot", "meetings.screen", "kids.kiosk",
                     "owners.decision", "notices.notice", "outcomes.outcome",
                     "projects.project", "admin.communities", "staff.members"):
        assert endpoint in reached, f"the crawl never reached {endpoint}"
    assert report.scanned_in(EN) == reached, "some endpoint was not judged in English"


def get_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint != "static"}


def summarise(report: Report, everyone: list[Visitor], seconds: float,
              endpoints: set[str]) -> str:
    zh = report.scanned_in(ZH)
    lines = [f"axe crawl: {sum(report.pages.values())} pages judged in {seconds:.0f} s "
             f"({len(zh)} endpoints; {len(everyone)} roles in zh-Hans, "
             f"{len(LATER_MODES)} more mode(s) once each)"]
    per_role = ", ".join(f"{v.role} {report.pages[ZH.name, v.role]}" for v in everyone)
    lines.append(f"  zh-Hans: {len(zh)} endpoints, each once per role: {per_role}")
    for mode in LATER_MODES:
        lines.append(f"  {mode.name}: {len(report.scanned_in(mode))} endpoints, each once")
    steps = ", ".join(f"{step} {secs:.0f} s" for step, secs in report.seconds.items())
    lines.append(f"  {report.loads} pages opened, {report.harvested} more fetched for their "
                 f"links; time in {steps}")
    lines.append(f"  serious/critical findings: {len(report.findings)}; keyboard problems: "
                 f"{len(report.keyboard)}; server errors: {len(report.errors)}")
    unreached = sorted(endpoints - zh - report.not_pages)
    lines.append(f"  GET endpoints no link reached (fragments, files, QR codes, "
                 f"after a POST) ({len(unreached)}): {', '.join(unreached)}")
    if report.not_pages:
        lines.append(f"  linked, but files: {', '.join(sorted(report.not_pages))}")
    lines.extend(f"  link refused: {line}" for line in report.refused)
    return "\n".join(lines)
