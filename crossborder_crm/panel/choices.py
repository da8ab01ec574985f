"""Option lists for the forms: countries named in the panel language, IANA timezones."""
from __future__ import annotations

import functools

import pycountry
import pytz

from crossborder_crm.i18n import current_locale
from crossborder_crm.panel.formatting import flag, ui_locale


@functools.cache
def _country_codes() -> tuple[str, ...]:
    return tuple(sorted(c.alpha_2 for c in pycountry.countries))


def country_choices() -> list[tuple[str, str]]:
    """(code, "🇪🇸 Spain (ES)") for every ISO 3166-1 country; by name in English, by code otherwise."""
    names = ui_locale().territories
    options = [(code, f"{flag(code)} {names.get(code, code)} ({code})") for code in _country_codes()]
    if current_locale() == "en":
        options.sort(key=lambda o: names.get(o[0], o[0]))
    return options


@functools.cache
def timezone_choices() -> tuple[str, ...]:
    """The IANA zones people pick from (pytz's common list)."""
    return tuple(pytz.common_timezones)
