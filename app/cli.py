"""Command-line tools: `flask --app wsgi create-admin | units import | seed-demo | tick`."""
from __future__ import annotations

import re
import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from .accounts import services as accounts
from .accounts.forms import USERNAME_PATTERN
from .accounts.models import User
from .database import write_transaction

USERNAME_RE = re.compile(USERNAME_PATTERN)


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@click.command("create-admin")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_admin(username: str, password_stdin: bool) -> None:
    """Create a site administrator (or make an existing account one)."""
    if not password_stdin:
        fail("Give the password on standard input with --password-stdin.")
    if not USERNAME_RE.match(username):
        fail("The username must be 3 to 40 letters, digits or underscores.")
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        fail("The password must have at least 8 characters.")
    with write_transaction():
        user = User.by_username(username)
        if user is None:
            user = accounts.create_user(username, username, password, is_site_admin=True)
        else:
            accounts.change_password(user, password)
            user.is_site_admin = True
    click.echo(f"{user.username} is a site administrator.")


def due_work() -> list:
    """What `tick` does, in order: each function takes the time of the run and returns
    one (done, line) per thing it did or was refused. Add later due work here."""
    from proposals.notices.tick import finish_due_notices
    from .audit import expire_old
    return [finish_due_notices, expire_old]


@click.command("tick")
@with_appcontext
def tick() -> None:
    """Make the moves that time has made due (for cron, e.g. every 10 minutes).

    Idempotent: what is done is not due any more, so a second run does nothing."""
    from .timeutil import utcnow
    now = utcnow()
    done = refused = 0
    for work in due_work():
        for ok, line in work(now):
            click.echo(line, err=not ok)
            done, refused = done + ok, refused + (not ok)
    click.echo(f"tick: {done} done, {refused} refused.")


def register(app: Flask) -> None:
    from proposals.demo import seed_demo_command
    from .backup import backup_command, restore_command
    from .scale import seed_scale_command
    from proposals.kids.kids_cli import kids_group
    from proposals.owners.owners_cli import owners_group
    from proposals.rounds.pb_cli import pb_group
    from .units_import import units_group

    app.cli.add_command(create_admin)
    app.cli.add_command(units_group)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(pb_group)
    app.cli.add_command(owners_group)
    app.cli.add_command(kids_group)
    app.cli.add_command(tick)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(seed_scale_command)
