"""The sites and the world the backup tests use: sites of their own (a SQLite file or a
PostgreSQL schema, migrated by `flask db upgrade`), a lively small world seeded with the
factories, and what two sites are compared by (pages, images, files, tallies, rows)."""
from __future__ import annotations

import json
import re
import secrets
import shutil
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from app import create_app
from app.backup import EPHEMERAL
from app.database import write_transaction
from app.extensions import db
from app.settings import normalise_database_url
from app.timeutil import utcnow
from proposals.kids import codes, files as kid_files, parts, results as kid_results, voting
from proposals.owners import decisions
from proposals.owners.models import Owner, OwnersDecision
from proposals.owners.staff_views import scan_folder
from proposals.photos import store
from proposals.projects import spending
from proposals.rounds import results, tallies
from proposals.rounds.ballots import submit_online
from proposals.rounds.eligibility import voters_for
from proposals.rounds.models import Round, Tally
from proposals.rounds.services import adopt
from proposals.services import hand_in

from .conftest import PG_URL, create_schema, drop_schema, make_settings
from .factories import Factory
from .images import png_bytes
from .kids_factories import child, kids_round
from .outcomes_factories import photo, published
from .projects_factories import make_project


class Site:
    """A site of its own: database (SQLite file or PostgreSQL schema), uploads, instance
    folder; migrated by `flask db upgrade` unless `migrated=False`."""

    def __init__(self, tmp: Path, backend: str, *, migrated: bool = True, schema=None,
                 secret_key: str | None = None):
        self.tmp, self.backend = tmp, backend
        tmp.mkdir(parents=True, exist_ok=True)
        self.owns_schema = schema is None
        self.schema = schema or (f"bk_{secrets.token_hex(4)}" if backend == "postgresql"
                                 else None)
        if self.schema and self.owns_schema:
            create_schema(self.schema)
        overrides = {"pg_schema": self.schema} if self.schema else {}
        if secret_key:
            overrides["secret_key"] = secret_key
        self.app = create_app(make_settings(tmp, backend, **overrides))
        self.settings = self.app.config["SETTINGS"]
        if migrated:
            with self.app.app_context():
                upgrade()

    def cli(self, *args):
        return self.app.test_cli_runner().invoke(args=[str(a) for a in args])

    def get(self, url: str, **kwargs):
        return self.app.test_client().get(url, **kwargs)

    def again(self) -> "Site":
        """The same site started again (reading its key from instance/secret_key)."""
        key = (self.settings.instance_path / "secret_key").read_text()
        return Site(self.tmp, self.backend, migrated=False, schema=self.schema, secret_key=key)

    def close(self, *, drop: bool = True) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        if drop and self.schema and self.owns_schema:
            drop_schema(self.schema)


@dataclass
class World:
    slug: str
    resident: str
    idea_id: int
    round_id: int
    decision_id: int
    project_id: int
    outcome_id: int

    def pages(self) -> list[str]:
        c = f"/c/{self.slug}"
        return [f"{c}/ideas", f"{c}/ideas/{self.idea_id}", f"{c}/rounds/{self.round_id}/results",
                f"{c}/kids/rounds/{self.round_id}/results", f"{c}/projects/{self.project_id}",
                f"{c}/outcomes/{self.outcome_id}"]


def seed(make: Factory) -> World:
    c = make.community(slug="jingan-backup", name="静安备份居民区")
    resident = make.user(c, display_name="王阿姨")
    staff = make.user(c, "staff")
    idea = hand_in(c, resident, title="楼道装扶手", description="老人上楼需要扶手。",
                   category="facilities", photos=[photo(color=(200, 30, 30)),
                                                  photo(color=(30, 30, 200))])
    db.session.commit()
    first = make.comment(idea, body="同意！三楼的李伯伯每天都要爬楼。")
    make.comment(idea, body="扶手要装在哪一侧？", stance=None, parent=first)
    make.comment(idea, body="费用谁出？", stance="concern")

    r = kids_round(make, c, state="upcoming")
    drawing = kid_files.store(png_bytes((40, 30)), "png")
    parts.set_card(r.entries[0], staff, label="小花园", upload=drawing)
    db.session.commit()
    make.time_round(r, "open")
    for positions, times in (((0, 2), 3), ((1,), 2)):
        for _ in range(times):
            voter = voters_for(r, make.user(c))[0]
            submit_online(r, voter, [r.entries[p].id for p in positions])
    for code, pick in zip(codes.mint_cards(r, 2), (1, 2)):
        voting.vote_with_code(r, code, [r.entries[pick].id])
    voting.vote_as_child(r, child(make, c), [r.entries[2].id])
    db.session.commit()
    make.time_round(r, "closed")
    with write_transaction():
        selected = tallies.count_for_adoption(r)
        adopt(db.session.merge(r), db.session.merge(staff), selected)
        # A stored count (made in the background for big rounds): a float and times.
        db.session.add(Tally(round_id=r.id, rule="equal-shares", threshold_key=0,
                             status="done", selected_json=json.dumps(selected),
                             seconds=0.123456789012345, ballots_counted=5,
                             heartbeat_at=utcnow(), started_at=utcnow(),
                             finished_at=utcnow()))

    decision = make.owners_decision(c)
    owner = db.session.scalar(select(Owner).where(Owner.community_id == c.id,
                                                  Owner.register_id == "A"))
    scan = store(photo(color=(250, 250, 240)), scan_folder())
    decisions.enter_sheet(decision, owner, "agree", "S-001", staff=staff, scan_filename=scan)
    db.session.commit()

    project = make_project(make, c, staff=staff)
    spending.add_spending(project, staff, spent_on=date.today() - timedelta(days=2),
                          amount_fen=1_234_56, payee="五金店", purpose="扶手材料",
                          source_kind="round_budget", receipt=photo(color=(240, 240, 200)))
    db.session.commit()
    outcome = published(make, c, staff=staff)
    return World(c.slug, resident.username, idea.id, r.id, decision.id, project.id,
                 outcome.id)


