"""Expected delivery when no source gives one: the route's own history, else a default."""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from functools import cache
from statistics import median
from typing import Any, Mapping

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from crossborder_crm.shipments.models import Shipment
from crossborder_crm.shipments.settings import default_transit_days

# Deliveries on a route before its median is trusted over the default; the newest this many count.
MIN_DELIVERIES = 3
HISTORY = 200


@cache
def _route_history(has_origin: bool, has_carrier: bool):
    """The history query of a route, built once per shape (building a statement costs more than running it)."""
    q = (select(Shipment.shipped_at, Shipment.delivered_at)
         .where(Shipment.seller_id == bindparam("seller_id"), Shipment.delivered_at.is_not(None),
                Shipment.shipped_at.is_not(None), Shipment.destination_country == bindparam("destination")))
    q = q.where(Shipment.origin_country == bindparam("origin")) if has_origin else q.where(
        Shipment.origin_country.is_(None))
    if has_carrier:
        q = q.where((Shipment.carrier_code == bindparam("carrier")) | (Shipment.carrier_name == bindparam("carrier")))
    return q.order_by(Shipment.delivered_at.desc()).limit(HISTORY)


def median_transit_days(s: Session, seller_id: int, carrier: str | None, origin: str | None,
                        destination: str | None) -> int | None:
    """Median whole days from shipped to delivered over this seller's deliveries on the route."""
    if not destination:
        return None
    params = {"seller_id": seller_id, "destination": destination, "origin": origin, "carrier": carrier}
    rows = s.execute(_route_history(bool(origin), bool(carrier)),
                     {k: v for k, v in params.items() if v is not None}).all()
    days = [(delivered - shipped).total_seconds() / 86400 for shipped, delivered in rows if delivered >= shipped]
    if len(days) < MIN_DELIVERIES:
        return None
    return max(1, math.ceil(median(days)))


def estimate(s: Session, settings: Mapping[str, Any], shipment: Shipment, now: datetime) -> tuple[date, str]:
    """The expected delivery date and where it comes from ("route" or "default")."""
    start = shipment.shipped_at or now
    days = median_transit_days(s, shipment.seller_id, shipment.carrier_code or shipment.carrier_name,
                               shipment.origin_country, shipment.destination_country)
    if days is not None:
        return (start + timedelta(days=days)).date(), "route"
    return (start + timedelta(days=default_transit_days(settings, shipment.destination_country))).date(), "default"
