"""Option lists for the forms: countries named and sorted in the panel language, IANA time zones
with their offset now.

Sorting: PyICU is not installed, so countries are sorted by their name with accents and case
folded away (Åland under A, Réunion under R, Türkiye under T). That is right for Latin-script
languages; for Chinese (no pinyin collation data without ICU) they are sorted by country code.
"""
from __future__ import annotations

import functools
from datetime import datetime

import pycountry
import pytz

from crossborder_crm.buyers.search_text import fold
from crossborder_crm.panel.formatting import ui_locale


@functools.cache
def _country_codes() -> tuple[str, ...]:
    return tuple(sorted(c.alpha_2 for c in pycountry.countries))


def _latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in fold(text))


def country_choices() -> list[tuple[str, str]]:
    """(code, "Spain (ES)") for every ISO 3166-1 country, in the panel language's order."""
    names = ui_locale().territories
    options = [(code, f"{names.get(code, code)} ({code})") for code in _country_codes()]
    if all(_latin(names.get(code, code)) for code, _label in options[:20]):
        options.sort(key=lambda o: (fold(names.get(o[0], o[0])), o[0]))
    return options


def _offset(zone: str, now: datetime) -> str:
    raw = now.astimezone(pytz.timezone(zone)).strftime("%z")
    return f"UTC{raw[:3]}:{raw[3:]}"


def timezone_choices(now: datetime) -> list[tuple[str, str]]:
    """(zone, "Europe/Madrid (UTC+01:00)") for the IANA zones people pick from (pytz's common list)."""
    return [(zone, f"{zone.replace('_', ' ')} ({_offset(zone, now)})") for zone in pytz.common_timezones]
