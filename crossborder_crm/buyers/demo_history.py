"""A demo buyer's history: when they order (at plausible local hours), what, at which price, and activity."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo

from crossborder_crm.buyers.demo_data import Product, shop
from crossborder_crm.buyers.demo_ids import MarketplaceIds

HISTORY_DAYS = 540  # ~18 months of orders


# --------------------------------------------------------------------------- prices


@cache
def shop_price(usd: str, currency: str) -> str:
    """Shop price of a catalogue item in a currency, with the usual local price endings."""
    rate, style = shop().fx[currency]
    x = Decimal(usd) * Decimal(rate)
    if style.endswith("k"):  # zero-decimal currencies priced in thousands: 38900 KRW, 18990 CLP, 459000 IDR
        thousands = max(int((x / 1000).to_integral_value(ROUND_HALF_UP)), 1)
        return str(thousands * 1000 - (1000 - int(style[:-1])) % 1000)
    if style.endswith("h"):  # priced in hundreds: 2499 INR, 5080 JPY
        hundreds = max(int((x / 100).to_integral_value(ROUND_HALF_UP)), 1)
        return str(hundreds * 100 - (100 - int(style[:-1])) % 100)
    if len(style) == 1:  # whole units ending in 9 or 5: 359 SEK, 235 DKK
        tens = max(int((x / 10).to_integral_value(ROUND_HALF_UP)), 1)
        return f"{tens * 10 - 10 + int(style)}.00"
    whole = int(x.to_integral_value(ROUND_CEILING))  # 24.99, 129.90, 89.00
    return f"{Decimal(whole) - Decimal((100 - int(style)) % 100) / 100:.2f}"


# --------------------------------------------------------------------------- times


def _local_hour(rng: random.Random, peak: int, weekend: bool) -> int:
    r = rng.random()
    if r < 0.62:
        return round(rng.gauss(peak, 1.2)) % 24
    if r < 0.82:
        return rng.randint(10, 17) if weekend else rng.choice((7, 8, 12, 12, 13))
    return rng.choices(range(24), shop().background_hours)[0]


def local_time(rng: random.Random, now: datetime, tz: ZoneInfo, days_ago: float, peak: int) -> datetime:
    """A moment `days_ago` local days back at an hour this buyer is likely to be awake; always before now."""
    day = now.astimezone(tz).date() - timedelta(days=int(days_ago))
    hour = _local_hour(rng, peak, day.weekday() >= 5)
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
    local = local.astimezone(timezone.utc).astimezone(tz)  # settle times in a DST gap
    while local > now - timedelta(minutes=10):
        local = (local - timedelta(days=1)).astimezone(timezone.utc).astimezone(tz)
    return local


def order_days(rng: random.Random, habit: str, cycle: int) -> list[float]:
    """Days ago of a buyer's orders, oldest first."""
    if habit == "prospect":
        return []
    if habit == "once":
        return [rng.uniform(1, HISTORY_DAYS)]
    if habit == "occasional":
        k = rng.randint(2, 5)
        for _ in range(20):
            days = sorted((rng.uniform(1, HISTORY_DAYS) for _ in range(k)), reverse=True)
            if all(a - b >= 12 for a, b in zip(days, days[1:])):
                return days
        return days[:1]
    days = [rng.uniform(1, cycle * 1.3)]  # regular: last order somewhere in the current cycle
    target = rng.randint(4, 8)
    while len(days) < target:
        back = days[-1] + cycle * rng.uniform(0.85, 1.15)
        if back > HISTORY_DAYS:
            break
        days.append(back)
    return sorted(days, reverse=True)


# --------------------------------------------------------------------------- orders and activity


def make_order(rng: random.Random, now: datetime, tz: ZoneInfo, days_ago: float, peak: int, cc: str,
               market: str | None, ids: MarketplaceIds, favourite: str, wholesale: bool,
               staple: Product | None) -> tuple[datetime, dict]:
    """(placed at, order as API input) for one order of a buyer."""
    tables = shop()
    placed = local_time(rng, now, tz, days_ago, peak)
    currency = tables.currency[cc]
    if cc in tables.sometimes_eur and rng.random() < 0.15:
        currency = "EUR"
    market = market or "manual"
    if market in ("amazon", "ebay", "aliexpress") and rng.random() < 0.08:
        market = "shopify"  # came back to the shop directly
    favourites = [p for p in tables.catalogue if p.category == favourite]
    picks = []
    if staple is not None and rng.random() < 0.75:  # regulars come back for something that runs out
        picks.append(staple)
    while not picks or (len(picks) < 4 and rng.random() < 0.35):
        product = rng.choice(favourites if rng.random() < 0.5 else tables.catalogue)
        if product not in picks:
            picks.append(product)
    items = []
    for sku, title, category, usd, _ in picks:
        qty = rng.choice((6, 12, 12, 24, 36)) if wholesale else rng.choices((1, 2, 3, 4), (80, 14, 4, 2))[0]
        items.append({"sku": sku, "title": title, "category": category, "quantity": qty,
                      "unit_price": shop_price(usd, currency)})
    age = (now - placed).total_seconds() / 86400
    if age < 2:
        status = "paid"
    elif age < 10:
        status = "shipped"
    else:
        status = rng.choices(("delivered", "refunded", "cancelled"), (95, 3, 2))[0]
    return placed, {"marketplace": market, "external_id": ids.order(market), "placed_at": placed.isoformat(),
                    "currency": currency, "status": status, "items": items}


def make_activities(rng: random.Random, now: datetime, tz: ZoneInfo, peak: int, habit: str, market: str | None,
               order_times: list[datetime]) -> list[tuple[datetime, dict]]:
    """Opens, clicks, visits and messages: more of them recently, at the buyer's usual hours."""
    messages = shop().messages
    out: list[tuple[datetime, dict]] = []
    shop_source = market if market in ("shopify", "woocommerce") else "storefront"

    def add(kind: str, days_ago: float, detail: str | None = None) -> None:
        at = local_time(rng, now, tz, days_ago, peak)
        source = {"visit": shop_source, "message_received": market or "email"}.get(kind, "email")
        out.append((at, {"kind": kind, "occurred_at": at.isoformat(), "source": source,
                         **({"detail": detail} if detail else {})}))

    for placed in order_times:  # browsing before a purchase, a question after some
        ago = (now - placed).total_seconds() / 86400
        if rng.random() < 0.5:
            add("visit", ago + rng.uniform(0.5, 4), "viewed product pages")
        if rng.random() < 0.12 and ago > 3:
            add("message_received", max(ago - rng.uniform(2, 12), 0.2), rng.choice(messages))
    if rng.random() < 0.1:
        return out
    count = rng.randint(2, 8) if habit == "prospect" else rng.randint(2, 14)
    for _ in range(count):
        ago = min(rng.expovariate(1 / 45), 240)
        kind = rng.choices(("email_open", "email_click", "visit", "message_received"), (50, 16, 26, 8))[0]
        detail = {"email_open": "newsletter", "email_click": rng.choice(("new arrivals", "restock", "sale")),
                  "visit": None, "message_received": rng.choice(messages)}[kind]
        add(kind, ago, detail)
    return out
