"""The migrated schema equals the models, on SQLite and on PostgreSQL."""
from __future__ import annotations

import secrets

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

from .conftest import create_schema, drop_schema, make_settings


def _diff(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)


def test_migrations_equal_models(backend, tmp_path):
    overrides = {}
    if backend == "postgresql":
        overrides["pg_schema"] = f"mig_{secrets.token_hex(4)}"
        create_schema(overrides["pg_schema"])
    try:
        app = create_app(make_settings(tmp_path, backend, **overrides))
        diff = _diff(app)
        assert diff == [], f"models and migrations differ: {diff}"
        with app.app_context():
            downgrade(revision="base")
            upgrade()
            db.engine.dispose()
    finally:
        if backend == "postgresql":
            drop_schema(overrides["pg_schema"])
