"""The stress test's database, made in a child process with the server's environment
(as tests/meeting_server.py seeds): the migrations, one community, an open knapsack
round, N verified voters with a signed-in session each, an idea whose thread has a
first comment, and an open owners' decision over a register in which every voter owns
one flat.

Sessions are minted, not logged in: `login_user` in a request context of the site's own
app, then the session signed by the app's session interface — the very cookie a login
would have set, without 1,000 argon2 checks.

Run as `python -m tests.stress.seed N`; prints one line of JSON (see `Seeded`).
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Costs of the ballot's projects in fen, and the budget: many subsets fit, some do not.
COSTS = (40_000_00, 30_000_00, 20_000_00, 15_000_00, 10_000_00, 5_000_00)
BUDGET = 60_000_00
BUILDINGS = 10  # the register spreads the voters' flats over this many buildings


@dataclass
class Seeded:
    slug: str
    round_id: int
    budget_fen: int
    entries: dict[str, int]  # entry id (as in the form) -> cost in fen
    idea_id: int
    decision_id: int
    voters: list[tuple[int, str]]  # (user id, session cookie value)
    cookie_name: str


def seed(env: dict, voters: int, timeout: float = 180) -> Seeded:
    done = subprocess.run([sys.executable, "-m", "tests.stress.seed", str(voters)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["voters"] = [tuple(v) for v in data["voters"]]
    return Seeded(**data)


def _voters(make, community, count: int):
    """Verified residents, added in one transaction (the factory commits per person)."""
    from app.accounts.models import Membership, User
    from app.extensions import db
    from app.timeutil import utcnow

    now, password_hash = utcnow(), make._hash(make.password)
    users = [User(username=f"stress{i:04d}", display_name=f"居民{i:04d}",
                  password_hash=password_hash) for i in range(1, count + 1)]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        m = Membership(user=user, community=community, verified_at=now)
        db.session.add(m)
        m.grant("resident")
    db.session.commit()
    return users


def _owners(make, community, users):
    """One flat per voter in the register, each owner linked to its voter's account."""
    from sqlalchemy import select

    from app.extensions import db
    from proposals.owners.models import Owner

    register = [(f"{i % BUILDINGS + 1}号楼", f"{i // BUILDINGS + 101}", 60_00 + (i * 37) % 8000,
                 f"O{i:04d}", False) for i in range(len(users))]
    decision = make.owners_decision(community, register=register, matter="rebuild",
                                    title="压测：加装电梯")
    by_register = {o.register_id: o for o in db.session.scalars(
        select(Owner).where(Owner.community_id == community.id))}
    for i, user in enumerate(users):
        by_register[f"O{i:04d}"].user_id = user.id
    db.session.commit()
    return decision


def _sessions(app, users) -> list[tuple[int, str]]:
    from flask import session
    from flask_login import login_user

    serializer = app.session_interface.get_signing_serializer(app)
    minted = []
    for user in users:
        with app.test_request_context("/"):
            login_user(user)
            minted.append((user.id, serializer.dumps(dict(session))))
    return minted


def _main(count: int) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from tests.factories import Factory

    app = create_app()
    with app.app_context():
        upgrade()  # the schema as production has it
        make = Factory("stress-pass-1")
        community = make.community(slug="stress", name="压测居民区", buildings=())
        round_ = make.round(community, costs=COSTS, budget_fen=BUDGET, state="open",
                            ballot_kind="knapsack", title="压测预算投票")
        idea = make.idea(community, stage="deliberating", title="楼下加装充电桩")
        make.comment(idea, body="先开个头：大家怎么看？")  # the thread exists
        users = _voters(make, community, count)
        decision = _owners(make, community, users)
        print(json.dumps(dict(
            slug=community.slug, round_id=round_.id, budget_fen=round_.budget_fen,
            entries={str(e.id): e.cost_fen for e in round_.entries}, idea_id=idea.id,
            decision_id=decision.id, voters=_sessions(app, users),
            cookie_name=app.config["SESSION_COOKIE_NAME"])))
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    _main(int(sys.argv[1]))
