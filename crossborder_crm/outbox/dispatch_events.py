"""What the dispatcher tells an observer about each message (metrics and logs live elsewhere).

The dispatcher calls `observer.observe(outcome)` once per message, between sends, so an observer
must be cheap and must not raise. The default observes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from crossborder_crm.outbox.store import Claimed

OUTCOMES = ("sent", "retried", "failed", "suppressed", "lost_lease")


@dataclass(frozen=True)
class DispatchOutcome:
    """One message's outcome in a pass."""

    msg: Claimed
    outcome: str  # one of OUTCOMES; "lost_lease": another worker had taken it, nothing was recorded
    worker: str
    seconds: float  # from the send-time check to the outcome recorded (sent: its mark), on the clock
    reason: str | None = None  # as stored in last_error (may quote the recipient's address)
    error: Exception | None = None  # the delivery error, when the mail server or the connection failed
    to_email: str | None = None  # the address it went (or was to go) to


class DispatchObserver(Protocol):
    """Anything told each message's outcome."""

    def observe(self, outcome: DispatchOutcome) -> None: ...


class NoObserver:
    """The default observer: does nothing."""

    def observe(self, outcome: DispatchOutcome) -> None:
        """Ignore the outcome."""
