"""The holiday calendar per country: public holidays from the `holidays` package plus shopping days.

Pure functions over plain data: no Flask, no database. A day is listed for a country only when that
country keeps it, on that country's own date.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_pkg
from hijridate import Gregorian, Hijri

from crossborder_crm.campaigns.shopping_days import (
    MARKETS,
    PUBLIC_HOLIDAY,
    SHOPPING_DAY,
    SHOPPING_DAYS,
)
from crossborder_crm.errors import N_

RAMADAN_START, EID_AL_FITR, EID_AL_ADHA = "ramadan_start", "eid_al_fitr", "eid_al_adha"
# The package names these days differently per country ("Eid al-Fitr Holiday", "Eid-ul-Fitr",
# "Day after Eid al-Adha"); one key each lets the calendar show one day with each country's date.
_ISLAMIC = (
    (EID_AL_FITR, N_("Eid al-Fitr"), re.compile(r"\bEid[- ](?:al|ul)-Fitr\b", re.IGNORECASE)),
    (EID_AL_ADHA, N_("Eid al-Adha"), re.compile(r"\bEid[- ](?:al|ul)-Adha\b", re.IGNORECASE)),
    (RAMADAN_START, N_("Start of Ramadan"), re.compile(r"\bFirst Day of Ramadan\b", re.IGNORECASE)),
)
_RAMADAN_NAME = N_("Start of Ramadan")
# Holidays that are one occasion wherever kept share a key; any other name is national and its key
# carries the country ("us_independence_day"), so the US and Indonesian independence days stay apart.
SHARED_KEYS = frozenset({
    "new_years_day", "new_years_eve", "epiphany", "good_friday", "holy_saturday", "easter_sunday",
    "easter_monday", "ascension_day", "whit_sunday", "whit_monday", "corpus_christi", "assumption_day",
    "all_saints_day", "christmas_eve", "christmas_day", "boxing_day", "lunar_new_year",
    "chinese_new_year", "international_womens_day", "islamic_new_year", "prophets_birthday",
    EID_AL_FITR, EID_AL_ADHA, RAMADAN_START,
})
_SUFFIX = re.compile(r"\s*\((?:estimated|approximated)\)$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class CountryDate:
    """One country's date for a day."""

    date: date
    country: str


@dataclass(frozen=True)
class HolidayDay:
    """A day (one occurrence a year) with every country that keeps it and each one's own date."""

    key: str
    name: str
    kind: str  # "shopping_day" or "public_holiday"
    dates: tuple[CountryDate, ...]

    @property
    def first(self) -> date:
        """The earliest country's date: the calendar sorts by it."""
        return self.dates[0].date


def slug(name: str) -> str:
    """A stable ASCII key from an English holiday name: "New Year's Day" -> "new_years_day"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower().replace("'", "")).strip("_")


@lru_cache(maxsize=2048)
def public_holidays(country: str, year: int) -> tuple[tuple[date, str], ...]:
    """(date, English name) of a country's public holidays in a year; () when the package lacks it."""
    try:
        cal = holidays_pkg.country_holidays(country, years=year, language="en_US")
    except NotImplementedError:
        return ()
    found = []
    for day, names in sorted(cal.items()):
        for name in names.split("; "):  # the package joins two holidays on one date with "; "
            # A substitute day off is not the holiday buyers celebrate: left out.
            if "observed" not in name.lower():
                found.append((day, _SUFFIX.sub("", name)))
    return tuple(found)


# (Hijri month, day) of each Islamic day in the Umm al-Qura calendar.
_HIJRI_DAY = {RAMADAN_START: (9, 1), EID_AL_FITR: (10, 1), EID_AL_ADHA: (12, 10)}


def _lunar_dates(kind: str, year: int) -> list[date]:
    """The day's Umm al-Qura dates falling in the Gregorian `year` or the next (a Hijri year is ~354 days)."""
    month, day = _HIJRI_DAY[kind]
    first = Gregorian(year, 1, 1).to_hijri().year
    found = (Hijri(h_year, month, day).to_gregorian() for h_year in range(first, first + 3))
    return [date(g.year, g.month, g.day) for g in found if year <= g.year <= year + 1]


