"""`crossborder-crm check`: is this configuration fit to run? One plain finding per check.

Plain functions over the settings dict; each says what it found, or what is wrong and how to fix
it. Nothing is changed and no mail is sent (the SMTP check connects, greets and logs in only).
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from config import CONFIGS, DEFAULT_SECRET_KEY, MAKE_A_KEY, MIN_SECRET_BYTES, BaseConfig, ConfigError, load_config
from crossborder_crm.accounts.models import Seller, WebhookSecret
from crossborder_crm.db import Database
from crossborder_crm.i18n.compiled import po_files, stale_catalogs
from crossborder_crm.migrate import revision_on
from crossborder_crm.outbox.backends.base import DeliveryError
from crossborder_crm.outbox.backends.smtp_session import SmtpSession
from crossborder_crm.outbox.backends.smtp_settings import parse_smtp_url
from crossborder_crm.secret_box import SecretBox, UndecryptableSecret

SMTP_CHECK_TIMEOUT_SECONDS = 5.0  # a relay that does not greet by then will not do better for the worker
# Stands in for the secret key and public URL while loading, so load_config's refusal of them
# does not hide every other finding; the real values are put back and checked below.
_STAND_IN = {"SECRET_KEY": "s" * MIN_SECRET_BYTES, "PUBLIC_URL": "https://stand-in.invalid"}


@dataclass(frozen=True)
class Finding:
    """One check's outcome: its name, whether it passed, and the detail (or the fix)."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """The line `check` prints."""
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def load_settings(environ: Mapping[str, str] | None = None, instance_dir: str | None = None) -> dict[str, Any]:
    """The settings the app would run with, keeping a weak secret key or an unset public URL
    (their checks report them); any other unusable setting raises ConfigError."""
    environ = os.environ if environ is None else environ
    settings = load_config(environ=environ, instance_dir=instance_dir, overrides=_STAND_IN)
    defaults = CONFIGS[settings["ENV_NAME"]]
    for key in _STAND_IN:
        settings[key] = environ.get(f"CRM_{key}", getattr(defaults, key))
    return settings


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "(unparseable URL)"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def database(url: str, head: str | None) -> Finding:
    """The database answers and its schema is at the package's newest migration."""
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError) as exc:
        return Finding("database", False, f"CRM_DATABASE_URL cannot be used ({_first_line(exc)})")
    path = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and path and path != ":memory:" and not path.startswith("file:") \
            and not os.path.isfile(path):
        # Connecting would create an empty file: a check changes nothing.
        return Finding("database", False, f"there is no SQLite database at {path}; run `crossborder-crm db upgrade` "
                                          "(or set CRM_DATABASE_URL to the one in use)")
    try:
        db = Database(url)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        return Finding("database", False, f"CRM_DATABASE_URL cannot be used ({_first_line(exc)})")
    try:
        with db.engine.connect() as conn:
            revision = revision_on(conn)
    except (SQLAlchemyError, OSError) as exc:
        return Finding("database", False, f"cannot connect to {_shown(url)} ({_first_line(exc)}); check "
                                          "CRM_DATABASE_URL and that the database server is running")
    finally:
        db.dispose()
    if revision != head:
        where = "has no schema yet" if revision is None else f"is at revision {revision}, the package's is {head}"
        return Finding("database", False, f"{_shown(url)} {where}; run `crossborder-crm db upgrade`")
    return Finding("database", True, f"{_shown(url)} reachable, schema at {head}")


def mail(settings: Mapping[str, Any]) -> Finding:
    """The configured mail backend can take a message: the SMTP relay greets, or the folder is writable."""
    if settings["MAIL_BACKEND"] == "smtp":
        return smtp_relay(settings["SMTP_URL"], min(float(settings["SMTP_TIMEOUT"]), SMTP_CHECK_TIMEOUT_SECONDS))
    return mail_folder(settings["MAIL_DIR"])


def smtp_relay(smtp_url: str, timeout: float = SMTP_CHECK_TIMEOUT_SECONDS) -> Finding:
    """Connect, EHLO, STARTTLS and log in as the worker would, then QUIT: no mail is sent."""
    try:
        smtp = parse_smtp_url(smtp_url, timeout=timeout)
    except ValueError as exc:
        return Finding("mail", False, f"CRM_SMTP_URL: {exc}")
    session = SmtpSession(smtp)
    try:
        session.open()
    except DeliveryError as exc:
        return Finding("mail", False, f"{exc}; check CRM_SMTP_URL and that the relay accepts this host")
    finally:
        session.close()
    login = f", logged in as {smtp.username}" if smtp.username else ""
    return Finding("mail", True, f"SMTP relay {smtp.host}:{smtp.port} answered ({smtp.security}{login})")


