"""Default "likely online" curves per country (168 values, buyer local time).

Index = weekday * 24 + hour, Monday = 0.  Values are probabilities-ish in
[0, 1] with the peak at 1.0.

Base shape: weekdays peak 19-22 h with a lunch bump at 12-13 h and near-zero
nights; weekends are broad daytime 10-22 h.  A small table adjusts this per
country (hour shift for late/early evenings, which days are the weekend).
Sellers may override with a full 168-vector per country or for "*" (all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "HOURS_PER_WEEK",
    "WEEKDAY_CURVE",
    "WEEKEND_CURVE",
    "CountryAdjustment",
    "COUNTRY_ADJUSTMENTS",
    "country_adjustment",
    "weekend_days",
    "country_prior",
    "prior_source",
    "validate_curve",
]

HOURS_PER_WEEK = 168

#                h:  0     1     2     3     4     5     6     7     8     9    10    11
WEEKDAY_CURVE = (0.06, 0.03, 0.02, 0.02, 0.02, 0.03, 0.08, 0.18, 0.25, 0.28, 0.30, 0.35,
                 # 12   13    14    15    16    17    18    19    20    21    22    23
                 0.55, 0.55, 0.35, 0.30, 0.32, 0.40, 0.60, 0.90, 1.00, 1.00, 0.85, 0.45)
WEEKEND_CURVE = (0.10, 0.05, 0.03, 0.02, 0.02, 0.02, 0.04, 0.08, 0.15, 0.35, 0.60, 0.70,
                 0.75, 0.75, 0.70, 0.70, 0.70, 0.75, 0.80, 0.85, 0.88, 0.85, 0.70, 0.40)

SAT_SUN = (5, 6)
FRI_SAT = (4, 5)


@dataclass(frozen=True)
class CountryAdjustment:
    shift_hours: int = 0  # +1 = everything one hour later in the day
    weekend: tuple[int, ...] = SAT_SUN


_DEFAULT = CountryAdjustment()

# Deliberately small; sellers refine with overrides, and learn_country_curves
# replaces a prior once a country has enough buyers.
COUNTRY_ADJUSTMENTS: dict[str, CountryAdjustment] = {
    # late evenings
    "ES": CountryAdjustment(shift_hours=1),
    "AR": CountryAdjustment(shift_hours=2),
    "UY": CountryAdjustment(shift_hours=1),
    "CL": CountryAdjustment(shift_hours=1),
    "GR": CountryAdjustment(shift_hours=1),
    "IT": CountryAdjustment(shift_hours=1),
    # earlier evenings
    "JP": CountryAdjustment(shift_hours=-1),
    "KR": CountryAdjustment(shift_hours=-1),
    "CN": CountryAdjustment(shift_hours=-1),
    "TW": CountryAdjustment(shift_hours=-1),
    # Friday-Saturday weekend (the UAE moved to Saturday-Sunday in 2022)
    "SA": CountryAdjustment(shift_hours=1, weekend=FRI_SAT),
    "QA": CountryAdjustment(shift_hours=1, weekend=FRI_SAT),
    "KW": CountryAdjustment(shift_hours=1, weekend=FRI_SAT),
    "BH": CountryAdjustment(shift_hours=1, weekend=FRI_SAT),
    "OM": CountryAdjustment(shift_hours=1, weekend=FRI_SAT),
    "JO": CountryAdjustment(weekend=FRI_SAT),
    "EG": CountryAdjustment(weekend=FRI_SAT),
    "IQ": CountryAdjustment(weekend=FRI_SAT),
    "IL": CountryAdjustment(weekend=FRI_SAT),
    "DZ": CountryAdjustment(weekend=FRI_SAT),
    "AE": CountryAdjustment(shift_hours=1),
}


def country_adjustment(country: str) -> CountryAdjustment:
    return COUNTRY_ADJUSTMENTS.get((country or "").upper(), _DEFAULT)


def weekend_days(country: str) -> tuple[int, ...]:
    """Weekdays (Monday = 0) treated as the weekend for ``country``."""
    return country_adjustment(country).weekend


def validate_curve(values: Sequence[float], what: str = "curve") -> tuple[float, ...]:
    curve = tuple(float(v) for v in values)
    if len(curve) != HOURS_PER_WEEK:
        raise ValueError(f"{what} must have {HOURS_PER_WEEK} values, got {len(curve)}")
    for v in curve:
        if not 0.0 <= v <= 1.0:  # also rejects NaN
            raise ValueError(f"{what} values must be in [0, 1], got {v!r}")
    return curve


@lru_cache(maxsize=None)
def _builtin_prior(country: str) -> tuple[float, ...]:
    adj = country_adjustment(country)
    out: list[float] = []
    for day in range(7):
        base = WEEKEND_CURVE if day in adj.weekend else WEEKDAY_CURVE
        out.extend(base[(hour - adj.shift_hours) % 24] for hour in range(24))
    return tuple(out)


def _override_for(country: str, overrides: Mapping[str, Sequence[float]] | None):
    if not overrides:
        return None
    wanted = (country or "").upper()
    for key, curve in overrides.items():
        if key.upper() == wanted:
            return key, curve
    if "*" in overrides:
        return "*", overrides["*"]
    return None


def prior_source(country: str, overrides: Mapping[str, Sequence[float]] | None = None) -> str:
    """"seller_default" if a seller override applies, else "country_default"."""
    return "seller_default" if _override_for(country, overrides) else "country_default"


def country_prior(
    country: str, overrides: Mapping[str, Sequence[float]] | None = None
) -> tuple[float, ...]:
    """Default 168-value curve for ``country``.

    A seller override for the country wins over a "*" override, which wins
    over the built-in table.  Unknown countries get the base shape.
    """
    found = _override_for(country, overrides)
    if found is not None:
        key, curve = found
        return validate_curve(curve, f"override for {key!r}")
    return _builtin_prior((country or "").upper())
