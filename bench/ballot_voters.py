"""Signed-in voters for bench/ballots.py, made before timing (run with the server's env).

    python bench/ballot_voters.py MANIFEST.json OUT.tsv COUNT

Each voter's session cookie is minted as tests/stress/seed.py mints them (login_user in
a request context, signed by the app's own session interface), with its CSRF token
(Flask-WTF's generate_csrf, stored in that session), so no login or ballot page is
requested in the timed run and the per-voter rate limit stays as production has it.
Writes one line per (voter, ballot): `Cookie header <TAB> form body`; every voter
appears once with one ballot, then once more with another, so a voter's two requests
are far apart. Every ballot fits the round's budget. Voters who voted on paper are left
out (their online ballot is refused, as it should be).
"""
from __future__ import annotations

import itertools
import json
import random
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def fitting_ballots(costs: dict[int, int], budget: int, most: int | None) -> list[tuple]:
    ids = sorted(costs)
    found = []
    for size in range(1, min(len(ids), most or len(ids), 4) + 1):
        for combo in itertools.combinations(ids, size):
            if sum(costs[i] for i in combo) <= budget:
                found.append(combo)
    return found


def main(manifest_path: str, out: str, count: int) -> None:
    from flask import g, session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import User
    from proposals.rounds.models import Participation, RoundEntry

    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    target = manifest["ballot"]
    first, last = target["voter_user_ids"]
    app = create_app()
    rng = random.Random(10)
    with app.app_context():
        costs = dict(db.session.execute(select(RoundEntry.id, RoundEntry.cost_fen).where(
            RoundEntry.round_id == target["round_id"])).all())
        ballots = fitting_ballots(costs, target["budget_fen"], target.get("max_choices"))
        if not ballots:
            sys.exit("no ballot fits the round's budget")
        # Who voted on paper may not vote online (refused, rightly): not in the run.
        on_paper = select(Participation.user_id).where(
            Participation.round_id == target["round_id"], Participation.channel != "online",
            Participation.user_id.is_not(None))
        users = db.session.scalars(select(User).where(
            User.id.between(first, last), User.id.not_in(on_paper))
            .order_by(User.id).limit(count)).all()
        serializer = app.session_interface.get_signing_serializer(app)
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        minted = []
        for user in users:
            with app.test_request_context("/"):
                # generate_csrf caches its token in g, which belongs to the app context
                # all these requests share: without this every voter got the first one's.
                g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
                login_user(user)
                token = generate_csrf()
                minted.append((f"{cookie_name}={serializer.dumps(dict(session))}", token))
        db.session.remove()
    lines = []
    for _round in range(2):
        for cookie, token in minted:
            fields = [("csrf_token", token)] + [("entry", str(e)) for e in rng.choice(ballots)]
            lines.append(f"{cookie}\t{urllib.parse.urlencode(fields)}")
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(json.dumps({"voters": len(minted), "lines": len(lines), "ballots": len(ballots)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
