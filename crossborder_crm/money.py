"""Money as integer minor units per ISO 4217 currency; never a float."""
from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies

from crossborder_crm.errors import N_, Reason


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
        raise ValueError(Reason(N_("unknown currency code %(code)s"), code=repr(code)))
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
        raise ValueError(Reason(N_("not a number: %(value)s"), value=repr(str(amount)[:40]))) from None
    if not value.is_finite():
        raise ValueError(Reason(N_("not a finite amount: %(value)s"), value=repr(str(amount)[:40])))
    if value < 0:
        raise ValueError(N_("must not be negative"))
    digits = currency_digits(currency)
    if value > from_minor(MAX_MINOR, currency):  # checked first: scaling 1e999999999 overflows Decimal
        raise ValueError(too_large(currency))
    # quantize, not scaleb: scaling 1e-999999999 underflows to a silent 0
    if value != value.quantize(Decimal(1).scaleb(-digits)):
        raise ValueError(Reason(N_("%(currency)s has %(num)s decimal places, got %(value)s"),
                                currency=currency, num=digits, value=str(amount)[:40]))
    return int(value.scaleb(digits))


def too_large(currency: str, *, sum_of_items: bool = False) -> str:
    """The reason an amount (or the sum of an order's items) above MAX_MINOR is refused, in the currency's units."""
    template = (N_("the sum of the items must be at most %(amount)s %(currency)s") if sum_of_items
                else N_("must be at most %(amount)s %(currency)s"))
    return Reason(template, amount=amount_str(MAX_MINOR, currency), currency=currency)


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units back to an exact Decimal."""
    return Decimal(minor).scaleb(-currency_digits(currency))


def format_money(minor: int, currency: str, locale: str) -> str:
    """Locale-formatted amount, e.g. 1.234,50 € in de-DE."""
    return format_currency(from_minor(minor, currency), currency, locale=locale.replace("-", "_"))


def amount_str(minor: int, currency: str) -> str:
    """Exact decimal string for JSON ("19.99", "1500" for JPY)."""
    return str(from_minor(minor, currency))
