"""Recency, frequency and monetary scores from the order history, and the named segment each buyer is in,
with the reason in words. Pure functions over plain data: the caller reads the orders and stores the result.

Scores run 1 (worst) to 5 (best). Recency and money are quintiles among the seller's buyers with orders
(money within each currency, so yen and euros are never compared), recency capped at 2 after 180 days
and 1 after a year of silence; frequency uses fixed steps, since most buyers of a cross-border shop
order once.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import mean, pstdev
from typing import Iterable, Sequence

from crossborder_crm.buyers.models import SEGMENTS  # noqa: F401  (the names, in the rules' order)
from crossborder_crm.money import format_money

# Orders needed for each frequency score: 1 → 1, 2 → 2, 3-4 → 3, 5-9 → 4, 10+ → 5.
FREQUENCY_STEPS = (2, 3, 5, 10)
NEW_DAYS = 30  # a first order this recent makes a buyer "new"
# Quintiles say little in a small shop: a buyer silent this long scores at most this, whatever the others do.
RECENCY_CAPS = ((365, 1), (180, 2))
REGULAR_MIN_ORDERS = 4
REGULAR_MAX_VARIATION = 0.35  # intervals' standard deviation / mean: a buyer on a cycle of their own

KEY, LOYAL, REGULAR, NEW, PROMISING, AT_RISK, LAPSED, OCCASIONAL, NO_ORDERS = (
    "key", "loyal", "regular", "new", "promising", "at_risk", "lapsed", "occasional", "no_orders")
# What each segment means, in the order the rules are tried (the first that fits wins).
SEGMENT_MEANINGS = {
    KEY: "recent, frequent and among the top fifth by spend (R, F and M 4 or more)",
    REGULAR: "four or more orders at steady intervals, still buying (a reseller or a consumable on its cycle)",
    LOYAL: "three or more orders and still buying (F 3+, R 3+)",
    NEW: "a first order in the last 30 days",
    PROMISING: "bought recently, not often yet (R 4+)",
    AT_RISK: "used to buy often, not lately (F 3+, R 2 or less)",
    LAPSED: "bought once or twice, long ago (R 2 or less)",
    OCCASIONAL: "everyone else with orders",
    NO_ORDERS: "no orders yet",
}


@dataclass(frozen=True)
class History:
    """One buyer's orders, as far as the scores care: when, and how much in which currency."""

    buyer_id: int
    placed: tuple[datetime, ...]  # oldest first
    spend: dict[str, int]  # minor units per currency


@dataclass(frozen=True)
class Scored:
    """A buyer's scores, segment and the reason in words (English; the panel shows the scores too)."""

    buyer_id: int
    recency: int
    frequency: int
    monetary: int
    segment: str
    reason: str


def _quintile(value: float, cuts: Sequence[float]) -> int:
    """1-5 by where `value` falls among the four quintile cuts of its population (higher is better)."""
    return 1 + bisect_right(cuts, value)


def quintile_cuts(values: Iterable[float]) -> tuple[float, ...]:
    """The four values that split a population into fifths (fewer than five values: the values themselves)."""
    ordered = sorted(values)
    if not ordered:
        return ()
    return tuple(ordered[min(len(ordered) - 1, (len(ordered) * k) // 5)] for k in range(1, 5))


def frequency_score(orders: int) -> int:
    """1 for one order up to 5 for ten or more."""
    return 1 + bisect_right(FREQUENCY_STEPS, orders)


def is_regular(placed: Sequence[datetime]) -> bool:
    """Enough orders at steady intervals: a reseller or a consumable on the buyer's own cycle."""
    if len(placed) < REGULAR_MIN_ORDERS:
        return False
    gaps = [(b - a).total_seconds() / 86400 for a, b in zip(placed, placed[1:])]
    average = mean(gaps)
    return average >= 1 and pstdev(gaps) / average <= REGULAR_MAX_VARIATION


def name_segment(r: int, f: int, m: int, days_since_first: float, regular: bool) -> str:
    """The named segment for the scores (first rule that fits, most valuable first)."""
    if r >= 4 and f >= 4 and m >= 4:
        return KEY
    if regular and r >= 3:
        return REGULAR
    if f >= 3 and r >= 3:
        return LOYAL
    if f == 1 and days_since_first <= NEW_DAYS:
        return NEW
    if r >= 4:
        return PROMISING
    if f >= 3:
        return AT_RISK
    if r <= 2:
        return LAPSED
    return OCCASIONAL


def score_buyers(histories: Sequence[History], now: datetime) -> list[Scored]:
    """Scores and segments of the seller's buyers (those without orders are in `no_orders`)."""
    with_orders = [h for h in histories if h.placed]
    recency_cuts = quintile_cuts(-(now - h.placed[-1]).total_seconds() for h in with_orders)
    by_currency: dict[str, list[int]] = defaultdict(list)
    for h in with_orders:
        currency, total = _main_spend(h)
        by_currency[currency].append(total)
    money_cuts = {c: quintile_cuts(v) for c, v in by_currency.items()}
    out = []
    for h in histories:
        if not h.placed:
            out.append(Scored(h.buyer_id, 0, 0, 0, NO_ORDERS, "no orders yet"))
            continue
        days_since_last = (now - h.placed[-1]).total_seconds() / 86400
        currency, total = _main_spend(h)
        r = min([_quintile(-days_since_last * 86400, recency_cuts)]
                + [cap for days, cap in RECENCY_CAPS if days_since_last > days])
        f = frequency_score(len(h.placed))
        m = _quintile(total, money_cuts[currency])
        regular = is_regular(h.placed)
        segment = name_segment(r, f, m, (now - h.placed[0]).total_seconds() / 86400, regular)
        reason = (f"last order {int(days_since_last)} days ago (R{r}), {len(h.placed)} orders (F{f})"
                  f"{', at steady intervals' if regular else ''}, {format_money(total, currency, 'en')} spent (M{m})")
        out.append(Scored(h.buyer_id, r, f, m, segment, reason))
    return out


def _main_spend(h: History) -> tuple[str, int]:
    """The currency the buyer spent most in (in its own units) and that amount."""
    if not h.spend:
        return "", 0
    return max(h.spend.items(), key=lambda kv: (kv[1], kv[0]))
