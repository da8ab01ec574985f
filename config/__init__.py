"""Settings per environment. Every value can be overridden by a `CRM_<NAME>` environment variable.

Nothing here is read at import time: `load_config()` builds a plain dict when the app is created.
"""
from __future__ import annotations

import os
from typing import Any, Mapping

DEFAULT_SECRET_KEY = "dev-secret-change-me"


class BaseConfig:
    """Defaults shared by every environment (the embedded, one-command setup)."""

    ENV_NAME = "base"
    SECRET_KEY = DEFAULT_SECRET_KEY
    DATABASE_URL = "sqlite:///instance/crossborder_crm.sqlite3"
    MAIL_BACKEND = "file"  # file | smtp
    MAIL_DIR = "instance/mail"
    SMTP_URL = "smtp://127.0.0.1:25"
    SMTP_TIMEOUT = 30.0
    MAIL_FROM_DOMAIN = "crm.localhost"
    TRANSLATOR = "off"
    PUBLIC_URL = "http://127.0.0.1:5000"
    RUN_SCHEDULER = False  # APScheduler inside the web process (dev server only)
    DISPATCH_INTERVAL_SECONDS = 5
    DISPATCH_BATCH_SIZE = 100
    DISPATCH_LEASE_SECONDS = 120
    DISPATCH_MAX_ATTEMPTS = 8
    DISPATCH_BACKOFF_BASE_SECONDS = 60
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_ENABLED = True
    MAX_CONTENT_LENGTH = 1024 * 1024
    IMPORT_MAX_BYTES = 64 * 1024 * 1024
    LOGIN_SLOWDOWN_AFTER = 3
    LOGIN_LOCKOUT_AFTER = 10
    LOGIN_LOCKOUT_SECONDS = 900
    SQL_ECHO = False


class DevelopmentConfig(BaseConfig):
    """`make run`: SQLite, file mail, scheduler in process."""

    ENV_NAME = "development"
    RUN_SCHEDULER = True


class TestConfig(BaseConfig):
    """The test suite: an in-memory-free temp database is passed in by the fixtures."""

    ENV_NAME = "test"
    SECRET_KEY = "test-secret"
    DATABASE_URL = "sqlite://"
    WTF_CSRF_ENABLED = False
    LOGIN_LOCKOUT_SECONDS = 60


class ProductionConfig(BaseConfig):
    """gunicorn + separate workers; PostgreSQL; secure cookies."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {c.ENV_NAME: c for c in (DevelopmentConfig, TestConfig, ProductionConfig)}


class ConfigError(RuntimeError):
    """The configuration cannot be used (e.g. production with the default secret)."""


def _coerce(default: Any, raw: str, name: str) -> Any:
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"CRM_{name}: expected a boolean, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"CRM_{name}: expected an integer, got {raw!r}") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"CRM_{name}: expected a number, got {raw!r}") from None
    return raw


def load_config(env_name: str | None = None, overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the settings dict: class defaults, then CRM_* variables, then explicit overrides."""
    environ = os.environ if environ is None else environ
    env_name = env_name or environ.get("CRM_ENV", "development")
    if env_name not in CONFIGS:
        raise ConfigError(f"CRM_ENV: unknown environment {env_name!r} (one of {', '.join(CONFIGS)})")
    cls = CONFIGS[env_name]
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    for key, default in list(settings.items()):
        raw = environ.get(f"CRM_{key}")
        if raw is not None:
            settings[key] = _coerce(default, raw, key)
    settings.update(overrides or {})
    if settings["ENV_NAME"] == "production" and settings["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None):
        raise ConfigError("production refuses to start with the default secret key: set CRM_SECRET_KEY")
    if settings["MAIL_BACKEND"] not in ("file", "smtp"):
        raise ConfigError(f"CRM_MAIL_BACKEND: expected 'file' or 'smtp', got {settings['MAIL_BACKEND']!r}")
    return settings
