"""Configuration read from the environment.

Every setting has an embedded default that suits one person running the service on a laptop;
production settings come only from environment variables (never from files in the repository).
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("ENGAGE_INSTANCE_DIR", BASE_DIR / "instance"))

# Values that must never be used as a real secret outside development.
INSECURE_SECRET_KEYS = frozenset({"", "dev", "development", "change-me", "secret", "insecure-dev-key"})


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'engage.sqlite3'}"
    # Hosting platforms often hand out the old scheme; SQLAlchemy needs the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    ENV_NAME = os.environ.get("ENGAGE_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = _database_url()
    # Statement parameters can hold personal data: keep them out of error messages and logs.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    SERVICE_NAME = os.environ.get("SERVICE_NAME", "Co-operative Engagement")
    BOROUGH_NAME = os.environ.get("BOROUGH_NAME", "Northbrook Borough")
    BRAND_COLOUR = os.environ.get("BRAND_COLOUR", "#00625e")
    PHASE = os.environ.get("SERVICE_PHASE", "beta")
    FEEDBACK_EMAIL = os.environ.get("FEEDBACK_EMAIL", "engagement@example.org")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    # Sessions: the cookie only names a server-side session that the server can end.
    SESSION_COOKIE_NAME = "engage_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_ABSOLUTE_HOURS)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the server-side session

    # Whole public responses kept in each web process for readers not signed in (engage/caching/page_cache.py).
    PAGE_CACHE_ENABLED = _bool("PAGE_CACHE_ENABLED", True)
    PAGE_CACHE_MAX_BYTES = _int("PAGE_CACHE_MAX_MB", 32) * 1024 * 1024

    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 10)
    LOGIN_FAILURE_WINDOW_MINUTES = _int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
    INVITATION_DAYS = _int("INVITATION_DAYS", 7)
    PASSWORD_RESET_MINUTES = _int("PASSWORD_RESET_MINUTES", 60)
    EMAIL_CODE_MINUTES = _int("EMAIL_CODE_MINUTES", 10)

    MAIL_FROM = os.environ.get("MAIL_FROM", "Co-operative Engagement <no-reply@example.org>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = _int("SMTP_PORT", 25)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    SMTP_TIMEOUT_SECONDS = _int("SMTP_TIMEOUT_SECONDS", 10)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)

    # Files attached to engagements live outside the web root and are only served through the app.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 20) * 1024 * 1024
    # A form without a file may be no larger than this, and no text field of an upload form either: the longest
    # form (the story's five sections of 10,000 characters) is well within it, even at four bytes a character.
    MAX_FORM_MEMORY_SIZE = _int("MAX_FORM_KB", 1024) * 1024

    # The level and budget guide's minimums, per level, for example
    # {"co-produce": {"min_weeks": 16, "min_budget_pence": 200000, "note": "…"}}; unset levels keep the defaults.
    LEVEL_GUIDE = json.loads(os.environ.get("LEVEL_GUIDE_JSON") or "{}")

    # The licence published with every open-data file.
    OPEN_DATA_LICENCE_NAME = os.environ.get("OPEN_DATA_LICENCE_NAME", "Open Government Licence v3.0")
    OPEN_DATA_LICENCE_URL = os.environ.get(
        "OPEN_DATA_LICENCE_URL", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")

    # In-kind value of volunteer time, in pence per hour.
    IN_KIND_HOURLY_RATE_PENCE = _int("IN_KIND_HOURLY_RATE_PENCE", 1_260)

    # Scheduled work. Production runs `flask --app wsgi scheduler run` as its own process; the embedded
    # default runs the scheduler inside the web process. Either way a lease in the database lets only
    # one of them run the jobs, and another takes over once the holder has not renewed it for this long.
    SCHEDULER_IN_APP = _bool("SCHEDULER_IN_APP", False)
    SCHEDULER_LEASE_SECONDS = _int("SCHEDULER_LEASE_SECONDS", 60)
    # Times of day for the daily and weekly jobs are in this zone.
    SCHEDULER_TIMEZONE = os.environ.get("SCHEDULER_TIMEZONE", "Europe/London")
    # SQLite only: where the nightly online backup is written, and how many are kept.
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(INSTANCE_DIR / "backups"))
    BACKUP_KEEP = _int("BACKUP_KEEP", 7)
    # When set, the static export of the public site is refreshed here on a schedule.
    STATIC_EXPORT_DIR = os.environ.get("STATIC_EXPORT_DIR", "")
    # Reminders and nudges.
    MILESTONE_DUE_SOON_DAYS = _int("MILESTONE_DUE_SOON_DAYS", 7)
    QUIET_ENGAGEMENT_DAYS = _int("QUIET_ENGAGEMENT_DAYS", 30)
    # Commitments made after publication are larger pieces of work than milestones: warned of further ahead.
    COMMITMENT_DUE_SOON_DAYS = _int("COMMITMENT_DUE_SOON_DAYS", 14)

    # Webhooks and the output link check reach out to addresses people typed: bounded in time and
    # refused for private networks unless listed here (comma-separated networks, e.g. "127.0.0.0/8").
    OUTBOUND_ALLOWED_NETWORKS = [
        item.strip() for item in os.environ.get("OUTBOUND_ALLOWED_NETWORKS", "").split(",") if item.strip()
    ]
    WEBHOOK_CONNECT_TIMEOUT_SECONDS = _int("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 5)
    WEBHOOK_READ_TIMEOUT_SECONDS = _int("WEBHOOK_READ_TIMEOUT_SECONDS", 10)
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 8)
    LINK_CHECK_TIMEOUT_SECONDS = _int("LINK_CHECK_TIMEOUT_SECONDS", 10)
    LINK_CHECK_MAX_REDIRECTS = _int("LINK_CHECK_MAX_REDIRECTS", 5)

    # Set by a reverse proxy that terminates TLS; HSTS is only sent over HTTPS.
    TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
    MAIL_ECHO = False


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-dev-key"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    MAIL_ECHO = _bool("MAIL_ECHO", True)


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-for-tests"  # noqa: S105 - tests only
    SESSION_COOKIE_SECURE = False
    SMTP_HOST = ""
    BASE_URL = "http://localhost"
    # Tests that write through the engine directly would otherwise see pages kept from before; the page
    # cache's own tests turn it on.
    PAGE_CACHE_ENABLED = False


CONFIGS: dict[str, type[Config]] = {
    "production": Config,
    "development": DevelopmentConfig,
    "test": TestConfig,
}


def config_for(env_name: str | None = None) -> type[Config]:
    name = (env_name or os.environ.get("ENGAGE_ENV") or "production").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"ENGAGE_ENV must be one of {', '.join(sorted(CONFIGS))}, not {name!r}.")
    return CONFIGS[name]
