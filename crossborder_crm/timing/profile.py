"""Likely-online profiles: a 168-hour curve in the buyer's local time.

``learn_profile`` turns a buyer's activity events into a curve:

1. each event is converted to the buyer's local weekday/hour (pytz data);
2. it weighs ``KIND_WEIGHTS[kind] * 0.5 ** (age_days / half_life_days)``;
3. it is spread so a single event never decides on its own: 60 % on its own
   day and 40 % shared by the *similar* days (the other weekdays, or the
   other weekend day, per the country's weekend), each with an hour kernel
   of 0.25 / 0.5 / 0.25 over h-1, h, h+1 (wrapping across the week);
4. the histogram, scaled to peak 1, is blended with the prior curve as a
   pseudo-count: ``(prior_strength * prior + mass * observed) /
   (prior_strength + mass)`` where ``mass`` is the summed event weight.
   So ``prior_strength=8`` means the prior is worth eight fresh clicks/orders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

from .localtime import DAY_US, HOUR_US, aware_us, zone_table
from .priors import (
    HOURS_PER_WEEK,
    country_prior,
    prior_source,
    validate_curve,
    weekend_days,
)

__all__ = [
    "KIND_WEIGHTS",
    "SOURCES",
    "ActivityEvent",
    "OnlineProfile",
    "ProfileKey",
    "default_profile",
    "learn_profile",
    "learn_country_curves",
]

KIND_WEIGHTS: dict[str, float] = {
    "order_placed": 1.0,
    "message_received": 1.0,
    "email_click": 0.8,
    "visit": 0.6,
    "email_open": 0.4,
}
SOURCES = ("learned", "country_default", "seller_default")

HOUR_KERNEL = ((-1, 0.25), (0, 0.5), (1, 0.25))
OWN_DAY_SHARE = 0.6
_DAY_US_PER_WEEK = 7 * DAY_US
# 1970-01-01 was a Thursday (weekday 3).
_EPOCH_WEEKDAY = 3


@dataclass(frozen=True)
class ActivityEvent:
    at_utc: datetime  # timezone-aware
    kind: str


class ProfileKey:
    """Hashable identity of a profile's output-relevant data, hash cached.

    Covers the zone and curve (what the send time depends on) plus country,
    source and event count (which the seller-facing explanation mentions).
    """

    __slots__ = ("fields", "_hash")

    def __init__(self, fields: tuple):
        self.fields = fields
        self._hash = hash(fields)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, ProfileKey):
            return NotImplemented
        return self._hash == other._hash and self.fields == other.fields

    def __repr__(self) -> str:
        tz, _weights, country, source, count = self.fields
        return f"ProfileKey({tz!r}, {country!r}, {source!r}, {count}, <168 weights>)"


@dataclass(frozen=True)
class OnlineProfile:
    timezone: str
    country: str
    weights: tuple[float, ...]
    source: str = "country_default"
    event_count: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", validate_curve(self.weights, "weights"))
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, got {self.source!r}")
        if self.event_count < 0:
            raise ValueError("event_count must be >= 0")
        zone_table(self.timezone)  # raises pytz.UnknownTimeZoneError early

    @cached_property
    def key(self) -> ProfileKey:
        return ProfileKey(
            (self.timezone, self.weights, self.country, self.source, self.event_count)
        )


@lru_cache(maxsize=4096)
def _default_profile(country: str, tz_name: str) -> OnlineProfile:
    return OnlineProfile(tz_name, country, country_prior(country), "country_default", 0)


def default_profile(
    country: str, timezone: str, overrides: Mapping[str, Sequence[float]] | None = None
) -> OnlineProfile:
    """Profile for a buyer without events.  Shared instance when no overrides,
    so batches of default buyers hit the same cache entry."""
    if not overrides or prior_source(country, overrides) == "country_default":
        return _default_profile(country, timezone)
    return OnlineProfile(
        timezone, country, country_prior(country, overrides), "seller_default", 0
    )


def _similar_days(weekend: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    out = []
    for day in range(7):
        group = weekend if day in weekend else tuple(d for d in range(7) if d not in weekend)
        out.append(tuple(d for d in group if d != day))
    return tuple(out)


def _spread_weights(weekend: tuple[int, ...]) -> tuple[tuple[tuple[int, float], ...], ...]:
    """For each of the 168 cells: the (cell, share) pairs an event there feeds."""
    similar = _similar_days(weekend)
    spreads = []
    for day in range(7):
        others = similar[day]
        day_shares = [(day, OWN_DAY_SHARE if others else 1.0)]
        if others:
            day_shares += [(d, (1.0 - OWN_DAY_SHARE) / len(others)) for d in others]
        for hour in range(24):
            cells: dict[int, float] = {}
            for d, day_share in day_shares:
                for dh, k in HOUR_KERNEL:
                    idx = (d * 24 + hour + dh) % HOURS_PER_WEEK
                    cells[idx] = cells.get(idx, 0.0) + day_share * k
            spreads.append(tuple(cells.items()))
    return tuple(spreads)


_spread_cache: dict[tuple[int, ...], tuple] = {}


def _spread_for(country: str):
    weekend = weekend_days(country)
    spread = _spread_cache.get(weekend)
    if spread is None:
        spread = _spread_cache[weekend] = _spread_weights(weekend)
    return spread


def _accumulate(
    hist: list[float],
    timezone: str,
    events: Sequence[ActivityEvent],
    now_us: int,
    half_life_days: float,
    spread,
    kind_weights: Mapping[str, float],
) -> tuple[float, int]:
    """Add decayed, spread events into ``hist``; return (mass, counted)."""
    if not half_life_days > 0:
        raise ValueError("half_life_days must be > 0")
    table = zone_table(timezone)
    half_life_us = half_life_days * DAY_US
    mass = 0.0
    counted = 0
    for event in events:
        base = kind_weights.get(event.kind, 0.0)
        if base <= 0.0:
            continue
        at = aware_us(event.at_utc)
        age = max(now_us - at, 0)
        weight = base * 0.5 ** (age / half_life_us)
        local = at + table.offset_at(at)
        day = (local // DAY_US + _EPOCH_WEEKDAY) % 7
        hour = (local % DAY_US) // HOUR_US
        for idx, share in spread[day * 24 + hour]:
            hist[idx] += weight * share
        mass += weight
        counted += 1
    return mass, counted


def learn_profile(
    country: str,
    timezone: str,
    events: Sequence[ActivityEvent],
    now_utc: datetime,
    prior: Sequence[float] | None = None,
    half_life_days: float = 60.0,
    prior_strength: float = 8.0,
    *,
    overrides: Mapping[str, Sequence[float]] | None = None,
    kind_weights: Mapping[str, float] = KIND_WEIGHTS,
) -> OnlineProfile:
    """Blend a buyer's events with the prior (see module docstring).

    ``prior`` defaults to ``country_prior(country, overrides)``.  Unknown event
    kinds weigh 0.  Without (usable) events the prior is returned unchanged
    with source "country_default" (or "seller_default" when a seller override
    supplied it).
    """
    if prior is None:
        prior_curve = country_prior(country, overrides)
        empty_source = prior_source(country, overrides)
    else:
        prior_curve = validate_curve(prior, "prior")
        empty_source = "country_default"
    if prior_strength < 0:
        raise ValueError("prior_strength must be >= 0")
    hist = [0.0] * HOURS_PER_WEEK
    mass, counted = _accumulate(
        hist, timezone, events, aware_us(now_utc), half_life_days,
        _spread_for(country), kind_weights,
    )
    if counted == 0 or mass <= 0.0:
        return OnlineProfile(timezone, country, prior_curve, empty_source, 0)
    top = max(hist)
    total = prior_strength + mass
    weights = tuple(
        min(1.0, (prior_strength * p + mass * (h / top)) / total)
        for p, h in zip(prior_curve, hist)
    )
    return OnlineProfile(timezone, country, weights, "learned", counted)


def learn_country_curves(
    events_by_country: Mapping[str, Sequence[tuple[str, Sequence[ActivityEvent]]]],
    now_utc: datetime,
    min_buyers: int = 30,
    min_events: int = 200,
    *,
    half_life_days: float = 60.0,
    kind_weights: Mapping[str, float] = KIND_WEIGHTS,
) -> dict[str, tuple[float, ...]]:
    """Learned curve per country from all its buyers' events.

    ``events_by_country[country]`` is a sequence of ``(buyer_timezone,
    events)``; each buyer's events are placed in their own local time and the
    buyer's histogram is normalised to total 1 so a few very active buyers do
    not define the country.  Countries with fewer than ``min_buyers`` buyers
    having events, or fewer than ``min_events`` usable events, are absent
    (the caller keeps the prior).  Curves peak at 1.0.
    """
    now_us = aware_us(now_utc)
    out: dict[str, tuple[float, ...]] = {}
    for country, buyers in events_by_country.items():
        spread = _spread_for(country)
        total = [0.0] * HOURS_PER_WEEK
        n_buyers = n_events = 0
        for tz_name, events in buyers:
            hist = [0.0] * HOURS_PER_WEEK
            mass, counted = _accumulate(
                hist, tz_name, events, now_us, half_life_days, spread, kind_weights
            )
            if counted == 0 or mass <= 0.0:
                continue
            n_buyers += 1
            n_events += counted
            scale = 1.0 / mass
            for i, v in enumerate(hist):
                total[i] += v * scale
        if n_buyers < min_buyers or n_events < min_events:
            continue
        top = max(total)
        out[country] = tuple(v / top for v in total)
    return out
