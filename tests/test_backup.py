"""Backups: `flask --app wsgi backup FILE` and `flask --app wsgi restore FILE [--force]`.

A lively small world (tests/backup_world.py: ideas with photos and comments, a round with
adults' and children's ballots, a drawing on a picture card, an adopted result and a
stored tally, an owners' decision with a scanned sheet, a project with a receipt, an
outcome page) is backed up once per database, then restored into fresh sites made by
`flask db upgrade` (another SQLite file, another PostgreSQL schema): the same pages, the
same image bytes, the same tallies, every row equal, and a resident still logged in once
the site uses the restored key. Refusals (a non-empty site, a damaged, altered or foreign
archive, another schema revision, no schema) change nothing.
"""
from __future__ import annotations

import io
import json
import tarfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.backup_archive import MANIFEST
from app.database import write_transaction
from app.extensions import db
from proposals.models import Idea, StageChange

from .backup_world import Site, Sites, World, assert_same_site, counts, rows, seed, \
    tallies_of, uploads
from .conftest import BACKENDS, PASSWORD, PG_URL, Client, _FreshContextClient, empty_database
from .factories import Factory


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    made = Sites(tmp_path_factory)
    yield made
    made.close()


@pytest.fixture(scope="module")
def worlds(sites):
    """One seeded site and its archive per database, made once for the module."""
    made = {}

    def world(backend: str) -> tuple[Site, World, Path]:
        if backend not in made:
            site = sites.new(backend)
            with site.app.app_context():
                seeded = seed(Factory(PASSWORD))
                db.session.remove()
            archive = site.tmp / "site.tar.gz"
            out = site.cli("backup", archive)
            assert out.exit_code == 0, out.output
            made[backend] = (site, seeded, archive)
        return made[backend]

    return world


@pytest.fixture
def fresh(sites):
    return sites.new


# ---- restoring -----------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_a_restored_copy_shows_the_same_pages_images_and_tallies(backend, worlds, fresh):
    source, world, archive = worlds(backend)
    found = tallies_of(source, world)
    assert found["ballots"] == 5 and found["children"] == 3 and found["winners"]
    assert found["owners"]["owners_participating"] == 1

    copy = fresh(backend)
    out = copy.cli("restore", archive)
    assert out.exit_code == 0, out.output
    total = sum(counts(source).values())
    assert f"Restored {total:,} rows of " in out.output
    assert "restart the site" in out.output
    assert_same_site(source, copy, world)

    # Started again with the restored key, the copy still knows the resident's session.
    with source.app.app_context():
        resident = Client(_FreshContextClient(source.app, use_cookies=True))
        resident.login(User.by_username(world.resident))
        cookie = resident.http.get_cookie("session").value
    restarted = copy.again()
    assert restarted.app.config["SECRET_KEY"] == source.app.config["SECRET_KEY"]
    browser = restarted.app.test_client()
    browser.set_cookie("session", cookie)
    account = browser.get("/account")
    assert account.status_code == 200 and world.resident in account.get_data(as_text=True)
    stranger = copy.app.test_client()  # the copy before its restart: another key
    stranger.set_cookie("session", cookie)
    assert stranger.get("/account").status_code != 200

    # New rows after a restore get new ids (PostgreSQL's sequences were moved on).
    with restarted.app.app_context():
        make = Factory(PASSWORD)
        community = db.session.scalar(select(Idea).where(Idea.id == world.idea_id)).community
        newer = make.idea(community, title="恢复后的新点子")
        assert newer.id > world.idea_id
        db.session.remove()
    restarted.close()


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
@pytest.mark.parametrize("made_on,restored_on", [("sqlite", "postgresql"),
                                                 ("postgresql", "sqlite")])
def test_a_backup_restores_on_the_other_database(worlds, fresh, made_on, restored_on):
    source, world, archive = worlds(made_on)
    copy = fresh(restored_on)
    out = copy.cli("restore", archive)
    assert out.exit_code == 0, out.output
    assert f"on {made_on}" in out.output
    assert_same_site(source, copy, world)


