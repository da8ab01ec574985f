"""Template helpers that format for the panel locale: money, dates, countries, languages, local time."""
from __future__ import annotations

import functools
from datetime import datetime

import pytz
from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_datetime,
    format_skeleton,
    format_time,
    format_timedelta,
    get_timezone_location,
)
from babel.numbers import format_decimal

from crossborder_crm.i18n import current_locale
from crossborder_crm.i18n import gettext as _
from crossborder_crm.money import format_money
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import NAV
from crossborder_crm.timing.localtime import local_for_display


@functools.cache
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


def ui_locale() -> Locale:
    """The Babel locale of the current panel language."""
    return _babel_locale(current_locale())


def flag(country: str | None) -> str:
    """The flag emoji of an ISO 3166-1 alpha-2 code ('' if it is not one)."""
    if not country or len(country) != 2 or not country.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in country.upper())


def country_name(country: str | None) -> str:
    """The country's name in the panel language (the code if Babel does not know it)."""
    if not country:
        return ""
    return ui_locale().territories.get(country.upper(), country)


def language_name(tag: str | None) -> str:
    """A BCP 47 tag's name in the panel language, e.g. 'pt-BR' → 'Portuguese (Brazil)'."""
    if not tag:
        return ""
    try:
        return Locale.parse(tag.replace("-", "_")).get_display_name(ui_locale()) or tag
    except (ValueError, UnknownLocaleError):
        return tag


def money(minor: int, currency: str) -> str:
    """An amount in minor units formatted for the panel locale, e.g. €1,234.50 or ¥1,500."""
    return format_money(minor, currency, current_locale())


def number(value) -> str:
    """A number with the panel locale's separators."""
    return format_decimal(value, locale=ui_locale())


def _zone(tz_name: str | None):
    try:
        return pytz.timezone(tz_name) if tz_name else pytz.utc
    except pytz.UnknownTimeZoneError:
        return pytz.utc


def _shown(value: datetime, tz_name: str | None) -> tuple[datetime, str]:
    """The instant in the zone, or in UTC with a " UTC" suffix to add when the zone's wall time
    lies past year 9999: a stored far-future row must not take its page down."""
    local, in_zone = local_for_display(value, _zone(tz_name).zone)
    return local, "" if in_zone else " UTC"


def date(value: datetime | None, tz_name: str | None = None) -> str:
    """The calendar date of an instant in a zone (UTC by default), e.g. 'Mar 10, 2026'."""
    if value is None:
        return ""
    local, suffix = _shown(value, tz_name)
    return format_date(local.date(), "medium", locale=ui_locale()) + suffix


def datetime_in(value: datetime | None, tz_name: str | None = None) -> str:
    """An instant as date and 24-hour time in a zone, e.g. 'Mar 10, 2026, 10:00'."""
    if value is None:
        return ""
    loc = ui_locale()
    local, suffix = _shown(value, tz_name)
    pattern = loc.datetime_formats["medium"]  # e.g. "{1}, {0}": date, then time
    return pattern.format(format_time(local, "HH:mm", locale=loc),
                          format_date(local.date(), "medium", locale=loc)) + suffix


def utc_offset(value: datetime, tz_name: str) -> str:
    """'UTC+05:30' for an instant in a zone."""
    local, suffix = _shown(value, tz_name)
    raw = "" if suffix else local.strftime("%z")
    return f"UTC{raw[:3]}:{raw[3:]}" if raw else "UTC"


def local_clock(value: datetime, tz_name: str) -> str:
    """Weekday and time of an instant in a zone, e.g. 'Tue 10:00'."""
    local, suffix = _shown(value, tz_name)
    return format_datetime(local, "EEE HH:mm", locale=ui_locale()) + suffix  # keeps local's zone


def relative(value: datetime | None, now: datetime) -> str:
    """How far an instant is from now, e.g. 'in 12 days' or '3 hours ago'."""
    if value is None:
        return ""
    return format_timedelta(value - now, granularity="day", add_direction=True, locale=ui_locale())


def zone_city(tz_name: str | None) -> str:
    """The exemplar city of a zone in the panel language, e.g. 'Madrid' / '马德里'."""
    if not tz_name:
        return "UTC"
    try:
        city = get_timezone_location(_zone(tz_name), locale=ui_locale(), return_city=True)
    except (LookupError, ValueError):
        city = ""
    if not city or "/" in city:
        city = tz_name.rsplit("/", 1)[-1].replace("_", " ")
    return city


def moment(value: datetime | None, tz_name: str | None) -> str:
    """Weekday, date and 24-hour time of an instant in a zone, e.g. 'Wed, Mar 11 20:00'."""
    if value is None:
        return ""
    loc = ui_locale()
    local, suffix = _shown(value, tz_name)
    return f"{format_skeleton('MMMEd', local, locale=loc)} {format_time(local, 'HH:mm', locale=loc)}{suffix}"


def at_buyer(value: datetime, buyer_tz: str) -> str:
    """'Wed, Mar 11 20:00 in Madrid': an instant in the buyer's time, named by their city."""
    return _("%(time)s in %(city)s", time=moment(value, buyer_tz), city=zone_city(buyer_tz))


def at_seller(value: datetime, seller_tz: str) -> str:
    """'(Thu, Mar 12 03:00 your time)': the same instant in the seller's time."""
    return _("(%(time)s your time)", time=moment(value, seller_tz))


def both_times(value: datetime, buyer_tz: str, seller_tz: str) -> str:
    """'Wed, Mar 11 20:00 in Madrid (Thu, Mar 12 03:00 your time)'."""
    return f"{at_buyer(value, buyer_tz)} {at_seller(value, seller_tz)}"


def until(value: datetime, now: datetime) -> str:
    """How far ahead a moment is, to the hour, e.g. 'in 11 hours' or 'in 2 days'."""
    return format_timedelta(value - now, granularity="hour", add_direction=True, locale=ui_locale())


def html_lang() -> str:
    """The panel language as an HTML lang attribute (zh-CN, en)."""
    return current_locale().replace("_", "-")


HELPERS = {fn.__name__: fn for fn in (flag, country_name, language_name, money, number, date,
                                      datetime_in, utc_offset, local_clock, relative,
                                      zone_city, moment, at_buyer, at_seller, both_times, until)}


@bp.context_processor
def _panel_globals():
    """Panel templates (only those: e-mail templates have their own) get the helpers and the nav."""
    return {**HELPERS, "html_lang": html_lang(), "panel_nav": NAV}
