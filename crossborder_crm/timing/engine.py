"""Pick the send instant for a buyer: ``next_send_time`` and its batch form.

Slots are whole buyer-local hours.  A slot is sent at its first instant that
is (a) not before ``earliest``, (b) outside quiet hours, and (c) exists on the
local clock: normally HH:00, or ``earliest`` itself when it lies inside the
hour, or the quiet end when quiet hours end mid-hour (08:30).  An hour that is
skipped entirely by a DST gap is not a slot; a partially skipped hour
(Lord_Howe 02:00 -> 02:30) starts where the clock resumes; a repeated hour
(fall-back) is one slot covering both occurrences.

The work is arithmetic on integer microseconds with two caches: per
(zone, local date, quiet hours) the UTC intervals of each local hour, and per
profile key the ranking of hours and the text summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from .localtime import (
    DAY_US,
    HOUR_US,
    aware_us,
    day_start_us,
    time_us,
    us_to_date,
    us_to_naive,
    us_to_utc,
    zone_table,
)
from .policy import SendPolicy
from .profile import OnlineProfile, ProfileKey
from .summary import DAY_NAMES, facts, summary

__all__ = ["next_send_time", "next_send_time_explained", "next_send_times", "next_allowed_instant",
           "describe_profile", "profile_facts", "clear_caches"]

# Any instant whose local date is D lies after D 00:00 minus this (|offset| < 26 h).
_MARGIN_US = 26 * HOUR_US
_MAX_DAYS_AHEAD = 60
_ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------
# per (zone, day, quiet hours): UTC intervals of each local hour

def _allowed_in_day(qs: int, qe: int) -> tuple[tuple[int, int], ...]:
    """Non-quiet parts of a local day as (from, to) µs after midnight."""
    if qs == qe:
        return ((0, DAY_US),)
    if qs < qe:
        return tuple(iv for iv in ((0, qs), (qe, DAY_US)) if iv[0] < iv[1])
    return ((qe, qs),)


@lru_cache(maxsize=65536)
def _day_slots(tz_name: str, day: date, qs: int, qe: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """For each local hour of ``day``: sorted, non-quiet UTC intervals [a, b)."""
    table = zone_table(tz_name)
    d0 = day_start_us(day)
    d1 = d0 + DAY_US
    allowed = _allowed_in_day(qs, qe)
    slots: list[list[tuple[int, int]]] = [[] for _ in range(24)]
    for start, end, off in table.pieces(d0 - _MARGIN_US, d1 + _MARGIN_US):
        la, lb = max(start + off, d0), min(end + off, d1)
        if la >= lb:
            continue
        for x, y in allowed:
            a, b = max(la, d0 + x), min(lb, d0 + y)
            while a < b:
                hour = (a - d0) // HOUR_US
                hour_end = min(b, d0 + (hour + 1) * HOUR_US)
                slots[hour].append((a - off, hour_end - off))
                a = hour_end
    return tuple(tuple(sorted(s)) for s in slots)


def _quiet_at(time_of_day: int, qs: int, qe: int) -> bool:
    if qs == qe:
        return False
    if qs < qe:
        return qs <= time_of_day < qe
    return time_of_day >= qs or time_of_day < qe


def _slot_start(intervals: tuple[tuple[int, int], ...], earliest: int) -> int | None:
    """First instant >= earliest inside the slot's intervals, or None."""
    for a, b in intervals:
        if b > earliest:
            return a if a > earliest else earliest
    return None


# --------------------------------------------------------------------------
# per profile: ranking of hours and text summary

class _Stats:
    __slots__ = ("max_weight", "ranking", "summary", "facts")

    def __init__(self, key: ProfileKey):
        _tz_name, weights, country, source, count = key.fields
        self.max_weight = max(weights)
        self.ranking = tuple(
            tuple(sorted(range(24), key=lambda h, d=d: (-weights[d * 24 + h], h)))
            for d in range(7)
        )
        self.summary = summary(weights, country, source, count)
        self.facts = facts(weights, country, source, count)


@lru_cache(maxsize=65536)
def _stats(key: ProfileKey) -> _Stats:
    return _Stats(key)


def describe_profile(profile: OnlineProfile) -> str:
    """Seller-facing one-liner, e.g. "learned from 14 events: most active ..."."""
    return _stats(profile.key).summary


def profile_facts(profile: OnlineProfile) -> dict:
    """The profile's summary as plain data (source, event count, peak weekdays and hours)."""
    return dict(_stats(profile.key).facts)


def clear_caches() -> None:
    """Drop the engine's memo tables (tests / long-running workers)."""
    _day_slots.cache_clear()
    _stats.cache_clear()


# --------------------------------------------------------------------------
# formatting helpers

