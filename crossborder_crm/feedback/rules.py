"""What a delivery event does to the address: pure rules, no database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from crossborder_crm.feedback.events import COMPLAINT, HARD, SOFT, SUBSCRIPTION, UNSUBSCRIBE


@dataclass(frozen=True)
class Policy:
    """How many soft bounces of one address within how many days count as a hard bounce."""

    soft_bounce_limit: int = 3
    soft_bounce_days: int = 30

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "Policy":
        """The policy from FEEDBACK_SOFT_BOUNCE_LIMIT and FEEDBACK_SOFT_BOUNCE_DAYS."""
        return cls(int(settings.get("FEEDBACK_SOFT_BOUNCE_LIMIT", cls.soft_bounce_limit)),
                   int(settings.get("FEEDBACK_SOFT_BOUNCE_DAYS", cls.soft_bounce_days)))

    def window_start(self, now: datetime) -> datetime:
        """The earliest soft bounce that still counts."""
        return now - timedelta(days=self.soft_bounce_days)


@dataclass(frozen=True)
class Decision:
    """A suppression to add (reason, scope) and the action recorded on the event."""

    action: str
    reason: str | None = None
    scope: str | None = None


def decide(kind: str, soft_bounces: int, policy: Policy) -> Decision:
    """Hard bounce: all mail; complaint, unsubscribe: marketing; soft bounce: all mail once the limit is reached.

    `soft_bounces` counts this address's soft bounces in the window, this one included.
    """
    if kind == HARD:
        return Decision("suppressed_all", "hard_bounce", "all")
    if kind == COMPLAINT:
        return Decision("suppressed_marketing", "complaint", "marketing")
    if kind == UNSUBSCRIBE:  # the one-click unsubscribe's reason: the preference page can lift it again
        return Decision("suppressed_marketing", "unsubscribe", "marketing")
    if kind == SOFT:
        if soft_bounces >= policy.soft_bounce_limit:
            return Decision("suppressed_all", "soft_bounces", "all")
        return Decision("counted")
    if kind == SUBSCRIPTION:
        return Decision("confirmed")
    raise ValueError(f"unknown feedback kind {kind!r}")


def clamp_time(at: datetime | None, now: datetime) -> datetime:
    """The provider's time when it is plausible; the receipt time when it is missing or in the future."""
    return now if at is None or at > now else at
