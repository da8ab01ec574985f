"""Reading delivery events for the panel: a buyer's, a message's, and the last few per provider."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from crossborder_crm.db import Database
from crossborder_crm.feedback.models import DeliveryEvent


@dataclass(frozen=True)
class EventRow:
    """One event as the panel lists it (never the raw payload)."""

    id: int
    source: str
    kind: str
    recipient: str
    occurred_at: datetime
    detail: str | None
    action: str | None
    message_id: int | None


_COLUMNS = (DeliveryEvent.id, DeliveryEvent.source, DeliveryEvent.kind, DeliveryEvent.recipient,
            DeliveryEvent.occurred_at, DeliveryEvent.detail, DeliveryEvent.action, DeliveryEvent.message_id)


def _rows(db: Database, *where, limit: int) -> list[EventRow]:
    with db.reading() as s:
        found = s.execute(select(*_COLUMNS).where(*where)
                          .order_by(DeliveryEvent.occurred_at.desc(), DeliveryEvent.id.desc()).limit(limit))
        return [EventRow(*row) for row in found]


def events_for_buyer(db: Database, seller_id: int, buyer_id: int, limit: int = 50) -> list[EventRow]:
    """The buyer's bounces and complaints, newest first."""
    return _rows(db, DeliveryEvent.seller_id == seller_id, DeliveryEvent.buyer_id == buyer_id, limit=limit)


def events_for_message(db: Database, seller_id: int, message_id: int, limit: int = 50) -> list[EventRow]:
    """The bounces and complaints about one message, newest first."""
    return _rows(db, DeliveryEvent.seller_id == seller_id, DeliveryEvent.message_id == message_id, limit=limit)


def recent_events(db: Database, seller_id: int, sources: Iterable[str], per_source: int = 5
                  ) -> dict[str, list[EventRow]]:
    """The last few events each provider sent, by time received."""
    out: dict[str, list[EventRow]] = {}
    with db.reading() as s:
        for source in sources:
            found = s.execute(select(*_COLUMNS).where(DeliveryEvent.seller_id == seller_id,
                                                      DeliveryEvent.source == source)
                              .order_by(DeliveryEvent.received_at.desc(), DeliveryEvent.id.desc()).limit(per_source))
            out[source] = [EventRow(*row) for row in found]
    return out