def _other_world(site: Site) -> None:
    with site.app.app_context():
        make = Factory(PASSWORD)
        make.idea(make.community(slug="other-place"), title="别处的点子")
        db.session.remove()
    folder = site.settings.upload_dir / "ideas"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "old.jpg").write_bytes(b"an old photo")


@pytest.mark.parametrize("backend", BACKENDS)
def test_restore_refuses_a_site_in_use_and_force_replaces_it(backend, worlds, fresh,
                                                               monkeypatch):
    source, world, archive = worlds(backend)
    copy = fresh(backend)
    _other_world(copy)
    before_rows, before_files = rows(copy), uploads(copy)
    key_file = copy.settings.instance_path / "secret_key"
    assert not key_file.exists()

    out = copy.cli("restore", archive)
    assert out.exit_code == 1
    assert "The database is not empty" in out.output and "--force" in out.output
    assert "Nothing was restored." in out.output
    assert rows(copy) == before_rows and uploads(copy) == before_files
    assert not key_file.exists()

    # Its uploads alone are enough to refuse: a site's files are not mixed with others.
    with copy.app.app_context():
        empty_database()
    out = copy.cli("restore", archive)
    assert out.exit_code == 1 and "uploads folder" in out.output, out.output
    assert uploads(copy) == before_files and sum(counts(copy).values()) == 0
    _other_world(copy)

    # The environment's key would win over the restored one: said loudly.
    monkeypatch.setenv("SECRET_KEY", "a-key-set-by-the-environment")
    out = copy.cli("restore", "--force", archive)
    assert out.exit_code == 0, out.output
    assert "WARNING: SECRET_KEY is set in the environment and differs" in out.output
    assert key_file.read_text() == source.app.config["SECRET_KEY"]
    assert "old.jpg" not in " ".join(uploads(copy))
    assert rows(copy) == rows(source) and uploads(copy) == uploads(source)
    assert not [p for p in copy.settings.upload_dir.iterdir() if p.name.startswith(".")]


# ---- refusals ------------------------------------------------------------------------

