"""Typed, frozen settings read once from the environment."""
from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

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
        try:
            kiosk_idle = int(env.get("KIOSK_IDLE_MINUTES", "10"))
        except ValueError as exc:
            raise SettingsError("KIOSK_IDLE_MINUTES must be a whole number of minutes, not "
                                f"{env['KIOSK_IDLE_MINUTES']!r}") from exc
        if kiosk_idle < 1:
            raise SettingsError("KIOSK_IDLE_MINUTES must be at least 1")
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
            kiosk_idle_minutes=kiosk_idle,
        )