def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def _fmt_day(day: date) -> str:
    return f"{DAY_NAMES[day.weekday()]} {day.isoformat()}"


def _fmt_local(local_us: int) -> str:
    dt = us_to_naive(local_us)
    return (f"{DAY_NAMES[dt.weekday()]} {dt.year:04d}-{dt.month:02d}-{dt.day:02d} "
            f"{dt.hour:02d}:{dt.minute:02d}")


def _fmt_span(td: timedelta) -> str:
    hours = td.total_seconds() / 3600
    return f"{hours:g}h"


# --------------------------------------------------------------------------
# the three policies; each returns (utc_us, reason, weight_index or None)

def _first_allowed(tz_name: str, qs: int, qe: int, earliest: int, start_day: date) -> int:
    """First non-quiet instant >= earliest (searching local days from start_day)."""
    best = None
    day = start_day
    for _ in range(_MAX_DAYS_AHEAD):
        if best is not None and day_start_us(day) - _MARGIN_US > best:
            break
        for intervals in _day_slots(tz_name, day, qs, qe):
            c = _slot_start(intervals, earliest)
            if c is not None and (best is None or c < best):
                best = c
        day += _ONE_DAY
    if best is None:
        raise ValueError(f"no sendable instant within {_MAX_DAYS_AHEAD} days in {tz_name}")
    return best


def _next_allowed(tz_name: str, qs: int, qe: int, earliest: int, earliest_local: int) -> int:
    """``earliest`` itself when outside quiet hours, else the first non-quiet instant after it."""
    if not _quiet_at(earliest_local % DAY_US, qs, qe):
        return earliest
    return _first_allowed(tz_name, qs, qe, earliest, us_to_date(earliest_local) - _ONE_DAY)


def next_allowed_instant(earliest_utc: datetime, tz_name: str, quiet_start: time, quiet_end: time) -> datetime:
    """First instant >= ``earliest_utc`` outside the quiet hours in ``tz_name`` (itself when outside them)."""
    earliest = aware_us(earliest_utc)
    local = earliest + zone_table(tz_name).offset_at(earliest)
    c = _next_allowed(tz_name, time_us(quiet_start), time_us(quiet_end), earliest, local)
    return earliest_utc.astimezone(timezone.utc) if c == earliest else us_to_utc(c)


def _best_on_day(tz_name: str, day: date, qs: int, qe: int, earliest: int, ranking):
    slots = _day_slots(tz_name, day, qs, qe)
    for hour in ranking[day.weekday()]:
        c = _slot_start(slots[hour], earliest)
        if c is not None:
            return c, hour
    return None


def _marketing(profile, stats, policy, qs, qe, earliest, earliest_day):
    tz = profile.timezone
    w = profile.weights
    target = policy.target_local_date
    if target is not None:
        found = _best_on_day(tz, target, qs, qe, earliest, stats.ranking)
        if found is not None:
            c, hour = found
            idx = target.weekday() * 24 + hour
            why = f"best hour on target day {_fmt_day(target)}: {hour:02d}:00 (score {w[idx]:.2f})"
            return c, why, "marketing_target_day"
        day = max(target + _ONE_DAY, earliest_day)
        prefix = (
            f"target day {_fmt_day(target)} has no sendable hour left "
            f"(already past, quiet hours {_hhmm(policy.quiet_start)}–"
            f"{_hhmm(policy.quiet_end)} or skipped by a clock change), moved to the next day;"
        )
    else:
        day = earliest_day
        prefix = None
    for _ in range(_MAX_DAYS_AHEAD):
        found = _best_on_day(tz, day, qs, qe, earliest, stats.ranking)
        if found is not None:
            c, hour = found
            idx = day.weekday() * 24 + hour
            best = f"best hour on {_fmt_day(day)}: {hour:02d}:00 (score {w[idx]:.2f})"
            if prefix:
                return c, f"{prefix} {best}", "marketing_target_moved"
            return c, best, "marketing_best_hour"
        day += _ONE_DAY
    raise ValueError(f"no sendable hour within {_MAX_DAYS_AHEAD} days in {tz}")