def _pick_islamic(key: str, candidates: list[tuple[date, str]]) -> date:
    """The day itself among a country's block of days off: the plain name, else the lunar date, else the first."""
    plain = [d for d, name in candidates if name.lower() == key.replace("_", " ").replace("al ", "al-")]
    if plain:
        return plain[0]
    lunar = set(_lunar_dates(key, candidates[0][0].year))
    on_lunar = [d for d, _ in candidates if d in lunar]
    return on_lunar[0] if on_lunar else candidates[0][0]


def _ramadan_start(eid: date) -> date:
    """1 Ramadan before a country's Eid al-Fitr, moved by as many days as that Eid is from the tables."""
    lunar_eid = min(_lunar_dates(EID_AL_FITR, eid.year), key=lambda d: abs((d - eid).days))
    lunar_start = max(d for d in _lunar_dates(RAMADAN_START, eid.year - 1) if d < lunar_eid)
    return lunar_start + (eid - lunar_eid)


def country_public_days(country: str, year: int) -> dict[str, tuple[str, date]]:
    """key -> (name, date) of a country's public holidays in a year, Islamic days under one key each."""
    grouped: dict[str, list[tuple[date, str]]] = {}
    names: dict[str, str] = {}
    for day, name in public_holidays(country, year):
        key = next((k for k, _, pattern in _ISLAMIC if pattern.search(name)), None) or slug(name)
        key = key if key in SHARED_KEYS else f"{country.lower()}_{key}"
        grouped.setdefault(key, []).append((day, name))
        names.setdefault(key, next((n for k, n, _ in _ISLAMIC if k == key), name))
    days = {}
    for key, candidates in grouped.items():
        # A holiday of several days off counts once, on its first day (Islamic days: see _pick_islamic).
        picked = _pick_islamic(key, candidates) if key in (EID_AL_FITR, EID_AL_ADHA) else candidates[0][0]
        days[key] = (names[key], picked)
    if EID_AL_FITR in days and RAMADAN_START not in days:
        # Where Eid al-Fitr is a public holiday, the month before it is the season to plan for.
        days[RAMADAN_START] = (_RAMADAN_NAME, _ramadan_start(days[EID_AL_FITR][1]))
    return days


def _kind(key: str) -> str:
    return SHOPPING_DAY if key == RAMADAN_START else PUBLIC_HOLIDAY


def upcoming(from_date: date, to_date: date, countries: list[str] | tuple[str, ...] | None = None
             ) -> list[HolidayDay]:
    """Every day from `from_date` to `to_date` (inclusive) in the given countries (default MARKETS), by date."""
    wanted = tuple(dict.fromkeys(countries)) if countries is not None else MARKETS
    found: dict[tuple[str, int], dict] = {}

    def add(key: str, name: str, kind: str, country: str, day: date, year: int) -> None:
        if from_date <= day <= to_date:
            entry = found.setdefault((key, year), {"name": name, "kind": kind, "dates": {}})
            entry["dates"].setdefault(country, day)

    for year in range(from_date.year, to_date.year + 1):
        for shop in SHOPPING_DAYS:
            for country in wanted:
                rule = shop.rules.get(country)
                if rule is not None:
                    add(shop.key, shop.name, shop.kind, country, rule(year), year)
        for country in wanted:
            for key, (name, day) in country_public_days(country, year).items():
                add(key, name, _kind(key), country, day, year)
    days = [HolidayDay(key, e["name"], e["kind"],
                       tuple(sorted(CountryDate(d, c) for c, d in e["dates"].items())))
            for (key, _), e in found.items()]
    return sorted(days, key=lambda h: (h.first, h.key))


def max_window() -> timedelta:
    """The longest window the calendar answers for (400 days: a year and a margin)."""
    return timedelta(days=400)
