"""Delivery transport protocol and error taxonomy.

Callers (the outbox dispatcher) only need to distinguish two outcomes:

* :class:`TransientDeliveryError` -- try again later (connection refused,
  timeout, dropped connection, TLS/AUTH problems, SMTP 4xx);
* :class:`OutcomeUnknown` (a transient error) -- the reply to the end of the data was lost, so
  the message may have been delivered: retry later (same Message-ID), never at once;
* :class:`PermanentDeliveryError` -- do not retry this message (SMTP 5xx for
  the sender, recipient or content).  ``hard_bounce`` is True when the
  recipient address itself was rejected with a 5xx, i.e. the address should
  be suppressed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Protocol, Sequence, runtime_checkable

__all__ = [
    "BaseTransport",
    "DeliveryError",
    "OutcomeUnknown",
    "PermanentDeliveryError",
    "TransientDeliveryError",
    "Transport",
]


class DeliveryError(Exception):
    """A message could not be handed over.

    ``code`` is the SMTP reply code when there was one (else None), ``reason``
    a human readable text (the server's reply text when there was one).
    ``refused`` maps recipient -> (code, text) for recipients the server
    refused; ``accepted`` lists recipients the message *was* delivered to
    despite the error (only non-empty when some, but not all, recipients
    of a multi-recipient send were refused).
    """

    hard_bounce: bool = False
    transient: bool = False

    def __init__(
        self,
        reason: str,
        code: int | None = None,
        *,
        refused: dict[str, tuple[int, str]] | None = None,
        accepted: Sequence[str] = (),
    ) -> None:
        self.code = code
        self.reason = reason
        self.refused = dict(refused or {})
        self.accepted = tuple(accepted)
        super().__init__(f"{code} {reason}" if code is not None else reason)


class TransientDeliveryError(DeliveryError):
    """Temporary failure; the same message may be retried later."""

    transient = True


class OutcomeUnknown(TransientDeliveryError):
    """The end of the data was written but the server's reply never came: the message may have been
    delivered. Never re-sent at once; retried later with the same Message-ID, which receivers dedupe."""

    LOST = ("the relay's reply to the message was lost: it may have been delivered; "
            "retrying later with the same Message-ID")

    def __init__(self, detail: str) -> None:
        super().__init__(f"{self.LOST} ({detail})")


class PermanentDeliveryError(DeliveryError):
    """Permanent failure; retrying the same message will not help."""

    def __init__(
        self,
        reason: str,
        code: int | None = None,
        *,
        hard_bounce: bool = True,
        refused: dict[str, tuple[int, str]] | None = None,
        accepted: Sequence[str] = (),
    ) -> None:
        super().__init__(reason, code, refused=refused, accepted=accepted)
        self.hard_bounce = hard_bounce


@runtime_checkable
class Transport(Protocol):
    def open(self) -> None: ...

    def send(self, envelope_from: str, recipients: Sequence[str], message: bytes) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> "Transport": ...

    def __exit__(self, exc_type, exc, tb) -> None: ...


class BaseTransport(ABC):
    """Context-manager plumbing: ``with transport: transport.send(...)``."""

    @abstractmethod
    def open(self) -> None:
        """Connect (or prepare the folder)."""

    @abstractmethod
    def send(self, envelope_from: str, recipients: Sequence[str], message: bytes) -> None:
        """Deliver one message or raise a DeliveryError."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self):
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def check_send_args(envelope_from: str, recipients: Sequence[str], message: bytes) -> list[str]:
    """Common argument validation; returns the recipients as a list."""
    if isinstance(recipients, str):
        raise TypeError("recipients must be a sequence of addresses, not a str")
    rcpts = list(recipients)
    if not rcpts:
        raise ValueError("at least one recipient is required")
    for addr in [envelope_from, *rcpts]:
        if not isinstance(addr, str) or any(c in addr for c in "\r\n\x00<>"):
            raise ValueError(f"invalid envelope address: {addr!r}")
    for addr in rcpts:
        if not addr.strip():
            raise ValueError("empty recipient address")
    if not isinstance(message, (bytes, bytearray, memoryview)):
        raise TypeError("message must be bytes")
    return rcpts
