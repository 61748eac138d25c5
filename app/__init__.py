"""Application factory: settings, extensions, blueprints. No migrations or seeding here."""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import assets, pagecache
from .settings import ROOT, Settings


class RowId(IntegerConverter):
    """`<int:…>` in every route: ids beyond a 32-bit key never reach the database
    (PostgreSQL would answer an error, not "no such row"): they are simply not found."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(settings.instance_path))
    app.url_map.converters["int"] = RowId
    _configure(app, settings)
    _init_extensions(app, settings)
    _register(app)
    assets.init(app)
    pagecache.init(app)
    if settings.trusted_proxies:
        # Behind nginx the client's address, scheme and host come from X-Forwarded-*, set by
        # the proxies we trust (rate limits per address, HSTS and Secure cookies over HTTPS).
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    return app


def _configure(app: Flask, s: Settings) -> None:
    app.config.update(
        SETTINGS=s,
        SECRET_KEY=s.secret_key,
        SQLALCHEMY_DATABASE_URI=s.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(s),
        WTF_CSRF_TIME_LIMIT=None,
        # Six photos of 10 MB and the form around them.
        MAX_CONTENT_LENGTH=6 * s.max_photo_bytes + 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        BABEL_DEFAULT_LOCALE="zh_Hans",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "app" / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=s.session_cookie_secure,
        REMEMBER_COOKIE_SECURE=s.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        RATELIMIT_ENABLED=s.rate_limits,
        RATELIMIT_STORAGE_URI=s.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        TESTING=s.testing,
        PREFERRED_URL_SCHEME="https" if s.public_url.startswith("https") else "http",
    )


def _engine_options(s: Settings) -> dict:
    # A database error's message (which the error handlers log) must not carry what was
    # typed: a child's nickname, a comment, a password hash. The SQL is still shown.
    if s.is_sqlite:
        return {"connect_args": {"timeout": s.sqlite_busy_timeout_ms / 1000},
                "hide_parameters": True}
    options = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5,
               "hide_parameters": True}
    schema = s.extra.get("pg_schema")
    if schema:
        options["connect_args"] = {"options": f"-c search_path={schema}"}
    return options


def _init_extensions(app: Flask, s: Settings) -> None:
    from . import models  # noqa: F401  (every model registered before use)
    from .database import configure_sqlite, set_write_intent
    from .extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
    from .forms import refuse_nameless_fields
    from .i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "app" / "migrations"), render_as_batch=True)
    # Before the CSRF check, which fails with a 500 on a field whose name cannot be read.
    app.before_request(refuse_nameless_fields)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    if s.is_sqlite:
        with app.app_context():
            configure_sqlite(db.engine, s.sqlite_busy_timeout_ms)

    @app.before_request
    def _write_intent():
        set_write_intent(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _no_write_intent(_exc):
        # The intent belongs to the request: a thread that goes on to other work (a test,
        # a background count) must not begin its transactions IMMEDIATE and hold the lock.
        set_write_intent(False)


def _register(app: Flask) -> None:
    from . import cli, elder, errors, headers, health, i18n, templating
    from .accounts import loader, views as account_views
    from .admin import views as admin_views
    from .staff import views as staff_views
    from proposals import actions as _actions  # noqa: F401  (routes on proposals.bp)
    from proposals import views as proposal_views
    from deliberation import views as deliberation_views
    from deliberation import notification_views
    from proposals.rounds import views as round_views
    from proposals.owners import views as owner_views
    from deliberation.meetings import views as meeting_views
    from proposals.notices import views as notice_views
    from proposals.projects import views as project_views
    from proposals.outcomes import views as outcome_views
    from proposals.dashboard import views as dashboard_views
    from proposals.kids import views as kids_views

    loader.init(app)
    errors.register_error_handlers(app)
    templating.init(app)
    headers.init(app)
    for bp in (health.bp, i18n.bp, elder.bp, account_views.bp, admin_views.bp,
               staff_views.bp, proposal_views.site_bp, proposal_views.bp, deliberation_views.bp,
               notification_views.site_bp,
               round_views.bp, owner_views.bp, meeting_views.bp, notice_views.bp,
               project_views.bp, outcome_views.bp, dashboard_views.bp, kids_views.bp):
        app.register_blueprint(bp)
    cli.register(app)
    from . import bench_route
    if bench_route.wanted():  # bench/pages.py's ceiling; never registered otherwise
        app.register_blueprint(bench_route.bp)
