"""Tests for crossborder_crm.timing, plus small builders shared by them."""

from datetime import datetime, timezone

from crossborder_crm.timing import OnlineProfile

UTC = timezone.utc


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_profile(tz="Europe/Madrid", peaks=None, base=0.1, country="ES",
                 source="learned", event_count=10, days=range(7)):
    """Flat ``base`` curve with ``peaks`` = {hour: weight} on each of ``days``
    (or {(weekday, hour): weight})."""
    weights = [base] * 168
    for key, value in (peaks or {}).items():
        if isinstance(key, tuple):
            weights[key[0] * 24 + key[1]] = value
        else:
            for day in days:
                weights[day * 24 + key] = value
    return OnlineProfile(tz, country, tuple(weights), source, event_count)
