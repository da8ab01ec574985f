"""Settings per environment. Every value can be overridden by a `CRM_<NAME>` environment variable.

Nothing here is read at import time: `load_config()` builds a plain dict when the app is created.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping

# The key earlier builds shipped as a default: published, so it is refused like a missing one.
DEFAULT_SECRET_KEY = "dev-secret-change-me"
MIN_SECRET_BYTES = 32
MAKE_A_KEY = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class BaseConfig:
    """Defaults shared by every environment (the embedded, one-command setup)."""

    ENV_NAME = "base"
    SECRET_KEY = ""  # required: CRM_SECRET_KEY (the dev server makes one in the instance folder)
    # Fernet keys for secrets at rest, comma-separated, the first encrypts (see secret_box.py);
    # empty: one derived from SECRET_KEY. Production should set its own.
    ENCRYPTION_KEYS = ""
    INSTANCE_DIR = ""  # default: the app's instance folder, never the working directory
    DATABASE_URL = "sqlite:///{instance}/crossborder_crm.sqlite3"
    MAIL_BACKEND = "file"  # file | smtp
    MAIL_DIR = "{instance}/mail"
    SMTP_URL = "smtp://127.0.0.1:25"
    SMTP_TIMEOUT = 30.0
    # The default relay's limits, held across every worker (0: none); a relay answering 421 or
    # 4.7.x for a recipient domain has that domain left alone this long.
    SMTP_MAX_PER_SECOND = 0.0
    SMTP_MAX_PER_DOMAIN_PER_MINUTE = 0
    SMTP_THROTTLE_BACKOFF_SECONDS = 300.0
    MAIL_FROM_DOMAIN = "crm.localhost"
    # Machine translation (crossborder_crm/i18n/translator.py), through deep-translator:
    #   off       nothing is translated; written messages go as written, emails use the shipped catalogs
    #   fake      offline and deterministic ("[de] text"): tests and demos; refused in production
    #   libre     a LibreTranslate server (self-hosted: TRANSLATOR_URL; TRANSLATOR_API_KEY if it wants one)
    #   google    Google Translate's public web page (no key; unofficial, may be rate-limited)
    #   mymemory  MyMemory's free API (no key; a small anonymous daily quota)
    #   deepl     DeepL API (TRANSLATOR_API_KEY; a key ending ":fx" uses the free API)
    #   microsoft Azure AI Translator (TRANSLATOR_API_KEY; TRANSLATOR_REGION for a regional resource)
    TRANSLATOR = "off"
    TRANSLATOR_URL = ""  # LibreTranslate's base URL, e.g. http://127.0.0.1:5005/ (libre only, required)
    TRANSLATOR_API_KEY = ""  # the provider's key (libre: optional; deepl, microsoft: required)
    TRANSLATOR_REGION = ""  # microsoft only: the Azure region of the resource, e.g. westeurope
    # The longest one text (a subject, a body, a catalog string) may take to translate, all requests
    # to the provider included; past it the message goes as written, with the reason.
    TRANSLATOR_TIMEOUT_SECONDS = 5.0
    PUBLIC_URL = "http://127.0.0.1:5000"
    RUN_SCHEDULER = False  # APScheduler inside the web process (dev server only)
    DISPATCH_INTERVAL_SECONDS = 5
    DISPATCH_BATCH_SIZE = 100
    DISPATCH_CONCURRENCY = 8  # SMTP sessions in flight per worker (one on SQLite)
    DISPATCH_LEASE_SECONDS = 120
    DISPATCH_MAX_ATTEMPTS = 8
    DISPATCH_BACKOFF_BASE_SECONDS = 60
    SEND_HORIZON_DAYS = 366  # how far ahead a seller may set a message's send time
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_ENABLED = True
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Buyer imports (buyers/import_read.py ImportLimits keeps the same defaults): the file, an
    # .xlsx unpacked (all parts; any one part of 1 MiB+ at most this many times its packed
    # size), and data rows. Anything over is refused whole, naming the setting.
    IMPORT_MAX_BYTES = 64 * 1024 * 1024
    IMPORT_MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
    IMPORT_MAX_COMPRESSION_RATIO = 100
    IMPORT_MAX_ROWS = 1_000_000
    LOGIN_SLOWDOWN_AFTER = 3  # failures of one account before each further attempt must wait
    LOGIN_PAUSE_MAX_SECONDS = 60  # that wait doubles from 1 s up to this
    LOGIN_CLIENT_LOCKOUT_AFTER = 30  # failures from one client address before it is refused
    LOGIN_CLIENT_LOCKOUT_SECONDS = 900  # for this long; older failures are forgotten too
    TRUSTED_PROXIES = 0  # reverse proxies in front that set X-Forwarded-For (0: use the peer address)
    SQL_ECHO = False
    LOG_FORMAT = "plain"  # plain | json (one JSON object per line, for log shippers)
    # /metrics: when set, scrapers must send "Authorization: Bearer <token>"; when empty, only
    # loopback clients reaching the process directly (no proxy headers) are answered.
    METRICS_TOKEN = ""
    WORKER_METRICS_PORT = 0  # the worker's own /metrics port; 0: off
    WORKER_METRICS_ADDR = "127.0.0.1"  # where that port listens
    # Shipments (shipments/settings.py reads these). Transit days when a source gives no expected
    # date and the route has no delivered history yet; per destination as "US=10,DE=7,BR=30".
    SHIPMENT_DEFAULT_TRANSIT_DAYS = 14
    SHIPMENT_TRANSIT_DAYS_BY_DESTINATION = ""
    # Days without a checkpoint before a parcel counts as stalled; per route as "CN-BR=14,*-AR=21".
    SHIPMENT_STALLED_DAYS = 7
    SHIPMENT_STALLED_DAYS_BY_ROUTE = ""
    SHIPMENT_FOLLOW_UP_DAYS = 5  # days after delivery before the "how did it go" mail
    # Delivery feedback (feedback/): this many soft bounces of one address within this many days
    # suppress it like a hard bounce.
    FEEDBACK_SOFT_BOUNCE_LIMIT = 3
    FEEDBACK_SOFT_BOUNCE_DAYS = 30
    # The bounce mailbox `crossborder-crm bounces fetch` reads over IMAP (DSNs sent to the return path).
    BOUNCE_IMAP_HOST = ""
    BOUNCE_IMAP_PORT = 993
    BOUNCE_IMAP_USER = ""
    BOUNCE_IMAP_PASSWORD = ""
    BOUNCE_IMAP_FOLDER = "INBOX"
    BOUNCE_IMAP_SSL = True  # IMAP over TLS (port 993)
    BOUNCE_IMAP_STARTTLS = True  # with SSL off: upgrade a plain connection (port 143) before logging in


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


def served_public_url(settings: Mapping[str, Any], host: str, port: int) -> str:
    """The public URL for a dev server on host:port: the configured one, unless it is still the
    default (port 5000) while serving elsewhere, so links and webhook URLs reach the live port."""
    if settings["PUBLIC_URL"] != BaseConfig.PUBLIC_URL or (host, port) == ("127.0.0.1", 5000):
        return settings["PUBLIC_URL"]
    # 0.0.0.0 / :: listen everywhere but name no address a browser can use: loopback does.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}"


def instance_secret_key(instance_dir: str) -> str:
    """The dev server's own key: made once, kept in the instance folder readable by its owner only."""
    path = Path(instance_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _check_secret_key(key: Any) -> None:
    if not key:
        raise ConfigError(f"CRM_SECRET_KEY is not set: it signs sessions and unsubscribe links; {MAKE_A_KEY}")
    if key == DEFAULT_SECRET_KEY:
        raise ConfigError(f"CRM_SECRET_KEY is the published development key; {MAKE_A_KEY}")
    if len(str(key).encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"CRM_SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes; {MAKE_A_KEY}")


TRANSLATORS = ("off", "fake", "libre", "google", "mymemory", "deepl", "microsoft")


def _check_translator(settings: Mapping[str, Any]) -> None:
    name = settings["TRANSLATOR"]
    if name not in TRANSLATORS:
        raise ConfigError(f"CRM_TRANSLATOR: expected one of {', '.join(TRANSLATORS)}, got {name!r}")
    if name == "fake" and settings["ENV_NAME"] == "production":
        raise ConfigError("CRM_TRANSLATOR=fake only marks text, it does not translate: not in production")
    if name == "libre" and not settings["TRANSLATOR_URL"]:
        raise ConfigError("CRM_TRANSLATOR=libre needs CRM_TRANSLATOR_URL, the LibreTranslate server's base URL "
                          "(e.g. http://127.0.0.1:5005/)")
    if name in ("deepl", "microsoft") and not settings["TRANSLATOR_API_KEY"]:
        raise ConfigError(f"CRM_TRANSLATOR={name} needs CRM_TRANSLATOR_API_KEY")
    if not settings["TRANSLATOR_TIMEOUT_SECONDS"] > 0:
        raise ConfigError("CRM_TRANSLATOR_TIMEOUT_SECONDS: expected a number of seconds above 0, "
                          f"got {settings['TRANSLATOR_TIMEOUT_SECONDS']}")


def load_config(env_name: str | None = None, overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None, *, instance_dir: str | None = None,
                dev_server: bool = False) -> dict[str, Any]:
    """Build the settings dict: class defaults, then CRM_* variables, then explicit overrides.

    `instance_dir` is where relative defaults live (the database, the mail folder); `dev_server`
    lets `serve` fall back to a key kept in that folder. Everywhere else but the test
    environment, a missing, published or short secret key is refused.
    """
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
    instance = os.path.abspath(settings["INSTANCE_DIR"] or instance_dir or "instance")
    settings["INSTANCE_DIR"] = instance
    for key in ("DATABASE_URL", "MAIL_DIR"):
        if isinstance(settings[key], str):
            settings[key] = settings[key].replace("{instance}", instance)
    if dev_server and not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = instance_secret_key(instance)
    if settings["ENV_NAME"] != "test":
        _check_secret_key(settings["SECRET_KEY"])
    if settings["ENV_NAME"] == "production" and settings["PUBLIC_URL"] == BaseConfig.PUBLIC_URL:
        raise ConfigError(f"CRM_PUBLIC_URL is the development default {BaseConfig.PUBLIC_URL}: every "
                          "unsubscribe link would point there; set the address buyers reach the service at")
    if settings["LOG_FORMAT"] not in ("plain", "json"):
        raise ConfigError(f"CRM_LOG_FORMAT: expected 'plain' or 'json', got {settings['LOG_FORMAT']!r}")
    if not 0 <= settings["WORKER_METRICS_PORT"] <= 65535:
        raise ConfigError(f"CRM_WORKER_METRICS_PORT: expected a port (0: off), got {settings['WORKER_METRICS_PORT']}")
    _check_translator(settings)
    if settings["MAIL_BACKEND"] not in ("file", "smtp"):
        raise ConfigError(f"CRM_MAIL_BACKEND: expected 'file' or 'smtp', got {settings['MAIL_BACKEND']!r}")
    return settings
