"""Typed, frozen settings read once from the environment."""
from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from limits import parse_many

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"


class SettingsError(ValueError):
    """The environment asks for something the site cannot run with."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_database_url(url: str) -> str:
    """Let operators write postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance: Path) -> str:
    """A key generated once per installation, never one written in the code."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    public_url: str
    instance_path: Path
    upload_dir: Path
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    production: bool = False
    testing: bool = False
    rate_limits: bool = True
    session_cookie_secure: bool = False
    sqlite_busy_timeout_ms: int = 5000
    max_photo_bytes: int = 10 * 1024 * 1024
    max_photo_pixels: int = 40_000_000
    # A children's kiosk ends after this many minutes without a child (proposals.kids.kiosk).
    kiosk_idle_minutes: int = 10
    # Proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto/-Host are believed.
    # 0 believes none: anyone could otherwise claim any address and dodge the limits below.
    trusted_proxies: int = 0
    # Staff and admins are signed out after this long without a request of their own.
    staff_idle_minutes: int = 30
    # Rate limits, as Flask-Limiter strings (app/accounts/limits.py applies them).
    limit_account_failures: str = "5 per minute"    # failed logins/reset codes, per username
    limit_address_failures: str = "100 per minute"  # failed logins/sign-ups/resets, per address
    limit_signups: str = "60 per hour"              # accounts created, per address
    limit_posting: str = "10 per minute"            # comments, topics and ideas, per person
    limit_posting_moderator: str = "60 per minute"
    limit_voting: str = "30 per minute"             # ballots saved, per person
    # Pages drawn for people not signed in are sent again until their community changes,
    # for at most this long (app/pagecache.py); 0 draws every page afresh.
    page_cache_seconds: int = 30
    extra: dict = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        instance = Path(env.get("INSTANCE_PATH") or DEFAULT_INSTANCE)
        host = env.get("HOST", "127.0.0.1")
        try:
            port = int(env.get("PORT", "8000"))
        except ValueError as exc:
            raise SettingsError(f"PORT must be a number, not {env['PORT']!r}") from exc
        public_url = env.get("PUBLIC_URL", "").rstrip("/")
        if not public_url:
            if not _is_loopback(host):
                raise SettingsError(
                    f"PUBLIC_URL is required when HOST is {host}: posters and QR codes "
                    "must point at an address residents can open, e.g. http://192.168.1.20:8000"
                )
            public_url = f"http://{host}:{port}"
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'yishiting.db'}"
        return cls(
            database_url=normalise_database_url(database_url),
            secret_key=env.get("SECRET_KEY") or _secret_key(instance),
            public_url=public_url,
            instance_path=instance,
            upload_dir=Path(env.get("UPLOAD_DIR") or instance / "uploads"),
            redis_url=env.get("REDIS_URL") or None,
            host=host,
            port=port,
            production=env.get("YISHITING_ENV", "").lower() == "production",
            session_cookie_secure=public_url.startswith("https://"),
            kiosk_idle_minutes=_whole(env, "KIOSK_IDLE_MINUTES", cls.kiosk_idle_minutes, 1),
            trusted_proxies=_whole(env, "TRUSTED_PROXIES", cls.trusted_proxies, 0),
            staff_idle_minutes=_whole(env, "STAFF_IDLE_MINUTES", cls.staff_idle_minutes, 1),
            page_cache_seconds=_whole(env, "PAGE_CACHE_SECONDS", cls.page_cache_seconds, 0),
            **{name: _rate(env, var, getattr(cls, name)) for name, var in LIMIT_VARIABLES.items()},
        )


# Settings field → environment variable, for the rate limits.
LIMIT_VARIABLES = {
    "limit_account_failures": "RATE_LIMIT_ACCOUNT_FAILURES",
    "limit_address_failures": "RATE_LIMIT_ADDRESS_FAILURES",
    "limit_signups": "RATE_LIMIT_SIGNUPS",
    "limit_posting": "RATE_LIMIT_POSTING",
    "limit_posting_moderator": "RATE_LIMIT_POSTING_MODERATOR",
    "limit_voting": "RATE_LIMIT_VOTING",
}


def _whole(env: dict, name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _rate(env: dict, name: str, default: str) -> str:
    """A limit such as "5 per minute" or "60/hour; 200/day", checked now rather than
    at the first request it would apply to."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        parse_many(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a rate such as '5 per minute', not {raw!r}") from exc
    return raw
