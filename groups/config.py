"""Settings, read from the environment in one place. Every variable is documented in README.md."""

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """The app refuses to start with settings that would be unsafe."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path, production: bool) -> str:
    """SECRET_KEY from the environment; outside production, one generated once and kept in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set when CIRCLES_ENV=production.")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_config(instance_path: str) -> dict:
    """Build the Flask config dict from environment variables."""
    instance = Path(instance_path)
    environment = os.environ.get("CIRCLES_ENV") or os.environ.get("FLASK_ENV") or "development"
    production = environment == "production"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'circles.sqlite3'}"
    if production and database_url.startswith("sqlite"):
        raise ConfigError("DATABASE_URL must point to PostgreSQL when CIRCLES_ENV=production.")
    # psycopg 3 is the installed driver; accept the common plain "postgresql://" spelling too.
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url.removeprefix("postgres://")
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    return {
        "ENV_NAME": environment,
        "PRODUCTION": production,
        "SECRET_KEY": _secret_key(instance, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_ENABLED": _flag("WTF_CSRF_ENABLED", True),
        "WTF_CSRF_TIME_LIMIT": None,  # tired people leave forms open; the session still bounds the token
        "MEETING_HORIZON_WEEKS": int(os.environ.get("MEETING_HORIZON_WEEKS", 26)),
        # Email. With no MAIL_SERVER, messages are written to the console and MAIL_OUTBOX_DIR.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_SECURITY": os.environ.get("MAIL_SECURITY", "starttls"),  # starttls | ssl | none
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Circles <no-reply@circles.example>"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", 10)),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR", str(instance / "outbox")),
        # Where links in emails point (emails sent from the command line have no request).
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Off only for load tests (`make bench` drives thousands of requests from one address).
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        # Pages and feeds kept in memory (groups/content_cache/logic.py): how often a process
        # looks for other processes' changes, the oldest copy it uses, and its memory bound.
        "CONTENT_CACHE_RECHECK_SECONDS": float(os.environ.get("CONTENT_CACHE_RECHECK_SECONDS", 1)),
        "CONTENT_CACHE_MAX_AGE_SECONDS": float(os.environ.get("CONTENT_CACHE_MAX_AGE_SECONDS", 60)),
        "CONTENT_CACHE_MAX_BYTES": int(os.environ.get("CONTENT_CACHE_MAX_BYTES", 32 * 1024 * 1024)),
        "MAP_TILE_URL": os.environ.get(
            "MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
    }