def _conversation(profile, stats, policy, qs, qe, earliest, earliest_day):
    tz = profile.timezone
    w = profile.weights
    span = policy.effective_deadline
    limit = earliest + span // timedelta(microseconds=1)
    threshold = policy.min_score * stats.max_weight
    candidates = []
    day = earliest_day - _ONE_DAY
    while day_start_us(day) - _MARGIN_US <= limit:
        slots = _day_slots(tz, day, qs, qe)
        base = day.weekday() * 24
        for hour in range(24):
            c = _slot_start(slots[hour], earliest)
            if c is not None and c <= limit:
                candidates.append((c, base + hour))
        day += _ONE_DAY
    window = _fmt_span(span)
    if not candidates:
        c = _first_allowed(tz, qs, qe, earliest, earliest_day - _ONE_DAY)
        local = c + zone_table(tz).offset_at(c)
        return c, (
            f"conversation: the whole {window} window is in quiet hours "
            f"({_hhmm(policy.quiet_start)}–{_hhmm(policy.quiet_end)}), "
            f"held until {us_to_naive(local):%H:%M} local"
        ), "conversation_all_quiet"
    candidates.sort()
    for c, idx in candidates:
        if w[idx] >= threshold:
            return c, (
                f"conversation: first likely-online hour within {window} "
                f"(score {w[idx]:.2f} >= {threshold:.2f})"
            ), "conversation_first_online"
    c, idx = min(candidates, key=lambda ci: (-w[ci[1]], ci[0]))
    return c, (
        f"conversation: no hour within {window} reaches {threshold:.2f}, "
        f"best hour in the window (score {w[idx]:.2f})"
    ), "conversation_best_in_window"


def next_send_time(
    profile: OnlineProfile, policy: SendPolicy, earliest_utc: datetime
) -> tuple[datetime, str]:
    """Aware UTC instant >= ``earliest_utc`` to send at, and why (for sellers)."""
    when, why, _data = next_send_time_explained(profile, policy, earliest_utc)
    return when, why


def next_send_time_explained(
    profile: OnlineProfile, policy: SendPolicy, earliest_utc: datetime
) -> tuple[datetime, str, dict]:
    """``next_send_time`` plus the reason as data: a code and its parameters, for any language."""
    earliest = aware_us(earliest_utc)
    tz = profile.timezone
    table = zone_table(tz)
    qs, qe = time_us(policy.quiet_start), time_us(policy.quiet_end)
    earliest_local = earliest + table.offset_at(earliest)
    earliest_day = us_to_date(earliest_local)

    if policy.kind == "transactional":
        c = _next_allowed(tz, qs, qe, earliest, earliest_local)
        quiet = f"quiet hours {_hhmm(policy.quiet_start)}–{_hhmm(policy.quiet_end)}"
        code = "transactional_now" if c == earliest else "transactional_held"
        facts = None
        if c == earliest:
            reason = (
                f"transactional: sending now ({us_to_naive(earliest_local):%H:%M} local, "
                f"outside {quiet})"
            )
        else:
            held = us_to_naive(c + table.offset_at(c))
            reason = (
                f"transactional: now is {us_to_naive(earliest_local):%H:%M} local "
                f"({quiet}), held until {held:%H:%M}"
            )
    else:
        stats = _stats(profile.key)
        handler = _marketing if policy.kind == "marketing" else _conversation
        c, why, code = handler(profile, stats, policy, qs, qe, earliest, earliest_day)
        label = "marketing: " if policy.kind == "marketing" else ""
        reason = f"{stats.summary}; {label}{why}"
        facts = dict(stats.facts)

    local = c + table.offset_at(c)
    when = _fmt_local(local)
    result = earliest_utc.astimezone(timezone.utc) if c == earliest else us_to_utc(c)
    data = {"code": code, "kind": policy.kind, "local": f"{us_to_naive(local):%Y-%m-%dT%H:%M}", "tz": tz,
            "quiet": [_hhmm(policy.quiet_start), _hhmm(policy.quiet_end)]}
    if facts is not None:
        data["profile"] = facts
    if policy.kind == "conversation":
        data["deadline_hours"] = round(policy.effective_deadline.total_seconds() / 3600, 2)
    if policy.target_local_date is not None:
        data["target_date"] = policy.target_local_date.isoformat()
    return result, f"{reason}; sending {when} {tz}", data


def next_send_times(
    items: Iterable[tuple[OnlineProfile, SendPolicy, datetime]],
) -> list[tuple[datetime, str]]:
    """``next_send_time`` for many rows, computed once per distinct
    (profile.key, policy, earliest).  Rows sharing the same profile and policy
    objects short-circuit on object identity before any value hashing."""
    by_identity: dict = {}
    by_value: dict = {}
    keep_alive: list = []  # ids stay unique while the objects live
    out: list[tuple[datetime, str]] = []
    append = out.append
    for profile, policy, earliest in items:
        ident = (id(profile), id(policy), earliest)
        result = by_identity.get(ident)
        if result is None:
            value_key = (profile.key, policy, earliest)
            result = by_value.get(value_key)
            if result is None:
                result = by_value[value_key] = next_send_time(profile, policy, earliest)
            by_identity[ident] = result
            keep_alive.append((profile, policy))
        append(result)
    return out
