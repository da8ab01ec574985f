"""Which remedy a reply offers: the seller's policy per category and order value, and the parcel's state.

Pure rules over plain data. The defaults are what a careful cross-border seller does: promise a date
while the parcel moves on time, replace what is lost, broken or wrong, refund part of a cheap item
rather than make the buyer send it back, and ask for photos only where they decide the remedy.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Mapping

REMEDIES = ("wait", "trace", "reship", "refund_full", "refund_partial", "return", "exchange", "refund_duties",
            "answer")
# What a seller may pick per category; waiting and tracing follow from the parcel's state, not a rule.
CHOOSABLE = REMEDIES[2:]
# Categories whose photos decide between remedies (a broken or a wrong item above the low value).
PHOTO_CATEGORIES = ("damaged", "wrong_item")

# category -> (remedy at or below the low value, remedy above it)
DEFAULT_RULES: dict[str, tuple[str, str]] = {
    "not_received": ("reship", "reship"),
    "late_delivery": ("reship", "reship"),
    "damaged": ("reship", "reship"),
    "wrong_item": ("reship", "reship"),
    "missing_items": ("reship", "reship"),
    "not_as_described": ("refund_partial", "return"),
    "poor_quality": ("refund_partial", "return"),
    "size_fit": ("exchange", "exchange"),
    "customs_duties": ("refund_duties", "refund_duties"),
    "seller_communication": ("answer", "answer"),
    "other": ("answer", "answer"),
}
# What counts as a low-value order, in minor units of its currency (about 30 US dollars).
DEFAULT_LOW_VALUE: dict[str, int] = {
    "USD": 3000, "EUR": 3000, "GBP": 2500, "CAD": 4000, "AUD": 4500, "NZD": 5000, "CHF": 3000,
    "JPY": 4500, "KRW": 40000, "CNY": 20000, "HKD": 23000, "TWD": 90000, "SGD": 4000,
    "SEK": 30000, "NOK": 30000, "DKK": 20000, "PLN": 12000, "CZK": 70000, "HUF": 1100000,
    "BRL": 15000, "MXN": 50000, "TRY": 100000, "RUB": 270000, "INR": 250000, "AED": 11000,
    "SAR": 11000, "ILS": 11000, "ZAR": 55000,
}


@dataclass(frozen=True)
class Policy:
    """A seller's remedy policy: a rule per category, the low-value line, and the numbers promised."""

    rules: Mapping[str, tuple[str, str]] = field(default_factory=lambda: dict(DEFAULT_RULES))
    low_value: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_LOW_VALUE))
    partial_refund_percent: int = 30
    coupon_percent: int = 10  # offered with a late parcel that is still moving
    grace_days: int = 5  # a promise is the expected date (or today) plus this
    ship_days: int = 2
    refund_days: int = 5
    answer_hours: int = 24
    sla_hours: int = 24  # the seller answers a complaint within this; the inbox shows the overdue first

    def with_overrides(self, data: Mapping[str, Any]) -> "Policy":
        """This policy with a seller's saved changes (unknown keys ignored, checked when saved)."""
        rules = {**self.rules, **{k: tuple(v) for k, v in (data.get("rules") or {}).items()}}
        numbers = {k: int(v) for k, v in data.items() if k in NUMBER_FIELDS}
        return replace(self, rules=rules, **numbers)


# Each number a seller may change, with the range the panel and the API accept.
NUMBER_FIELDS = {"partial_refund_percent": (1, 100), "coupon_percent": (0, 90), "grace_days": (0, 60),
                 "ship_days": (1, 30), "refund_days": (1, 30), "answer_hours": (1, 168), "sla_hours": (1, 336)}


@dataclass(frozen=True)
class Parcel:
    """What the tracking says, as far as the remedy cares."""

    milestone: str | None  # canonical milestone; None: no shipment known
    expected: date | None = None
    stalled: bool = False
    late: bool = False


@dataclass(frozen=True)
class Remedy:
    """The remedy offered, its figures, whether photos are asked for, and why (for the seller)."""

    key: str
    percent: int | None = None
    amount_minor: int | None = None
    promise: date | None = None
    days: int | None = None
    hours: int | None = None
    photos: bool = False
    coupon_percent: int | None = None
    reason: str = ""


LOST = ("exception_lost", "exception_returned", "expired")
MOVING = ("info_received", "in_transit", "arrived_destination", "customs_held", "customs_cleared",
          "out_for_delivery", "failed_attempt", "available_for_pickup")


def is_low_value(total_minor: int | None, currency: str | None, policy: Policy) -> bool:
    """At or below the seller's low-value line for that currency (unknown currency or total: not low)."""
    line = policy.low_value.get((currency or "").upper())
    return total_minor is not None and line is not None and total_minor <= line


def _delivery_remedy(parcel: Parcel, today: date, policy: Policy, late_category: bool) -> Remedy | None:
    """Wait or trace instead of replacing while the parcel can still arrive."""
    if parcel.milestone is None:
        return Remedy("trace", promise=today + timedelta(days=policy.grace_days),
                      reason="no tracking on record: ask the carrier first")
    if parcel.milestone in MOVING and not parcel.stalled:
        promise = max(parcel.expected or today, today) + timedelta(days=policy.grace_days)
        coupon = policy.coupon_percent if (late_category or parcel.late) and policy.coupon_percent else None
        return Remedy("wait", promise=promise, coupon_percent=coupon,
                      reason="the parcel is moving: a dated promise, replacement or refund after it")
    return None


def choose(category: str, total_minor: int | None, currency: str | None, parcel: Parcel, today: date,
           policy: Policy) -> Remedy:
    """The remedy for a complaint's primary category, the order's value and the parcel's state."""
    if category in ("not_received", "late_delivery"):
        waiting = _delivery_remedy(parcel, today, policy, category == "late_delivery")
        if waiting is not None:
            return waiting
    low = is_low_value(total_minor, currency, policy)
    key = policy.rules.get(category, DEFAULT_RULES["other"])[0 if low else 1]
    photos = category in PHOTO_CATEGORIES and not low and key in ("reship", "refund_full", "return")
    why = f"{category}, {'low' if low else 'higher'}-value order"
    if category == "not_received" and parcel.milestone in LOST:
        why = f"the carrier reports the parcel {parcel.milestone.replace('exception_', '')}"
    elif category in ("not_received", "late_delivery") and parcel.stalled:
        why = "the tracking has stalled"
    if key == "refund_partial":
        part = None if total_minor is None else total_minor * policy.partial_refund_percent // 100
        return Remedy(key, percent=policy.partial_refund_percent, amount_minor=part, days=policy.refund_days,
                      reason=why)
    if key in ("refund_full", "return"):
        return Remedy(key, amount_minor=total_minor, days=policy.refund_days, photos=photos, reason=why)
    if key == "reship":
        return Remedy(key, days=policy.ship_days, photos=photos, reason=why)
    if key == "answer":
        return Remedy(key, hours=policy.answer_hours, reason=why)
    return Remedy(key, reason=why)
