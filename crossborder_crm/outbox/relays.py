"""Each seller's own SMTP relay (host, port, security, login, limits), or the service's default one.

The password is validated in clear, stored encrypted (SecretBox) and never handed back to the panel
or the CLI: relay_view() says only whether one is saved. A blank password keeps the saved one, as
long as the host and the user name stay the same: pointing the saved password at another server
needs it typed again, so nobody can redirect it to a host of their own.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Mapping

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, NotFound, Reason, ValidationFailed
from crossborder_crm.outbox.backends.smtp_settings import SECURITY_MODES, SmtpSettings, parse_smtp_url
from crossborder_crm.outbox.message_id import ascii_domain
from crossborder_crm.secret_box import SecretBox, UndecryptableSecret
from crossborder_crm.validation import FieldError, Schema, field_errors

__all__ = ["DEFAULT_KEY", "Relay", "RelayIn", "RelayLimits", "RelayView", "clear_relay", "default_relay",
           "load_relay", "relay_view", "save_relay", "seller_relay"]

DEFAULT_KEY = "default"
# The port a relay listens on when none is given: submission for STARTTLS (RFC 6409), 465 for TLS.
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "tls": 465}
MAX_CONNECTIONS = 100
MAX_PER_SECOND = 1000
MAX_PER_DOMAIN_PER_MINUTE = 10_000
MAX_PASSWORD = 512
_CONTROL = frozenset(chr(c) for c in range(32)) | {"\x7f"}


@dataclass(frozen=True)
class RelayLimits:
    """How hard a relay may be used; None: no limit of that kind."""

    max_connections: int | None = None  # sessions open at once to this relay, across all workers
    per_second: float | None = None  # messages per second through it, across all workers
    per_domain_per_minute: int | None = None  # messages per minute to one recipient domain


@dataclass(frozen=True)
class Relay:
    """A relay to send through: `key` names its rate-limit buckets ("seller:12", "default")."""

    key: str
    smtp: SmtpSettings  # the password in clear, out of repr
    limits: RelayLimits


@dataclass(frozen=True)
class RelayView:
    """What the panel and the CLI may show of a seller's relay: never the password."""

    host: str
    port: int
    security: str
    username: str | None
    limits: RelayLimits
    has_password: bool


# --------------------------------------------------------------------------- validation

def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: mail to them never crosses a network."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_host(value: str) -> str:
    """A host name (lower-cased, IDNA) or an IP address, without scheme or port; else ValueError."""
    if "://" in value or value.lower().startswith(("smtp:", "smtps:")):
        raise ValueError(N_("enter the host name only, without smtp:// (the security has its own field)"))
    bare = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        pass
    if any(c in value for c in ":/@ "):
        raise ValueError(N_("enter the host name only, such as smtp.example.com (the port has its own field)"))
    try:
        host = ascii_domain(value)
    except ValueError:
        raise ValueError(N_("is not a host name or an IP address")) from None
    if host.rsplit(".", 1)[-1].isdigit():  # 300.1.2.3 is no address, and no name either
        raise ValueError(N_("is not a host name or an IP address"))
    return host


class RelayIn(Schema):
    """A seller's relay as given; a blank or missing password keeps the saved one (see save_relay)."""

    host: str = Field(max_length=253)
    port: int | None = Field(default=None, ge=1, le=65535, description="default: 587, 465 for tls, 25 for plain")
    security: str = Field(default="starttls", description="plain, starttls or tls")
    username: str | None = Field(default=None, max_length=320)
    password: SecretStr | None = None
    max_connections: int | None = Field(default=None, ge=1, le=MAX_CONNECTIONS)
    per_second: float | None = Field(default=None, gt=0, le=MAX_PER_SECOND)
    per_domain_per_minute: int | None = Field(default=None, ge=1, le=MAX_PER_DOMAIN_PER_MINUTE)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_missing(cls, data: Any) -> Any:
        # A form sends "" for every field left empty: that means "not given".
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return check_host(value)

    @field_validator("security")
    @classmethod
    def _security(cls, value: str) -> str:
        if value.lower() not in SECURITY_MODES:
            raise ValueError(Reason(N_("must be one of: %(choices)s"), choices=", ".join(SECURITY_MODES)))
        return value.lower()

    @field_validator("username")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        if value is not None and any(c in _CONTROL for c in value):
            raise ValueError(N_("must not contain control characters"))
        return value

    @field_validator("password")
    @classmethod
    def _password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        if len(value.get_secret_value()) > MAX_PASSWORD:
            raise ValueError(Reason(N_("must be at most %(num)s characters"), num=MAX_PASSWORD))
        if any(c in _CONTROL for c in value.get_secret_value()):
            raise ValueError(N_("must not contain control characters"))
        return value

    @model_validator(mode="after")
    def _together(self, info: ValidationInfo):
        # context "kept": the (host, username) the saved password belongs to, None when there is none
        kept = (info.context or {}).get("kept")
        if self.security == "plain" and self.username is not None and not is_loopback(self.host):
            raise FieldError("security", N_("must be starttls or tls when logging in: the password must not "
                                            "travel in clear (plain is only for a relay on this host)"))
        if self.password is not None and self.username is None:
            raise FieldError("username", N_("is required with a password"))
        if self.username is not None and self.password is None:
            if kept is None:
                raise FieldError("password", N_("is required with a user name"))
            if kept != (self.host, self.username):
                raise FieldError("password", N_("enter the password again: the host or the user name changed"))
        return self