def _rewrite(archive: Path, target: Path, change) -> Path:
    """Copy the archive member by member, `change(name, data)` giving the new bytes (or
    None to leave the member out)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as out:
        for member in src:
            data = src.extractfile(member).read()
            data = change(member.name, data)
            if data is None:
                continue
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def _manifest_edit(**values):
    def change(name, data):
        if name != MANIFEST:
            return data
        return json.dumps(dict(json.loads(data), **values)).encode()
    return change


@pytest.mark.parametrize("backend", BACKENDS)
def test_damaged_altered_or_foreign_archives_change_nothing(backend, worlds, fresh, tmp_path):
    """Each refused with --force on the seeded site itself: not a row nor a file moves."""
    site, _world, archive = worlds(backend)
    good = archive.read_bytes()
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    bad = tmp_path / "bad"
    bad.mkdir()

    def idea_title(name, data):
        return data.replace("楼道装扶手".encode(), "楼道装电梯".encode()) \
            if name == "database/idea.jsonl" else data

    foreign = bad / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    cases = {
        "altered": (_rewrite(archive, bad / "altered.tar.gz", idea_title),
                    "checksum of database/idea.jsonl does not match"),
        "cut short": (bad / "short.tar.gz", "damaged or is not a tar.gz"),
        "not gzip": (bad / "plain.txt", "damaged or is not a tar.gz"),
        "foreign": (foreign, "not one"),
        "no manifest": (_rewrite(archive, bad / "nomanifest.tar.gz",
                                 lambda n, d: None if n == MANIFEST else d), "no manifest"),
        "a file missing": (_rewrite(archive, bad / "missing.tar.gz",
                                    lambda n, d: None if n.startswith("uploads/ideas/") else d),
                           "incomplete"),
        "another revision": (_rewrite(archive, bad / "rev.tar.gz",
                                      _manifest_edit(revision="0003")),
                             f"made at schema revision 0003, and this database is at "
                             f"{manifest['revision']}"),
        "newer format": (_rewrite(archive, bad / "v9.tar.gz", _manifest_edit(format_version=9)),
                         "format 9"),
    }
    (bad / "short.tar.gz").write_bytes(good[: len(good) // 2])
    (bad / "plain.txt").write_text("not an archive")
    before, files = rows(site), uploads(site)
    for case, (path, message) in cases.items():
        out = site.cli("restore", "--force", path)
        assert out.exit_code == 1, (case, out.output)
        assert message in out.output, (case, out.output)
        assert "Nothing was restored." in out.output
        assert uploads(site) == files, case
        assert not [p for p in site.settings.upload_dir.iterdir() if p.name.startswith(".")]
        assert not (site.settings.instance_path / "secret_key").exists(), case
    assert rows(site) == before  # --force emptied nothing: every refusal came first

    unmigrated = fresh(backend, migrated=False)
    out = unmigrated.cli("restore", archive)
    assert out.exit_code == 1
    assert "Run `flask --app wsgi db upgrade` first" in out.output


# ---- making the archive --------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_the_archive_is_written_whole_private_and_never_over_another(backend, worlds):
    source, _world, archive = worlds(backend)
    assert archive.stat().st_mode & 0o077 == 0  # password hashes and the key inside
    first = archive.read_bytes()
    out = source.cli("backup", archive)
    assert out.exit_code == 1 and "already exists" in out.output
    assert archive.read_bytes() == first
    out = source.cli("backup", "--force", archive)
    assert out.exit_code == 0, out.output
    assert archive.read_bytes() != first  # a new archive (its own time inside)
    assert sorted(p.name for p in archive.parent.iterdir() if p.name.startswith(".")) == []
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        key = tar.extractfile("secret_key").read().decode()
        names = tar.getnames()
    assert key == source.app.config["SECRET_KEY"]
    assert names[-1] == MANIFEST and set(manifest["members"]) == set(names[:-1])
    assert manifest["database"] == backend and manifest["files"] == len(uploads(source))
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == counts(source)
    out = source.cli("backup", source.tmp / "no-such-folder" / "x.tar.gz")
    assert out.exit_code == 1 and "does not exist" in out.output
    out = source.cli("backup", source.settings.upload_dir / "x.tar.gz")
    assert out.exit_code == 1 and "outside the uploads folder" in out.output


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backup_taken_while_the_site_writes_is_one_moment(backend, fresh, tmp_path):
    """A writer adds an idea and its first timeline entry in one transaction, over and
    over, while the backup reads: the archive holds each idea with its entry or neither
    (ideas are read before their timeline, so a dump without a snapshot would hold
    entries of ideas it lacks)."""
    site = fresh(backend)
    with site.app.app_context():
        make = Factory(PASSWORD)
        community = make.community(slug="busy")
        author = make.user(community)
        # Enough rows that reading takes a while, and the writer gets in meanwhile.
        for n in range(40):
            make.idea(community, author=author, title=f"旧点子{n}")
        ids = (community.id, author.id)
        db.session.remove()
    stop, written = threading.Event(), []

    def writer():
        with site.app.app_context():
            while not stop.is_set():
                with write_transaction():
                    idea = Idea(community_id=ids[0], author_id=ids[1], title="写入中",
                                description="…", category="facilities", stage="submitted")
                    idea.timeline.append(StageChange(from_stage=None, to_stage="submitted",
                                                     actor_id=ids[1]))
                    db.session.add(idea)
                written.append(time.perf_counter())
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3:
            time.sleep(0.01)
        started = time.perf_counter()
        out = site.cli("backup", tmp_path / "busy.tar.gz")
        ended = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    assert out.exit_code == 0, out.output
    assert any(started < t < ended for t in written), "no write happened during the backup"
    with tarfile.open(tmp_path / "busy.tar.gz", "r:gz") as tar:
        ideas = tar.extractfile("database/idea.jsonl").read().decode().splitlines()[1:]
        changes = tar.extractfile("database/stage_change.jsonl").read().decode().splitlines()
    header = json.loads(changes[0])
    at = header["columns"].index("idea_id")
    idea_ids = {json.loads(line)[0] for line in ideas}
    change_ids = {json.loads(line)[at] for line in changes[1:]}
    assert idea_ids == change_ids and len(idea_ids) > 40
