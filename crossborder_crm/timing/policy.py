"""Send policies and the per-buyer frequency cap (pure data + pure functions)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

__all__ = [
    "POLICY_KINDS",
    "DEFAULT_CONVERSATION_DEADLINE",
    "SendPolicy",
    "FrequencyCap",
    "cap_allows",
    "next_allowed_by_cap",
]

POLICY_KINDS = ("transactional", "marketing", "conversation")
DEFAULT_CONVERSATION_DEADLINE = timedelta(hours=24)


@dataclass(frozen=True)
class SendPolicy:
    """How to pick a send instant.

    * transactional: as soon as possible, outside quiet hours.
    * marketing: best hour of ``target_local_date`` (buyer-local day), or of
      the first local day from ``earliest`` that still has a sendable hour.
    * conversation: first hour within ``earliest + deadline`` (default 24 h)
      whose weight >= ``min_score`` * profile max, else the best hour there.

    Quiet hours ``[quiet_start, quiet_end)`` are buyer-local wall-clock times
    and wrap midnight when quiet_start > quiet_end; equal bounds = none.
    """

    kind: str = "marketing"
    quiet_start: time = time(21, 30)
    quiet_end: time = time(8, 30)
    target_local_date: date | None = None
    deadline: timedelta | None = None
    min_score: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in POLICY_KINDS:
            raise ValueError(f"kind must be one of {POLICY_KINDS}, got {self.kind!r}")
        for name in ("quiet_start", "quiet_end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"{name} must be a naive datetime.time (buyer local)")
        if self.target_local_date is not None and (
            isinstance(self.target_local_date, datetime)
            or not isinstance(self.target_local_date, date)
        ):
            raise ValueError("target_local_date must be a date")
        if self.deadline is not None and self.deadline <= timedelta(0):
            raise ValueError("deadline must be positive")
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError("min_score must be in [0, 1]")

    @property
    def effective_deadline(self) -> timedelta:
        return self.deadline if self.deadline is not None else DEFAULT_CONVERSATION_DEADLINE


@dataclass(frozen=True)
class FrequencyCap:
    """At most ``max_messages`` marketing sends in any ``window``-long span."""

    max_messages: int = 2
    window: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if self.max_messages < 1:
            raise ValueError("max_messages must be >= 1")
        if self.window <= timedelta(0):
            raise ValueError("window must be positive")


def _check_aware(dt: datetime, what: str) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


def _sorted_sends(sent_at_utc: Sequence[datetime]) -> list[datetime]:
    for s in sent_at_utc:
        _check_aware(s, "sent_at_utc entries")
    return sorted(sent_at_utc)


def _allows(cap: FrequencyCap, sends: list[datetime], candidate: datetime) -> bool:
    # Window (t - W, t]: a set of sends fits in one window iff its span < W.
    # Adding ``candidate`` violates the cap iff some ``max_messages`` sends
    # plus the candidate span less than W; the tightest such groups are runs
    # of consecutive sends around the candidate's sorted position.
    # With only past sends this is the familiar "fewer than max in the
    # trailing window (candidate - W, candidate]".
    merged = list(sends)
    pos = bisect_left(merged, candidate)
    merged.insert(pos, candidate)
    k = cap.max_messages
    for i in range(max(pos - k, 0), pos + 1):
        j = i + k
        if j < len(merged) and merged[j] - merged[i] < cap.window:
            return False
    return True


def cap_allows(cap: FrequencyCap, sent_at_utc: Sequence[datetime], candidate_utc: datetime) -> bool:
    """True if sending at ``candidate_utc`` keeps every ``cap.window``-long
    span at <= ``cap.max_messages`` sends (so the trailing window before the
    candidate holds fewer than max).  Future scheduled sends count too."""
    _check_aware(candidate_utc, "candidate_utc")
    return _allows(cap, _sorted_sends(sent_at_utc), candidate_utc)


def next_allowed_by_cap(
    cap: FrequencyCap, sent_at_utc: Sequence[datetime], candidate_utc: datetime
) -> datetime:
    """Earliest instant >= ``candidate_utc`` that ``cap_allows``.

    The allowed set only opens up when a send leaves the window, i.e. at
    ``send + window``; those instants plus the candidate are the only
    possible answers.
    """
    _check_aware(candidate_utc, "candidate_utc")
    sends = _sorted_sends(sent_at_utc)
    options = [candidate_utc] + sorted(
        s + cap.window for s in sends if s + cap.window > candidate_utc
    )
    for option in options:
        if _allows(cap, sends, option):
            return option
    raise AssertionError("unreachable: after the last send + window the cap is free")
