"""Derived buyer statistics from the order history: pure functions over plain data."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, NamedTuple

# Orders with these statuses are not purchases and do not count towards spend or cycle.
NON_PURCHASE_STATUSES = frozenset({"cancelled", "refunded", "voided", "failed"})


class OrderFact(NamedTuple):
    """The facts of one order that statistics need."""

    placed_at: datetime
    currency: str
    total_minor: int
    status: str = "placed"


@dataclass(frozen=True)
class BuyerStats:
    """Order count, first/last order, purchase cycle and spend per currency."""

    order_count: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    avg_days_between_orders: Decimal | None = None
    next_purchase_at: datetime | None = None
    spend: dict[str, tuple[int, int]] = field(default_factory=dict)  # currency -> (orders, minor)


def compute_stats(orders: Iterable[OrderFact]) -> BuyerStats:
    """Statistics of a buyer's purchases; cancelled or refunded orders are left out."""
    placed = sorted((o for o in orders if o.status not in NON_PURCHASE_STATUSES),
                    key=lambda o: o.placed_at)
    if not placed:
        return BuyerStats()
    spend: dict[str, tuple[int, int]] = {}
    for o in placed:
        count, total = spend.get(o.currency, (0, 0))
        spend[o.currency] = (count + 1, total + o.total_minor)
    first, last = placed[0].placed_at, placed[-1].placed_at
    avg = next_at = None
    if len(placed) >= 2:
        seconds = (last - first).total_seconds() / (len(placed) - 1)
        avg = (Decimal(seconds) / Decimal(86400)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        next_at = last + timedelta(seconds=seconds)
    return BuyerStats(len(placed), first, last, avg, next_at, spend)


def average_minor(count: int, total_minor: int) -> int:
    """Average order value in minor units, rounded half up."""
    if count == 0:
        return 0
    return int((Decimal(total_minor) / count).quantize(Decimal(1), ROUND_HALF_UP))
