"""Validation of the codes on a buyer profile: ISO country, IANA time zone, BCP 47 language tag.

Pure functions, cached on their inputs (an importer calls them for every row).
"""
from __future__ import annotations

from functools import cache, lru_cache

import pycountry
import pytz
from babel import Locale, UnknownLocaleError

from crossborder_crm.errors import N_, Reason


def _quoted(value: object) -> str:
    return f"'{value.strip() if isinstance(value, str) else value}'"


@cache
def _alpha2_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=4096)
def validate_country(value: str) -> str:
    """ISO 3166-1 alpha-2 code, upper-cased: " us" -> "US". Alpha-3 codes and names are refused."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) == 2 and code in _alpha2_codes():
        return code
    raise ValueError(Reason(N_("unknown country code %(code)s"), code=_quoted(value)))


@cache
def _timezones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in pytz.all_timezones}


@lru_cache(maxsize=4096)
def validate_timezone(value: str) -> str:
    """An IANA zone name known to pytz, in its canonical spelling ("america/chicago" -> "America/Chicago")."""
    name = value.strip() if isinstance(value, str) else ""
    if name in pytz.all_timezones_set:
        return name
    canonical = _timezones_by_lower_name().get(name.lower()) if name else None
    if canonical is not None:
        return canonical
    raise ValueError(Reason(N_("unknown time zone %(zone)s (expected an IANA name such as 'Europe/Berlin')"),
                            zone=_quoted(value)))


def locale_tag(locale: Locale) -> str:
    """BCP 47 tag of a Babel locale: language, script, territory and variant joined by "-"."""
    return "-".join(part for part in (locale.language, locale.script, locale.territory, locale.variant) if part)


@lru_cache(maxsize=4096)
def normalize_language(value: str) -> str:
    """BCP 47 tag of a locale Babel knows: "pt_BR", "pt-br" -> "pt-BR"; "zh-Hans-CN"; "en"."""
    raw = value.strip() if isinstance(value, str) else ""
    tag = raw.replace("_", "-")
    error = ValueError(Reason(N_("language %(tag)s is not a locale Babel knows"), tag=_quoted(value)))
    if not tag or tag.split("-", 1)[0].lower() in ("und", "root"):
        raise error
    try:
        locale = Locale.parse(tag, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        raise error from None
    return locale_tag(locale)
