"""Read models for the panel: a buyer's likely-online heatmap and the next good moment to write."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.service import get_buyer_row
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.outbox.sendtime import buyer_profile, seller_policy
from crossborder_crm.timing import describe_profile, next_send_time, to_local


@dataclass(frozen=True)
class BuyerTiming:
    """What the buyer page shows about timing."""

    heatmap: list[list[float]]  # 7 rows (Mon..Sun) × 24 local hours, 0..1
    source: str
    event_count: int
    summary: str
    next_utc: datetime
    next_buyer_local: datetime
    next_seller_local: datetime
    explanation: str
    seller_timezone: str
    buyer_timezone: str


def buyer_timing(db: Database, clock: Clock, seller_id: int, buyer_id: int, kind: str = "conversation") -> BuyerTiming:
    """The buyer's profile as a heatmap and the next good moment to write, in both zones."""
    now = clock.now()
    with db.reading() as s:
        buyer = get_buyer_row(s, seller_id, buyer_id)
        seller = s.scalar(select(Seller).where(Seller.id == seller_id))
        profile = buyer_profile(s, buyer, seller, now)
    when, why = next_send_time(profile, seller_policy(seller, kind), now)
    top = max(profile.weights) or 1.0
    heat = [[round(profile.weights[d * 24 + h] / top, 3) for h in range(24)] for d in range(7)]
    return BuyerTiming(heat, profile.source, profile.event_count, describe_profile(profile), when,
                       to_local(when, buyer.timezone), to_local(when, seller.timezone),
                       why, seller.timezone, buyer.timezone)
