"""Read models over stored deliveries (the Settings page's last deliveries per source)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from crossborder_crm.db import Database
from crossborder_crm.marketplaces.models import WebhookDelivery


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    topic: str
    status: str
    received_at: datetime
    error: str | None


def recent_deliveries(db: Database, seller_id: int, sources: tuple[str, ...], per_source: int = 5
                      ) -> dict[str, list[DeliveryRow]]:
    """The seller's latest deliveries of each source, newest first (one indexed query per source)."""
    out: dict[str, list[DeliveryRow]] = {}
    with db.reading() as s:
        for source in sources:
            rows = s.execute(
                select(WebhookDelivery.id, WebhookDelivery.topic, WebhookDelivery.status,
                       WebhookDelivery.received_at, WebhookDelivery.error)
                .where(WebhookDelivery.seller_id == seller_id, WebhookDelivery.source == source)
                .order_by(WebhookDelivery.received_at.desc(), WebhookDelivery.id.desc()).limit(per_source))
            out[source] = [DeliveryRow(*row) for row in rows]
    return out
