"""Dates, money and country names as the buyer reads them (Babel), for the email templates.

Each filter takes the buyer's locale as `locale`; the renderer binds it once per environment.
A value that cannot be read is printed as it came, never dropped: the mail still goes.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision

from crossborder_crm.i18n.emails import babel_locale


def local_date(value: str | date | None, locale: str) -> str:
    """An ISO date or instant as the buyer's long date ("3 December 2026", "2026年12月3日")."""
    if not value:
        return ""
    try:
        day = value if isinstance(value, date) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return format_date(day.date() if isinstance(day, datetime) else day, format="long", locale=babel_locale(locale))


def money(minor: int | None, currency: str | None, locale: str) -> str:
    """An amount in minor units ("1999", "EUR") as the buyer's locale writes it ("19,99 €")."""
    if minor is None or not currency:
        return ""
    try:
        amount = Decimal(int(minor)).scaleb(-get_currency_precision(currency))
        return format_currency(amount, currency, locale=babel_locale(locale))
    except (ValueError, TypeError, ArithmeticError):
        return f"{minor} {currency}"


def country_name(code: str | None, locale: str) -> str:
    """A country code ("BR") as the buyer's language names it ("Brasil", "ブラジル")."""
    if not code:
        return ""
    loc: Locale = babel_locale(locale)
    return loc.territories.get(str(code).upper(), str(code))


def language_name(tag: str | None, locale: str) -> str:
    """A language tag ("de", "pt-BR") as the buyer's language names it ("Deutsch", "portugués (Brasil)")."""
    if not tag:
        return ""
    try:
        return Locale.parse(str(tag).replace("-", "_")).get_display_name(babel_locale(locale)) or str(tag)
    except (ValueError, TypeError, LookupError):
        return str(tag)


FILTERS = {"local_date": local_date, "money": money, "country_name": country_name, "language_name": language_name}
