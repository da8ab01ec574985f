"""Delivery transports for the outbox: ``make_transport("file" | "smtp", ...)``."""

from __future__ import annotations

from .base import (
    BaseTransport,
    DeliveryError,
    OutcomeUnknown,
    PermanentDeliveryError,
    TransientDeliveryError,
    Transport,
)
from .file import FileTransport
from .smtp import SmtpTransport

__all__ = [
    "BACKENDS",
    "BaseTransport",
    "DeliveryError",
    "FileTransport",
    "OutcomeUnknown",
    "PermanentDeliveryError",
    "SmtpTransport",
    "TransientDeliveryError",
    "Transport",
    "make_transport",
]

BACKENDS = ("file", "smtp")


def make_transport(
    backend: str,
    *,
    mail_dir: str | None,
    smtp_url: str | None,
    timeout: float = 30,
) -> Transport:
    """Build the transport named by ``backend`` (not yet connected)."""
    name = (backend or "").strip().lower()
    if name == "file":
        if not mail_dir:
            raise ValueError("the 'file' mail backend needs mail_dir")
        return FileTransport(mail_dir)
    if name == "smtp":
        if not smtp_url:
            raise ValueError("the 'smtp' mail backend needs smtp_url")
        return SmtpTransport.from_url(smtp_url, timeout=timeout)
    raise ValueError(f"unknown mail backend {backend!r}; expected one of {BACKENDS}")