def mail_folder(path: str) -> Finding:
    """The file backend's folder is writable, or can be made (the worker makes it), by this user."""
    folder = Path(path).absolute()
    existing = next(p for p in (folder, *folder.parents) if p.exists())  # the root always exists
    try:
        if not existing.is_dir():
            raise NotADirectoryError(f"{existing} is not a folder")
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".crm-check-"):
            pass
    except OSError as exc:
        return Finding("mail", False, f"mail folder {path} is not writable ({exc.strerror or exc}); set "
                                      "CRM_MAIL_DIR to a folder this user may write, or use CRM_MAIL_BACKEND=smtp")
    state = "is writable" if existing == folder else "can be made by the worker"
    return Finding("mail", True, f"mail folder {path} {state}; file backend: nothing leaves this host")


def secret_key(settings: Mapping[str, Any]) -> Finding:
    """Production needs a secret key of its own: set, not the published one, long enough."""
    key = str(settings.get("SECRET_KEY") or "")
    if not key:
        problem = "not set"
    elif key == DEFAULT_SECRET_KEY:
        problem = "the published development key"
    elif len(key.encode()) < MIN_SECRET_BYTES:
        problem = f"shorter than {MIN_SECRET_BYTES} bytes"
    else:
        return Finding("secret key", True, "set, and long enough")
    if settings["ENV_NAME"] != "production":
        return Finding("secret key", True, f"CRM_SECRET_KEY is {problem}: only production refuses that")
    return Finding("secret key", False, f"CRM_SECRET_KEY is {problem}; {MAKE_A_KEY}")


def public_url(settings: Mapping[str, Any]) -> Finding:
    """Production needs the address buyers reach the service at: unsubscribe links point there."""
    url = str(settings.get("PUBLIC_URL") or "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Finding("public URL", False, f"CRM_PUBLIC_URL {url!r} is not an http(s) address; set the "
                                            "address buyers reach the service at")
    if settings["ENV_NAME"] == "production" and url == BaseConfig.PUBLIC_URL:
        return Finding("public URL", False, f"CRM_PUBLIC_URL is not set (still the development default {url}); "
                                            "unsubscribe links would point there: set the address buyers reach "
                                            "the service at")
    return Finding("public URL", True, url)


def catalogs(locales_dir: Path) -> Finding:
    """Every translation catalog is compiled, and its .mo matches its .po."""
    if not po_files(locales_dir):
        return Finding("catalogs", False, f"no translation catalogs under {locales_dir}: the package is incomplete; "
                                          "reinstall it")
    stale = stale_catalogs(locales_dir)
    if stale:
        return Finding("catalogs", False, "; ".join(str(s) for s in stale))
    return Finding("catalogs", True, f"{len(po_files(locales_dir))} compiled catalog(s) match their .po files")


def encryption_keys(settings: Mapping[str, Any], db_url: str | None) -> Finding:
    """The keys for secrets at rest are valid and open every stored secret (when `db_url` is given)."""
    try:
        box = SecretBox.from_settings(settings)
    except ConfigError as exc:
        return Finding("encryption keys", False, str(exc))
    own = "CRM_ENCRYPTION_KEYS" if str(settings.get("ENCRYPTION_KEYS") or "").strip() else \
        "the key derived from CRM_SECRET_KEY (CRM_ENCRYPTION_KEYS is empty)"
    if db_url is None:
        return Finding("encryption keys", True, f"{own} valid; stored secrets not tried (database unavailable)")
    db = Database(db_url)
    try:
        with db.reading() as s:
            stored = [*s.scalars(select(WebhookSecret.secret)),
                      *s.scalars(select(Seller.dkim_private_key).where(Seller.dkim_private_key.is_not(None),
                                                                       Seller.dkim_private_key != "")),
                      *s.scalars(select(Seller.relay_password).where(Seller.relay_password != ""))]
    except SQLAlchemyError as exc:
        return Finding("encryption keys", False, f"cannot read the stored secrets ({_first_line(exc)})")
    finally:
        db.dispose()
    closed = 0
    for value in stored:
        try:
            box.decrypt(value)
        except UndecryptableSecret:
            closed += 1
    if closed:
        return Finding("encryption keys", False, f"{closed} of {len(stored)} stored secret(s) cannot be decrypted "
                                                 f"with {own}: put back the key they were encrypted with")
    return Finding("encryption keys", True, f"{own} open all {len(stored)} stored secret(s)")


def run_all(settings: Mapping[str, Any], head: str | None, locales_dir: Path) -> list[Finding]:
    """Every check, in the order an operator fixes things."""
    found = [secret_key(settings), public_url(settings), database(settings["DATABASE_URL"], head)]
    found.append(encryption_keys(settings, settings["DATABASE_URL"] if found[-1].ok else None))
    found += [mail(settings), catalogs(locales_dir)]
    return found
