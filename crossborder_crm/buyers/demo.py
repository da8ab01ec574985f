"""Demo data for `crossborder-crm demo`: one seller with a few hundred lifelike buyers.

A Shenzhen home-goods shop selling abroad: buyers in 38 countries, weighted like a real
cross-border shop, with native-script names where that is natural, regions and postal codes
that give the time-zone inference real work, marketplace identities, tags, a consent mix, and
18 months of orders and activity placed at plausible local hours (mostly evenings) so the
send-time model has something to learn.

Everything is validated like API input: sellers and buyers through the account and buyer
services, orders and activity through the same schemas and service helpers in one transaction per
buyer (see `_record_history`), which keeps 320 buyers at a few seconds on SQLite. All values come
from ``random.Random(seed)`` and ``clock.now()``: the same seed on the same clock gives the same
panel (only the seller's key and API token, which are secrets, differ). Each record is written
"as of" its own moment — a buyer is created shortly before their first order or event, an order
is recorded a few minutes after it was placed — so created/updated times look lived-in too.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from crossborder_crm.accounts.models import ApiToken, Seller
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers.demo_data import name_pools, shop
from crossborder_crm.buyers.demo_history import HISTORY_DAYS, local_time, make_activities, make_order, order_days
from crossborder_crm.buyers.demo_ids import MarketplaceIds
from crossborder_crm.buyers.demo_profiles import buyer_payload, pick_pool
from crossborder_crm.buyers.models import Activity
from crossborder_crm.buyers.orders import order_from_spec, refresh_stats
from crossborder_crm.buyers.schemas import ActivityCreate, OrderCreate
from crossborder_crm.buyers.service import create_buyer, get_buyer_row
from crossborder_crm.buyers.timezone import infer_timezone
from crossborder_crm.clock import Clock, FixedClock
from crossborder_crm.db import Database
from crossborder_crm.shipments.demo import seed_demo_shipments
from crossborder_crm.validation import parse

SELLER_ADDRESS = ("Lotus & Pine Home Goods Co., Ltd., Unit 1208, 88 Keyuan Road, Nanshan District, "
                  "Shenzhen, Guangdong 518057, China")


@dataclass(frozen=True)
class DemoResult:
    """What `crossborder-crm demo` prints: how to log in and what was created."""

    seller_id: int
    seller_key: str
    api_token: str
    email: str
    password: str
    buyers: int
    orders: int
    activities: int = 0
    countries: int = 0
    shipments: int = 0


def database_is_empty(db: Database) -> bool:
    """True while no seller exists yet (`make run` seeds the demo only then)."""
    with db.reading() as s:
        return s.scalar(select(Seller.id).limit(1)) is None


def _quotas(total: int) -> dict[str, int]:
    """Buyers per country: proportional to the country weights (largest remainder), every country present
    when there are enough buyers."""
    weights = shop().country_weights
    countries = list(weights)
    floor_each = 2 if total >= 3 * len(countries) else 1 if total >= len(countries) else 0
    rest = total - floor_each * len(countries)
    weight_sum = sum(weights.values())
    shares = {cc: rest * weights[cc] / weight_sum for cc in countries}
    quotas = {cc: floor_each + int(shares[cc]) for cc in countries}
    left = total - sum(quotas.values())
    for cc in sorted(countries, key=lambda c: (-(shares[c] - int(shares[c])), -weights[c], c))[:left]:
        quotas[cc] += 1
    return {cc: n for cc, n in quotas.items() if n}


DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"


def seed_demo(db: Database, clock: Clock, *, seed: int = 7, buyers: int = 320,
              seller_name: str = "Lotus & Pine Home Goods", email: str = DEMO_EMAIL,
              password: str = DEMO_PASSWORD, progress: Callable[[int], None] | None = None,
              settings: Mapping[str, Any] | None = None) -> DemoResult:
    """Create the demo seller and `buyers` buyers with orders, activity and the parcels of the recent
    orders (through shipments.service, with the app `settings`); deterministic per seed.

    Raises Conflict if a user with `email` already exists (seed only an empty database; see
    `database_is_empty`).
    """
    if buyers < 1:
        raise ValueError("buyers must be at least 1")
    rng = random.Random(seed)
    now = clock.now()
    seller = create_seller(db, FixedClock(now - timedelta(days=HISTORY_DAYS + 30)), seller_name, email, password,
                           default_language="en", timezone="Asia/Shanghai", postal_address=SELLER_ADDRESS)
    with db.transaction() as s:
        # The shop's history starts a year back; its API token is made now, and Settings says so.
        s.execute(update(ApiToken).where(ApiToken.seller_id == seller.seller_id).values(created_at=now))
        # A reply address, so the buyers of personal messages can answer (the From stays no-reply).
        s.execute(update(Seller).where(Seller.id == seller.seller_id)
                  .values(reply_to=f"service@{email.rpartition('@')[2] or 'example.com'}"))
    names = name_pools()
    countries = [cc for cc, n in _quotas(buyers).items() for _ in range(n)]
    rng.shuffle(countries)
    emails: set[str] = set()
    ids = MarketplaceIds(rng)
    n_orders = n_activities = 0
    for cc in countries:
        n = _seed_buyer(db, rng, now, seller.seller_id, cc, pick_pool(rng, names[cc]), emails, ids)
        n_orders += n[0]
        n_activities += n[1]
        if progress is not None:
            progress(1)
    parcels = seed_demo_shipments(db, clock, settings or {}, seller.seller_id, seed=seed)
    return DemoResult(seller.seller_id, seller.seller_key, seller.api_token, seller.user_email, password,
                      len(countries), n_orders, n_activities, len(set(countries)), parcels)


def _seed_buyer(db: Database, rng: random.Random, now: datetime, seller_id: int, cc: str, pool: dict,
                emails: set[str], ids: MarketplaceIds) -> tuple[int, int]:
    tables = shop()
    habit = rng.choices(("prospect", "once", "occasional", "regular"), (13, 30, 35, 22))[0]
    wholesale = habit in ("occasional", "regular") and rng.random() < 0.06
    cycle = rng.choice((60, 75, 90)) if wholesale else rng.choice((30, 45, 60))
    days = order_days(rng, habit, cycle)
    favourite = rng.choice(tables.categories)
    data = buyer_payload(rng, cc, pool, emails, ids, habit, len(days), wholesale, favourite)
    consent = data.pop("_consent")
    # The zone the service will infer (the same function), so local hours are right from the start.
    tz = ZoneInfo(infer_timezone(cc, data.get("region"), data.get("postal_code"), data.get("city"),
                                 given=data.get("timezone")).value)
    peak = rng.choices((20, 21, 19, 22, 23, 13, 8), (26, 22, 16, 12, 8, 9, 7))[0]
    staple = None
    if habit == "regular":
        staples = ([p for p in tables.catalogue if p.consumable and p.category == favourite]
                   or [p for p in tables.catalogue if p.consumable])
        staple = rng.choice(staples)
    orders = [make_order(rng, now, tz, d, peak, cc, data.get("marketplace"), ids, favourite, wholesale, staple)
              for d in days]
    activities = make_activities(rng, now, tz, peak, habit, data.get("marketplace"), [at for at, _ in orders])
    moments = [at for at, _ in orders] + [at for at, _ in activities]
    first_order = min((at for at, _ in orders), default=None)
    if first_order is not None and min(moments) == first_order:
        created = first_order - timedelta(minutes=rng.randint(1, 20))  # signed up at checkout
    else:
        first = min(moments) if moments else local_time(rng, now, tz, rng.uniform(1, 200), peak)
        created = first - timedelta(minutes=rng.randint(3, 4 * 24 * 60))
    created = min(created, now - timedelta(minutes=30))
    if consent != "unknown":
        at = (created + timedelta(minutes=rng.randint(0, 20)) if consent == "granted"
              else created + (now - created) * rng.uniform(0.1, 0.95))
        source = ("checkout" if data.get("marketplace") in ("shopify", "woocommerce") and consent == "granted"
                  else rng.choice(("form", "import", "email")))
        data["consent"] = {"status": consent, "source": source, "at": at.astimezone(tz).isoformat()}
    buyer = create_buyer(db, FixedClock(created), seller_id, data)
    _record_history(db, seller_id, buyer.id,
                    [(o, min(now, at + timedelta(minutes=rng.randint(1, 25)))) for at, o in orders],
                    [(a, min(now, at + timedelta(seconds=rng.randint(5, 300)))) for at, a in activities])
    return len(orders), len(activities)


def _record_history(db: Database, seller_id: int, buyer_id: int, orders: list[tuple[dict, datetime]],
                    activities: list[tuple[dict, datetime]]) -> None:
    """`service.add_order` and `service.add_activity` for one buyer's whole history in one transaction.

    Same validation (OrderCreate / ActivityCreate via `parse`, prices via `order_from_spec`) and the
    same rows: each order, its "order_placed" activity, the refreshed buyer statistics. One call per
    order or event would be ~3,800 transactions, each reloading the buyer: too slow for `make run`.
    Each item carries the moment it was recorded (its created_at). If add_order grows side effects,
    mirror them here (or give the service a bulk variant and call that).
    """
    order_specs = [(parse(OrderCreate, data, "order"), recorded) for data, recorded in orders]
    act_specs = [(parse(ActivityCreate, data, "activity"), recorded) for data, recorded in activities]
    with db.transaction() as s:
        buyer = get_buyer_row(s, seller_id, buyer_id)
        for spec, recorded in order_specs:
            order = order_from_spec(spec, seller_id, buyer_id, recorded)
            s.add(order)
            s.add(Activity(seller_id=seller_id, buyer_id=buyer_id, kind="order_placed", occurred_at=spec.placed_at,
                           source=order.marketplace, detail=f"order {order.external_id}", created_at=recorded))
        s.add_all(Activity(seller_id=seller_id, buyer_id=buyer_id, kind=spec.kind, occurred_at=spec.occurred_at,
                           source=spec.source, detail=spec.detail, created_at=recorded) for spec, recorded in act_specs)
        s.flush()
        if order_specs:
            refresh_stats(s, buyer)
            buyer.updated_at = max(recorded for _, recorded in order_specs)
