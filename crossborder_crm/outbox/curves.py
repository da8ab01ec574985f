"""Learn per-country likely-online curves from all of a seller's buyers (a periodic job)."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Activity, Buyer
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.timing import ActivityEvent, learn_country_curves


def refresh_country_curves(db: Database, clock: Clock, window: timedelta = timedelta(days=365)) -> int:
    """Store learned curves in each seller's settings; returns how many countries were learned."""
    now = clock.now()
    learned = 0
    with db.reading() as s:
        seller_ids = list(s.scalars(select(Seller.id)))
    for seller_id in seller_ids:
        by_buyer: dict[int, list[ActivityEvent]] = defaultdict(list)
        zones: dict[int, tuple[str, str]] = {}
        with db.reading() as s:
            rows = s.execute(select(Activity.buyer_id, Activity.occurred_at, Activity.kind, Buyer.country,
                                    Buyer.timezone)
                             .join(Buyer, Buyer.id == Activity.buyer_id)
                             .where(Activity.seller_id == seller_id, Activity.occurred_at >= now - window,
                                    Activity.occurred_at <= now))
            for buyer_id, at, kind, country, tz in rows:
                by_buyer[buyer_id].append(ActivityEvent(at, kind))
                zones[buyer_id] = (country, tz)
        by_country: dict[str, list] = defaultdict(list)
        for buyer_id, events in by_buyer.items():
            country, tz = zones[buyer_id]
            by_country[country].append((tz, events))
        curves = learn_country_curves(by_country, now)
        with db.transaction() as s:
            seller = s.get(Seller, seller_id)
            settings = dict(seller.settings or {})
            settings["learned_country_curves"] = {c: list(v) for c, v in curves.items()}
            seller.settings = settings
        learned += len(curves)
    return learned
