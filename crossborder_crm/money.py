"""Money as integer minor units per ISO 4217 currency; never a float."""
from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies


@functools.cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def validate_currency(code: str) -> str:
    """Upper-cased ISO 4217 code, or ValueError."""
    code = (code or "").strip().upper()
    if code not in _known_currencies():
        raise ValueError(f"unknown currency code {code!r}")
    return code


@functools.cache
def currency_digits(currency: str) -> int:
    """Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for KWD."""
    return get_currency_precision(currency)


def to_minor(amount: str | int | Decimal, currency: str) -> int:
    """Parse an amount ("19.99", 19, Decimal) into minor units; refuses negatives and excess precision."""
    if isinstance(amount, float):
        amount = repr(amount)  # the shortest repr keeps "19.99" as typed in JSON
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"not a number: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    if value < 0:
        raise ValueError("must not be negative")
    digits = currency_digits(currency)
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency} has {digits} decimal places, got {amount}")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units back to an exact Decimal."""
    return Decimal(minor).scaleb(-currency_digits(currency))


def format_money(minor: int, currency: str, locale: str) -> str:
    """Locale-formatted amount, e.g. 1.234,50 € in de-DE."""
    return format_currency(from_minor(minor, currency), currency, locale=locale.replace("-", "_"))


def amount_str(minor: int, currency: str) -> str:
    """Exact decimal string for JSON ("19.99", "1500" for JPY)."""
    return str(from_minor(minor, currency))
