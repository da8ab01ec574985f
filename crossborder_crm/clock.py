"""The one source of "now": everything that needs the time takes a Clock.

Tests and `dispatch --now` use FixedClock so the whole system can run "at" any instant.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current UTC instant."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until moved; for tests and simulated runs."""

    def __init__(self, at: datetime):
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to an instant."""
        self._at = ensure_utc(at)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._at = self._at + delta


def ensure_utc(value: datetime) -> datetime:
    """Return an aware UTC datetime; a naive value is refused, never guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: an explicit offset or zone is required")
    return value.astimezone(timezone.utc)


def from_db(value: datetime | None) -> datetime | None:
    """Datetimes come back naive from SQLite; the database stores UTC only."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