class Sites:
    """Makes the module's sites and closes them at its end. A migrated SQLite site starts
    as a copy of one file that `flask db upgrade` made (upgrading takes a second)."""

    def __init__(self, tmp_factory):
        self.tmp_factory, self.made, self.template = tmp_factory, [], None

    def new(self, backend: str, *, migrated: bool = True) -> Site:
        tmp = self.tmp_factory.mktemp(f"site-{backend}")
        if backend == "sqlite" and migrated:
            if self.template is None:
                first = Site(self.tmp_factory.mktemp("template"), "sqlite")
                first.close()
                self.template = first.tmp / "test.db"
            shutil.copyfile(self.template, tmp / "test.db")
            site = Site(tmp, backend, migrated=False)
        else:
            site = Site(tmp, backend, migrated=migrated)
        self.made.append(site)
        return site

    def close(self):
        for site in self.made:
            site.close(drop=False)
        schemas = [f'"{s.schema}"' for s in self.made if s.schema and s.owns_schema]
        if schemas:  # one statement: dropping each on its own takes a second apiece
            engine = create_engine(normalise_database_url(PG_URL))
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {', '.join(schemas)} CASCADE"))
            engine.dispose()


# ---- what is compared ----------------------------------------------------------------

# Left out of the comparison: CSRF tokens (signed per session), and the change counter of
# live pages, which is kept in Redis when REDIS_URL is set (not the database's: a restored
# site's pages simply reload at their next change).
VOLATILE = [
    (re.compile(r'(name="csrf_token"(?: type="hidden")? value=|name="csrf-token" '
                r'content=)"[^"]*"'), r"\1''"),
    (re.compile(r'(data-live-version=)"\d+"'), r"\1''"),
    (re.compile(r'(/live\?v=)\d+'), r"\1N"),
]
MEDIA = re.compile(r'(?:src|href)="(/media/[^"]+|/c/[^"]+/kids/files/[^"]+)"')


def page(site: Site, url: str) -> str:
    response = site.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.get_data(as_text=True)
    for pattern, replacement in VOLATILE:
        html = pattern.sub(replacement, html)
    return html


def media(site: Site, html: str) -> dict[str, bytes]:
    found = {}
    for url in MEDIA.findall(html):
        response = site.get(url)
        assert response.status_code == 200, url
        found[url] = response.get_data()
    return found


def uploads(site: Site) -> dict[str, bytes]:
    root = site.settings.upload_dir
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()} if root.exists() else {}


def rows(site: Site) -> dict[str, list[tuple]]:
    """Every row of every table as the app reads it (types through SQLAlchemy)."""
    with site.app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            if table.name in EPHEMERAL:  # counters a restore bumps (app/backup.py)
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in db.session.execute(
                select(table).order_by(*order))]
        db.session.remove()
        return out


def counts(site: Site) -> dict[str, int]:
    with site.app.app_context():
        found = {t.name: db.session.scalar(select(func.count()).select_from(t))
                 for t in db.metadata.sorted_tables if t.name not in EPHEMERAL}
        db.session.remove()
        return found


def tallies_of(site: Site, world: World) -> dict:
    with site.app.app_context():
        r = db.session.get(Round, world.round_id)
        both = tallies.both(r)
        decision = db.session.get(OwnersDecision, world.decision_id)
        found = {
            "votes": results.vote_totals(r), "ballots": results.ballots_counted(r),
            "selected": {rule: res.selected for rule, res in both.items()},
            "winners": r.winners,
            "children": kid_results.children_count(r), "picks": kid_results.picks_by_entry(r),
            "owners": asdict(decisions.current_tally(decision)),
        }
        db.session.remove()
        return found


def assert_same_site(source: Site, copy: Site, world: World) -> None:
    idea_page = page(copy, world.pages()[1])
    assert "楼道装扶手" in idea_page and "三楼的李伯伯" in idea_page  # not two empty pages
    images = 0
    for url in world.pages():
        before, after = page(source, url), page(copy, url)
        assert after == before, f"{url} differs after the restore"
        pictures = media(source, before)
        assert media(copy, after) == pictures
        images += len(pictures)
    assert images >= 5  # idea photos, the card's drawing, the receipt, outcome photos
    assert uploads(copy) == uploads(source)
    assert any(name.startswith("owner-sheets/") for name in uploads(copy))
    assert tallies_of(copy, world) == tallies_of(source, world)
    assert rows(copy) == rows(source)
