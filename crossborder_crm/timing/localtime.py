"""DST-safe conversions between a buyer's local wall-clock time and UTC.

Everything here is pure: callers pass instants in, nothing reads the clock.

Resolution rules (used by the timing engine *and* by the API when a seller
gives ``{"local": "YYYY-MM-DDTHH:MM"}`` as send_at):

* **Non-existent local time** (spring-forward gap): moves FORWARD to the first
  instant after the gap, i.e. the transition instant itself.  Europe/London
  jumps 01:00 -> 02:00 on 2024-03-31, so ``01:30`` resolves to ``02:00 BST``
  (01:00 UTC).  It is *not* shifted by the gap length (that would give
  02:30).  Australia/Lord_Howe's 30-minute gap (02:00 -> 02:30) turns 02:10
  into 02:30; the skipped day Pacific/Apia 2011-12-30 resolves to
  2011-12-31 00:00 (+14).
* **Ambiguous local time** (fall-back overlap): the FIRST occurrence, i.e. the
  earlier UTC instant (normally the DST side).  Europe/London 2024-10-27
  ``01:30`` resolves to 00:30 UTC (BST), not 01:30 UTC (GMT).
* **Quiet hours** are a local wall-clock window ``[quiet_start, quiet_end)``;
  if ``quiet_start > quiet_end`` the window wraps midnight, if they are equal
  there are no quiet hours.

Internally offsets come from pytz's own transition table (the same data and
bisect that ``datetime.astimezone(pytz_zone)`` uses), held as integer
microseconds so the engine can do exact arithmetic and cache per zone.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import pytz

__all__ = [
    "get_timezone",
    "localize",
    "localize_iso",
    "to_local",
    "local_for_display",
    "in_quiet_hours",
    "utc_transitions",
]

US = 1_000_000
MINUTE_US = 60 * US
HOUR_US = 3600 * US
DAY_US = 24 * HOUR_US
# Widest UTC offset in tzdata is about +-15 h (LMT); 30 h leaves room for gaps.
_WINDOW_US = 30 * HOUR_US

_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_US = timedelta(microseconds=1)


@lru_cache(maxsize=None)
def get_timezone(tz_name: str) -> pytz.BaseTzInfo:
    """pytz zone for an IANA name (raises pytz.UnknownTimeZoneError)."""
    return pytz.timezone(tz_name)


class ZoneTable:
    """UTC transition instants and the offset valid from each, in µs."""

    __slots__ = ("name", "times", "offsets")

    def __init__(self, name: str, times: list[int], offsets: list[int]):
        self.name = name
        self.times = times
        self.offsets = offsets

    def offset_at(self, utc_us: int) -> int:
        i = bisect_right(self.times, utc_us) - 1
        return self.offsets[i if i > 0 else 0]

    def pieces(self, lo_us: int, hi_us: int):
        """(start, end, offset) runs of constant offset covering [lo, hi)."""
        times, offsets = self.times, self.offsets
        i = max(bisect_right(times, lo_us) - 1, 0)
        n = len(times)
        out = []
        while i < n and times[i] < hi_us:
            start = times[i]
            end = times[i + 1] if i + 1 < n else hi_us + DAY_US
            out.append((start, end, offsets[i]))
            i += 1
        return out


def _naive_us(dt: datetime) -> int:
    return (dt - _EPOCH) // _ONE_US


def aware_us(dt: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {dt!r}")
    return (dt - _EPOCH_UTC) // _ONE_US


def us_to_utc(us: int) -> datetime:
    return _EPOCH_UTC + timedelta(microseconds=us)


def us_to_naive(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def day_start_us(day: date) -> int:
    """Local-naive µs of 00:00 on ``day`` (same scale as ``_naive_us``)."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY_US


