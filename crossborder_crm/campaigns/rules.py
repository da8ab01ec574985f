"""Date rules for days the `holidays` package lacks: each maps a year to that year's date.

Pure functions of the Gregorian calendar; Western (Gregorian) Easter from dateutil, a dependency
of `holidays`.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from dateutil.easter import EASTER_WESTERN, easter

Rule = Callable[[int], date]
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` of the month (n=1 first, n=-1 last)."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + month // 12, month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7 + 7 * (-n - 1))


def fixed(month: int, day: int) -> Rule:
    """The same day every year."""
    return lambda year: date(year, month, day)


def nth(month: int, weekday: int, n: int) -> Rule:
    """The n-th weekday of a month every year (n=-1 for the last)."""
    return lambda year: nth_weekday(year, month, weekday, n)


def easter_plus(days: int) -> Rule:
    """A day a fixed number of days from Western Easter Sunday."""
    return lambda year: easter(year, EASTER_WESTERN) + timedelta(days=days)


def after(rule: Rule, days: int) -> Rule:
    """Another rule's date moved by a number of days."""
    return lambda year: rule(year) + timedelta(days=days)


def thanksgiving_us(year: int) -> date:
    """US Thanksgiving: the fourth Thursday of November."""
    return nth_weekday(year, 11, THU, 4)


def fete_des_meres(year: int) -> date:
    """France: last Sunday of May, moved to the first Sunday of June when that is Pentecost.

    Code de l'action sociale et des familles, art. D215-1 (law of 24 May 1950).
    """
    last_may = nth_weekday(year, 5, SUN, -1)
    pentecost = easter(year, EASTER_WESTERN) + timedelta(days=49)
    return nth_weekday(year, 6, SUN, 1) if last_may == pentecost else last_may
