"""`make screenshots`: the README's tour, drawn from the demo data so it never goes stale.

Seeds the demo into a temporary database, serves it on a free port, and photographs the
main pages in Debian's Chromium (found on PATH, or CHROMIUM): the home page, an idea with
its thread, the budget ballot, the children's ballot, the projector during a meeting, an
outcome page, and the home page in 长辈模式. Writes docs/screenshots/tour-*.png (or into
the folder given as the first argument) and prints their paths.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402

PASSWORD = "yishiting-demo"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
PROJECTOR = {"width": 1600, "height": 900}


def demo_site(tmp: Path, base_url: str):
    settings = Settings(database_url=f"sqlite:///{tmp / 'demo.db'}", secret_key="tour",
                        public_url=base_url, instance_path=tmp / "instance",
                        upload_dir=tmp / "uploads", rate_limits=False)
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=str(ROOT / "app" / "migrations"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return app


def targets(app) -> dict:
    """The URLs worth showing, found in the demo rather than written down."""
    from app.database import write_transaction
    from app.extensions import db
    from deliberation.meetings import services as meetings
    from deliberation.meetings.models import Meeting
    from deliberation.models import Comment, Thread
    from proposals.kids.models import ChildProfile, ChildrensPart
    from proposals.models import Idea
    from proposals.outcomes.models import Outcome
    from proposals.rounds.models import Round
    with app.app_context():
        idea = db.session.get(Idea, db.session.scalar(
            select(Thread.idea_id).join(Comment).where(Thread.idea_id.is_not(None))
            .group_by(Thread.idea_id).order_by(func.count().desc()).limit(1)))
        kids_round = next(db.session.get(Round, part.round_id) for part in
                          db.session.scalars(select(ChildrensPart))
                          if db.session.get(Round, part.round_id).state == "open")
        child = db.session.scalar(select(ChildProfile.id).order_by(ChildProfile.id))
        outcome = db.session.scalar(select(Outcome).where(
            Outcome.published_at.is_not(None)).order_by(Outcome.id))
        with write_transaction():
            meeting = db.session.scalar(select(Meeting).where(Meeting.status == "scheduled")
                                        .order_by(Meeting.starts_at))
            meetings.start(meeting, meeting.chair)
            meetings.add_speaker(meeting, meeting.chair, "王阿姨", "support")
            meetings.call_next(meeting, meeting.chair)
            meetings.add_speaker(meeting, meeting.chair, "陈先生", "suggest")
        slug = meeting.community.slug
        voting = f"/c/{kids_round.community.slug}"
        return {"slug": slug, "idea": f"/c/{idea.community.slug}/ideas/{idea.id}",
                "ballot": f"{voting}/rounds/{kids_round.id}/ballot",
                "kids": f"{voting}/kids/rounds/{kids_round.id}/ballot?child={child}",
                "screen": f"/c/{slug}/meetings/{meeting.id}/screen/{meeting.screen_token}",
                "outcome": f"/c/{outcome.community.slug}/outcomes/{outcome.id}"}


def log_in(context, base_url: str, username: str) -> None:
    page = context.new_page()
    page.goto(base_url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form#account-form button[type=submit]")
    page.wait_for_load_state()
    page.close()


def shoot(browser, base_url: str, out: Path, name: str, path: str, *, viewport=PHONE,
          user: str | None = None, elder: bool = False, full_page: bool = False,
          wait_for: str | None = None) -> Path:
    context = browser.new_context(viewport=viewport, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", device_scale_factor=1)
    if elder:
        context.add_cookies([{"name": "elder", "value": "1", "url": base_url}])
    if user:
        log_in(context, base_url, user)
    page = context.new_page()
    answer = page.goto(base_url + path)
    if answer is None or answer.status != 200:
        raise SystemExit(f"{path} answered {answer and answer.status}: the demo changed?")
    if wait_for:
        page.wait_for_selector(wait_for)
    page.wait_for_load_state("networkidle")
    target = out / f"tour-{name}.png"
    page.screenshot(path=str(target), full_page=full_page)
    context.close()
    return target


def main(out: Path) -> list[Path]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not chromium:
        raise SystemExit("Chromium not found: run `.venv/bin/python tests/browser_deps.py`")
    with tempfile.TemporaryDirectory() as tmp:
        server = make_server("127.0.0.1", 0, None, threaded=True)
        base_url = f"http://127.0.0.1:{server.server_port}"
        app = demo_site(Path(tmp), base_url)
        server.app = app
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            t = targets(app)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium,
                                                     headless=True, args=ARGS)
                made = [
                    shoot(browser, base_url, out, "home", f"/c/{t['slug']}/"),
                    shoot(browser, base_url, out, "idea", t["idea"],
                          viewport={"width": 1280, "height": 1500}),
                    shoot(browser, base_url, out, "ballot", t["ballot"], user="owner"),
                    shoot(browser, base_url, out, "kids-ballot", t["kids"], user="resident",
                          viewport={"width": 768, "height": 1024}),
                    shoot(browser, base_url, out, "projector", t["screen"],
                          viewport=PROJECTOR),
                    shoot(browser, base_url, out, "outcome", t["outcome"], viewport=DESKTOP),
                    shoot(browser, base_url, out, "elder", f"/c/{t['slug']}/", elder=True),
                ]
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=10)
    return made


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    for path in main(folder):
        print(path)
