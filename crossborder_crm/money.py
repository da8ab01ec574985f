"""Money as integer minor units per ISO 4217 currency; never a float."""
from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies


# The largest amount in minor units an order, a line or a total may carry: far above any real
# order, and thousands of them still add up within the BIGINT columns that hold spend.
MAX_MINOR = 10**15


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
        raise ValueError(f"not a number: {str(amount)[:40]!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {str(amount)[:40]!r}")
    if value < 0:
        raise ValueError("must not be negative")
    digits = currency_digits(currency)
    if value > from_minor(MAX_MINOR, currency):  # checked first: scaling 1e999999999 overflows Decimal
        raise ValueError(too_large(currency))
    # quantize, not scaleb: scaling 1e-999999999 underflows to a silent 0
    if value != value.quantize(Decimal(1).scaleb(-digits)):
        raise ValueError(f"{currency} has {digits} decimal places, got {str(amount)[:40]}")
    return int(value.scaleb(digits))


def too_large(currency: str) -> str:
    """The reason an amount above MAX_MINOR is refused, in the currency's units."""
    return f"must be at most {amount_str(MAX_MINOR, currency)} {currency}"


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units back to an exact Decimal."""
    return Decimal(minor).scaleb(-currency_digits(currency))


def format_money(minor: int, currency: str, locale: str) -> str:
    """Locale-formatted amount, e.g. 1.234,50 € in de-DE."""
    return format_currency(from_minor(minor, currency), currency, locale=locale.replace("-", "_"))


def amount_str(minor: int, currency: str) -> str:
    """Exact decimal string for JSON ("19.99", "1500" for JPY)."""
    return str(from_minor(minor, currency))
