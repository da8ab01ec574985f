"""Demo parcels for the demo seller's recent orders, applied through apply_shipment like any
source's reports: most delivered, some on the way, one stalled in customs."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import select

from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.shipments.events import CheckpointIn, ShipmentIn
from crossborder_crm.shipments.service import apply_shipment

CARRIERS = (("China Post", "china-post", "LX{n}CN"), ("YunExpress", "yunexpress", "YT{n}"),
            ("4PX", "4px", "4PX{n}CN"), ("DHL eCommerce", "dhl", "GM{n}"))
# (milestone, days after shipping, where: "origin" | "destination")
ROUTE = (("in_transit", 0, "origin"), ("in_transit", 2, "origin"), ("arrived_destination", 8, "destination"),
         ("customs_held", 9, "destination"), ("customs_cleared", 11, "destination"),
         ("out_for_delivery", 13, "destination"), ("delivered", 14, "destination"))
RECENT = timedelta(days=45)


def _scans(rng: random.Random, shipped: datetime, now: datetime, country: str, stall: bool) -> tuple:
    stretch = rng.uniform(0.8, 1.6)
    scans = []
    for milestone, days, where in ROUTE:
        at = shipped + timedelta(days=days * stretch, hours=rng.randint(0, 20))
        if at > now or (stall and milestone == "customs_cleared"):
            break
        place = ("Shenzhen" if where == "origin" else None)
        scans.append(CheckpointIn(at=at, milestone=milestone, raw_status=milestone, location=place,
                                  country="CN" if where == "origin" else country))
    return tuple(scans)


def seed_demo_shipments(db: Database, clock: Clock, settings: Mapping[str, Any], seller_id: int,
                        seed: int = 7) -> int:
    """Give each of the seller's orders of the last 45 days a parcel; returns how many."""
    rng = random.Random(seed)
    now = clock.now()
    with db.reading() as s:
        rows = s.execute(select(Order.marketplace, Order.external_id, Order.placed_at, Buyer.country)
                         .join(Buyer, Buyer.id == Order.buyer_id)
                         .where(Order.seller_id == seller_id, Order.placed_at >= now - RECENT)
                         .order_by(Order.placed_at)).all()
    count, stalled = 0, False
    with db.transaction() as s:
        for n, (marketplace, external_id, placed_at, country) in enumerate(rows):
            shipped = placed_at + timedelta(days=rng.uniform(1, 3))
            if shipped > now:
                continue
            stall = not stalled and now - shipped > timedelta(days=20)
            stalled = stalled or stall
            name, code, pattern = rng.choice(CARRIERS)
            number = pattern.format(n=f"{rng.randint(10**8, 10**9 - 1)}")
            apply_shipment(s, clock, seller_id, ShipmentIn(
                source="generic", tracking_number=number, order_marketplace=marketplace,
                order_external_id=external_id, carrier_name=name, carrier_code=code,
                origin_country="CN", destination_country=country, shipped_at=shipped,
                checkpoints=_scans(rng, shipped, now, country, stall)), settings)
            count += 1
    return count
