"""A likely-online profile described: its peak weekdays and hours, as a line of text and as data."""
from __future__ import annotations

from .priors import weekend_days

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_PART_OF_DAY = (
    (6, "night"), (12, "morning"), (14, "lunchtime"),
    (18, "afternoon"), (23, "evening"), (24, "late evening"),
)


def _part_of_day(hour: int) -> str:
    for end, name in _PART_OF_DAY:
        if hour < end:
            return name
    return "night"


def _peak_span(weights: tuple[float, ...]) -> tuple[int, list[int], int, int]:
    """(peak weekday, the run of weekdays as strong at that hour, first hour, hour after last)."""
    top = max(weights)
    day, hour = divmod(weights.index(top), 24)
    days = [day]
    while len(days) < 7 and weights[((days[-1] + 1) % 7) * 24 + hour] >= 0.95 * top:
        days.append((days[-1] + 1) % 7)
    while len(days) < 7 and weights[((days[0] - 1) % 7) * 24 + hour] >= 0.95 * top:
        days.insert(0, (days[0] - 1) % 7)
    lo = hi = hour
    while lo > 0 and weights[day * 24 + lo - 1] >= 0.9 * top:
        lo -= 1
    while hi < 23 and weights[day * 24 + hi + 1] >= 0.9 * top:
        hi += 1
    return day, days, lo, hi + 1


def _peak(weights: tuple[float, ...]) -> tuple[int, str, str]:
    """(peak weekday, 'Tue–Thu', '20:00–22:00') around the strongest hour."""
    day, days, lo, end = _peak_span(weights)
    if len(days) == 7:
        days_txt = "every day"
    elif len(days) == 1:
        days_txt = DAY_NAMES[day]
    else:
        days_txt = f"{DAY_NAMES[days[0]]}–{DAY_NAMES[days[-1]]}"
    return day, days_txt, f"{lo:02d}:00–{end % 24:02d}:00"


def summary(weights, country: str, source: str, count: int) -> str:
    """Seller-facing one-liner for a profile's weights: where the pattern comes from and its peak."""
    if max(weights) <= 0.0:
        pattern = "no activity pattern (all hours equal)"
        return f"learned from {count} events: {pattern}" if source == "learned" else pattern
    day, days_txt, hours_txt = _peak(weights)
    if source == "learned":
        noun = "event" if count == 1 else "events"
        return f"learned from {count} {noun}: most active {days_txt} {hours_txt} local"
    daytype = "weekend" if day in weekend_days(country) else "weekday"
    label = "country default" if source == "country_default" else "seller default"
    peak_hour = int(hours_txt[:2])
    return (
        f"{label} for {country}: {daytype} {_part_of_day(peak_hour)} "
        f"(peak {days_txt} {hours_txt} local)"
    )


def facts(weights, country: str, source: str, count: int) -> dict:
    """The summary as data: where the pattern comes from and its peak (weekdays 0=Mon, hours)."""
    facts = {"source": source, "events": count, "country": country}
    if max(weights) <= 0.0:
        return {**facts, "flat": True}
    day, days, lo, end = _peak_span(weights)
    return {**facts, "peak_days": days, "peak_hours": [lo, end], "weekend": day in weekend_days(country)}