def us_to_date(naive_us: int) -> date:
    return date.fromordinal(naive_us // DAY_US + _EPOCH_ORDINAL)


def time_us(t: time) -> int:
    """Microseconds since midnight of a wall-clock time (tzinfo ignored)."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US + t.microsecond


@lru_cache(maxsize=None)
def zone_table(tz_name: str) -> ZoneTable:
    tz = get_timezone(tz_name)
    utc_times = getattr(tz, "_utc_transition_times", None)
    if utc_times:  # pytz DstTzInfo
        times = [_naive_us(t) for t in utc_times]
        offsets = [info[0] // _ONE_US for info in tz._transition_info]
    else:  # StaticTzInfo / UTC: one fixed offset
        times = [_naive_us(datetime.min)]
        offsets = [tz.utcoffset(datetime(2000, 1, 1)) // _ONE_US]
    return ZoneTable(tz_name, times, offsets)


def localize_us(table: ZoneTable, local_us: int) -> int:
    """UTC µs of a naive local µs, applying the gap/overlap rules above."""
    candidates = []
    gap_end = None
    prev_offset = None
    for start, end, off in table.pieces(local_us - _WINDOW_US, local_us + _WINDOW_US):
        utc = local_us - off
        if start <= utc < end:
            candidates.append(utc)
        if prev_offset is not None and start + prev_offset <= local_us < start + off:
            gap_end = start if gap_end is None else min(gap_end, start)
        prev_offset = off
    if candidates:
        return min(candidates)  # overlap: first occurrence
    if gap_end is not None:
        return gap_end  # gap: first instant after it
    raise ValueError(f"cannot resolve {us_to_naive(local_us)} in {table.name}")


def localize(naive_local: datetime, tz_name: str) -> datetime:
    """Naive local wall time in ``tz_name`` -> aware UTC datetime.

    Gaps move forward to the end of the gap; overlaps take the first
    (earlier) occurrence.  See the module docstring.
    """
    if naive_local.tzinfo is not None:
        raise ValueError("localize() takes a naive local datetime")
    return us_to_utc(localize_us(zone_table(tz_name), _naive_us(naive_local)))


def localize_iso(text: str, tz_name: str) -> datetime:
    """Parse ``"YYYY-MM-DDTHH:MM"`` (naive, buyer-local) and localize to UTC."""
    naive = datetime.fromisoformat(text)
    if naive.tzinfo is not None:
        raise ValueError("local send_at must not carry a UTC offset")
    return localize(naive, tz_name)


def to_local(utc: datetime, tz_name: str) -> datetime:
    """Aware instant -> aware local datetime in ``tz_name`` (pytz tzinfo)."""
    if utc.tzinfo is None or utc.utcoffset() is None:
        raise ValueError("to_local() takes a timezone-aware datetime")
    return utc.astimezone(get_timezone(tz_name))


def local_for_display(utc: datetime, tz_name: str) -> tuple[datetime, bool]:
    """``(local time, True)`` in ``tz_name``; ``(the instant in UTC, False)`` when that zone's
    wall time falls outside years 1-9999 (9999-12-31 20:00 UTC in Shanghai), so a stored
    far-future instant can still be shown."""
    try:
        return to_local(utc, tz_name), True
    except OverflowError:
        return utc.astimezone(timezone.utc), False


def local_naive_us(table: ZoneTable, utc_us: int) -> int:
    return utc_us + table.offset_at(utc_us)


def in_quiet_hours(local_dt: datetime | time, quiet_start: time, quiet_end: time) -> bool:
    """True if the local wall time lies in ``[quiet_start, quiet_end)``.

    Wraps midnight when ``quiet_start > quiet_end``; equal bounds = never quiet.
    """
    t = local_dt.time() if isinstance(local_dt, datetime) else local_dt.replace(tzinfo=None)
    qs, qe = quiet_start.replace(tzinfo=None), quiet_end.replace(tzinfo=None)
    if qs == qe:
        return False
    if qs < qe:
        return qs <= t < qe
    return t >= qs or t < qe


def utc_transitions(tz_name: str, start_utc: datetime, end_utc: datetime) -> list[datetime]:
    """UTC instants in [start_utc, end_utc) where the zone's offset changes."""
    table = zone_table(tz_name)
    lo, hi = aware_us(start_utc), aware_us(end_utc)
    out = []
    prev = None
    for start, _end, off in table.pieces(lo, hi):
        if prev is not None and off != prev and lo <= start < hi:
            out.append(us_to_utc(start))
        prev = off
    return out
