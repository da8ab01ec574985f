"""SMTP connection settings: validated, and parsed from an ``smtp://`` / ``smtps://`` URL.

URL forms accepted by :func:`parse_smtp_url`::

    smtp://host                      plain, port 25
    smtp://user:pass@host:587?starttls=1
    smtps://user:pass@host           implicit TLS, port 465
    ...?verify=0                     accept self-signed / mismatching certs
    ...?helo=mta.example.com         name sent in EHLO (default: local FQDN)

User and password are percent-decoded (``%40`` for ``@`` and so on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["SECURITY_MODES", "SmtpSettings", "parse_smtp_url"]

SECURITY_MODES = ("plain", "starttls", "tls")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server; the port defaults from the security mode."""

    host: str
    port: int | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never shown
    security: str = "plain"
    verify: bool = True
    timeout: float = 30
    local_hostname: str | None = None  # name sent in EHLO; None: the local FQDN

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("SMTP host is required")
        if self.security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {SECURITY_MODES}, not {self.security!r}")
        if (self.username is None) != (self.password is None):
            raise ValueError("SMTP username and password must be given together")
        # frozen: the normalised values are written once, here
        port = int(self.port) if self.port else (465 if self.security == "tls" else 25)
        object.__setattr__(self, "port", port)
        object.__setattr__(self, "timeout", float(self.timeout))


def _flag(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(f"invalid value for {name!r} in SMTP URL: {value!r}")


def parse_smtp_url(url: str, timeout: float = 30) -> SmtpSettings:
    """The settings an ``smtp://`` or ``smtps://`` URL describes; ValueError when it is malformed."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        raise ValueError("SMTP URL must start with smtp:// or smtps://")
    host = parts.hostname
    if not host:
        raise ValueError("SMTP URL has no host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("SMTP URL has an invalid port") from None
    starttls = False
    verify = True
    helo = None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "starttls":
            starttls = _flag(key, value)
        elif key == "verify":
            verify = _flag(key, value)
        elif key == "helo":
            helo = value or None
        else:
            raise ValueError(f"unknown SMTP URL parameter: {key!r}")
    if scheme == "smtps" and starttls:
        raise ValueError("smtps:// is implicit TLS; do not combine it with starttls=1")
    username = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    if username is not None and password is None:
        password = ""
    return SmtpSettings(
        host,
        port,
        username=username or None,
        password=password if username else None,
        security="tls" if scheme == "smtps" else ("starttls" if starttls else "plain"),
        verify=verify,
        timeout=timeout,
        local_hostname=helo,
    )