def _parse(data: Any, kept: tuple[str, str] | None) -> RelayIn:
    """Like validation.parse, with the saved login in the context (a blank password may keep it)."""
    if not isinstance(data, Mapping):
        raise ValidationFailed("invalid relay: expected a JSON object", {"body": N_("expected an object")})
    try:
        return RelayIn.model_validate(data, context={"kept": kept})
    except ValidationError as exc:
        # from None: the error's inputs (the password among them) stay out of any traceback
        fields = field_errors(exc)
        name, reason = next(iter(fields.items()))
        raise ValidationFailed(f"invalid relay: {name}: {reason}", fields) from None


# --------------------------------------------------------------------------- reading

def relay_view(seller) -> RelayView | None:
    """What may be shown of the seller's relay (None: the service's relay is used)."""
    if not seller.relay_host:
        return None
    return RelayView(seller.relay_host, seller.relay_port or DEFAULT_PORTS.get(seller.relay_security, 25),
                     seller.relay_security or "starttls", seller.relay_username, _limits(seller),
                     bool(seller.relay_password))


def load_relay(db: Database, seller_id: int) -> RelayView | None:
    """The seller's relay as relay_view() shows it; NotFound for an unknown seller."""
    with db.reading() as s:
        seller = s.get(Seller, seller_id)
        if seller is None:
            raise NotFound(f"seller {seller_id} not found")
        return relay_view(seller)


def _limits(row) -> RelayLimits:
    return RelayLimits(row.relay_max_connections, row.relay_per_second, row.relay_per_domain_per_minute)


def seller_relay(box: SecretBox, row) -> Relay | None:
    """The seller's own relay from a row/object having the relay_* attributes (None: use the default relay).
    Raises UndecryptableSecret (secret_box) when the password cannot be decrypted."""
    if not row.relay_host:
        return None
    seller_id = getattr(row, "id", None) or getattr(row, "seller_id", None)
    password = None
    if row.relay_username:
        try:
            password = box.decrypt(row.relay_password) if row.relay_password else ""
        except UndecryptableSecret as exc:
            raise UndecryptableSecret(f"the relay password of seller {seller_id}: {exc}") from None
    security = row.relay_security or "starttls"
    smtp = SmtpSettings(row.relay_host, row.relay_port or DEFAULT_PORTS[security],
                        username=row.relay_username or None, password=password, security=security)
    return Relay(f"seller:{seller_id}", smtp, _limits(row))


def default_relay(settings: Mapping[str, Any]) -> Relay | None:
    """The service's relay (CRM_SMTP_URL), or None when the service writes mail to files."""
    if str(settings.get("MAIL_BACKEND") or "").strip().lower() != "smtp":
        return None
    smtp = parse_smtp_url(settings["SMTP_URL"], timeout=float(settings.get("SMTP_TIMEOUT") or 30))
    return Relay(DEFAULT_KEY, smtp, RelayLimits())


# --------------------------------------------------------------------------- writing

def _locked_seller(s, seller_id: int) -> Seller:
    seller = s.scalars(select(Seller).where(Seller.id == seller_id).with_for_update()).one_or_none()
    if seller is None:
        raise NotFound(f"seller {seller_id} not found")
    return seller


def save_relay(db: Database, clock: Clock, box: SecretBox, seller_id: int, data: Mapping[str, Any]) -> RelayView:
    """Validate and store the seller's relay in one transaction (the password encrypted); 422 names the field.

    `clock` keeps the signature of the other settings writers; nothing here is dated yet.
    """
    with db.transaction() as s:
        seller = _locked_seller(s, seller_id)
        kept = (seller.relay_host, seller.relay_username) if seller.relay_password and seller.relay_username \
            else None
        spec = _parse(data, kept)
        seller.relay_host = spec.host
        seller.relay_port = spec.port or DEFAULT_PORTS[spec.security]
        seller.relay_security = spec.security
        seller.relay_username = spec.username
        if spec.username is None:
            seller.relay_password = None
        elif spec.password is not None:
            seller.relay_password = box.encrypt(spec.password.get_secret_value())
        seller.relay_max_connections = spec.max_connections
        seller.relay_per_second = spec.per_second
        seller.relay_per_domain_per_minute = spec.per_domain_per_minute
        return relay_view(seller)


def clear_relay(db: Database, seller_id: int) -> None:
    """Forget the seller's relay (and its password): their mail goes through the service's relay again."""
    with db.transaction() as s:
        seller = _locked_seller(s, seller_id)
        for name in ("host", "port", "security", "username", "password", "max_connections", "per_second",
                     "per_domain_per_minute"):
            setattr(seller, f"relay_{name}", None)
