"""What needs the seller's attention today: counts for the dashboard, each scoped to the seller."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from crossborder_crm.buyers.models import Activity
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message


@dataclass(frozen=True)
class Attention:
    """Messages going out in the seller's today, failed, suppressed; buyers whose message waits."""

    scheduled_today: int
    failed: int
    suppressed: int
    replies_waiting: int


def attention(db: Database, seller_id: int, day_start: datetime, day_end: datetime) -> Attention:
    """The dashboard's counts; `day_start`/`day_end` bound the seller's today in UTC."""
    mine = Message.seller_id == seller_id
    count = func.count(Message.id)
    # A buyer's message waits when nothing was sent to that buyer after it arrived.
    last_sent = (select(func.max(Message.sent_at)).where(Message.buyer_id == Activity.buyer_id,
                                                         Message.status == "sent")
                 .correlate(Activity).scalar_subquery())
    with db.reading() as s:
        today = s.scalar(select(count).where(mine, Message.status == "scheduled",
                                             Message.scheduled_at >= day_start, Message.scheduled_at < day_end))
        failed = s.scalar(select(count).where(mine, Message.status == "failed"))
        suppressed = s.scalar(select(count).where(mine, Message.status == "suppressed"))
        waiting = s.scalar(select(func.count(func.distinct(Activity.buyer_id))).where(
            Activity.seller_id == seller_id, Activity.kind == "message_received",
            (last_sent.is_(None)) | (Activity.occurred_at > last_sent)))
    return Attention(today or 0, failed or 0, suppressed or 0, waiting or 0)
