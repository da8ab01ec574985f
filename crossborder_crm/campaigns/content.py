"""A campaign's words for one buyer: the version in their language, its placeholders filled in
their locale's formats. Pure functions over plain data."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from babel.dates import format_date, format_time
from babel.numbers import get_territory_currencies

from crossborder_crm.campaigns.definition import PLACEHOLDER, PLACEHOLDERS
from crossborder_crm.i18n.email_format import local_date, money
from crossborder_crm.i18n.emails import babel_locale
from crossborder_crm.i18n.translator import primary_language


def version_for(versions: Mapping[str, dict], source: str, locale: str) -> str:
    """The version key a buyer reading `locale` gets: the same tag, else the same language, else the source."""
    if locale in versions:
        return locale
    primary = primary_language(locale)
    same = sorted(k for k in versions if primary_language(k) == primary)
    return same[0] if same else source


def uses(versions: Mapping[str, dict]) -> frozenset[str]:
    """Every placeholder any version uses (only those are computed per buyer)."""
    return frozenset(name for v in versions.values() for part in (v["subject"], v["body"])
                     for name in PLACEHOLDER.findall(part))


@functools.lru_cache(maxsize=512)
def currency_for(country: str, offered: tuple[str, ...]) -> str | None:
    """The buyer's country's currency when the product has a price in it, else the first price's."""
    try:
        local = get_territory_currencies(country)
    except Exception:  # noqa: BLE001 - an unknown territory simply has no local currency
        local = []
    return next((c for c in local if c in offered), offered[0] if offered else None)


@functools.lru_cache(maxsize=4096)
def local_datetime(value: datetime, locale: str) -> str:
    """A local wall-clock time as the buyer's locale writes it: a medium date and a short time (no seconds),
    joined the locale's way."""
    loc = babel_locale(locale)
    joined = str(loc.datetime_formats["medium"])
    return joined.format(format_time(value, "short", locale=loc), format_date(value, "medium", locale=loc))


@dataclass(frozen=True)
class Facts:
    """What the placeholders may say, campaign-wide; per-buyer values come with each fill."""

    shop: str
    product: dict | None = None
    offer: dict | None = None
    holiday_name: str = ""


@functools.lru_cache(maxsize=4096)
def _price(prices: tuple[tuple[str, int], ...], country: str, locale: str) -> str:
    currency = currency_for(country, tuple(c for c, _ in prices))
    return money(dict(prices)[currency], currency, locale) if currency else ""


def values(facts: Facts, wanted: frozenset[str], *, name: str, country: str, locale: str,
           ends_local: datetime | None = None, holiday_date: str | None = None, pick: str = "") -> dict[str, str]:
    """The placeholders `wanted` for one buyer."""
    out: dict[str, str] = {}
    product, offer = facts.product or {}, facts.offer or {}
    for key in wanted:
        if key == "name":
            out[key] = name
        elif key == "shop":
            out[key] = facts.shop
        elif key == "product":
            out[key] = product.get("name") or ""
        elif key == "product_url":
            out[key] = product.get("url") or ""
        elif key == "price":
            out[key] = _price(tuple((product.get("prices") or {}).items()), country, locale)
        elif key in ("discount", "coupon"):
            out[key] = offer.get(key) or ""
        elif key == "ends":
            out[key] = local_datetime(ends_local, locale) if ends_local else ""
        elif key == "holiday":
            out[key] = facts.holiday_name
        elif key == "holiday_date":
            out[key] = local_date(holiday_date, locale) if holiday_date else ""
        elif key == "pick":
            out[key] = pick or product.get("name") or ""
    return out


def fill(text: str, filled: Mapping[str, str]) -> str:
    """Replace each known {placeholder}; anything else in braces stays as written."""
    return PLACEHOLDER.sub(lambda m: filled.get(m.group(1), m.group(0)) if m.group(1) in PLACEHOLDERS
                           else m.group(0), text)
