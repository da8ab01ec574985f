"""A buyer's activity log (orders, replies, clicks, visits): what the send-time model learns from."""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import select

from crossborder_crm.buyers.models import (
    Activity,
)
from crossborder_crm.buyers.schemas import ActivityCreate
from crossborder_crm.buyers.service import get_buyer_row
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.validation import parse


def add_activity(db: Database, clock: Clock, seller_id: int, buyer_id: int, data: Mapping[str, Any]) -> Activity:
    """Log something the buyer did (an open, a click, a visit, a message)."""
    spec = parse(ActivityCreate, data, "activity")
    with db.transaction() as s:
        get_buyer_row(s, seller_id, buyer_id)
        act = Activity(seller_id=seller_id, buyer_id=buyer_id, kind=spec.kind, occurred_at=spec.occurred_at,
                       source=spec.source, detail=spec.detail, created_at=clock.now())
        s.add(act)
        s.flush()
        return act


def list_activity(db: Database, seller_id: int, buyer_id: int, limit: int = 100) -> list[Activity]:
    """The buyer's latest activity, newest first."""
    with db.reading() as s:
        get_buyer_row(s, seller_id, buyer_id)
        return list(s.scalars(select(Activity).where(Activity.buyer_id == buyer_id, Activity.seller_id == seller_id)
                              .order_by(Activity.occurred_at.desc()).limit(limit)))
