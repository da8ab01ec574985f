"""Applying stored deliveries: orders and buyers through buyers.sync, shipments through shipments.service.

Each delivery is applied in one transaction. If it raises, that transaction rolls back and a second
one records why: `waiting` (its order or shipment is not there yet; retried when it comes) or
`failed` (replayable). A delivery is claimed by an UPDATE of its `received` row, so several
workers (or threads) share the queue and each delivery is applied once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Mapping

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from crossborder_crm.buyers.models import Order
from crossborder_crm.buyers.sync import (
    BuyerNotKnown,
    find_buyer,
    record_buyer_event,
    upsert_customer,
    upsert_order,
)
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import CrmError
from crossborder_crm.marketplaces.events import BuyerEventIn, CustomerIn, Ignored, OrderIn, PayloadInvalid
from crossborder_crm.marketplaces.models import WebhookDelivery
from crossborder_crm.marketplaces.payload import NotJson, parse_json
from crossborder_crm.marketplaces.sources import ADAPTERS
from crossborder_crm.shipments.events import ShipmentIn
from crossborder_crm.shipments.service import OrderNotYetKnown, apply_shipment

log = logging.getLogger(__name__)

# A delivery that keeps colliding with a concurrent one (unique constraints) is retried this often.
MAX_ATTEMPTS = 3


class Waiting(Exception):
    """The delivery needs an order or shipment that is not stored yet; `key` says which."""

    def __init__(self, key: str, reason: str):
        super().__init__(reason)
        self.key = key


@dataclass
class PassResult:
    """How many deliveries a pass moved to each status."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def order_key(marketplace: str, external_id: str) -> str:
    return f"order:{marketplace}:{external_id}"


def tracking_key(tracking_number: str) -> str:
    return f"tracking:{tracking_number}"


def _wake(s: Session, seller_id: int, key: str) -> None:
    """Deliveries waiting for this order or shipment go back to the queue (in this transaction)."""
    s.execute(update(WebhookDelivery).where(WebhookDelivery.seller_id == seller_id,
                                            WebhookDelivery.status == "waiting",
                                            WebhookDelivery.waiting_for == key)
              .values(status="received", waiting_for=None))


def _apply_event(s: Session, clock: Clock, settings: Mapping, seller_id: int, event) -> str:
    if isinstance(event, Ignored):
        return "ignored"
    if isinstance(event, OrderIn):
        result = upsert_order(s, clock, seller_id, event)
        _wake(s, seller_id, order_key(result.order.marketplace, result.order.external_id))
        return "applied" if result.changed else "ignored"
    if isinstance(event, CustomerIn):
        if event.country is None and find_buyer(s, seller_id, event.marketplace, event.external_id,
                                                event.email) is None:
            return "ignored"  # a sign-up without an address: the buyer is made with their first order
        upsert_customer(s, clock, seller_id, event)
        return "applied"
    if isinstance(event, ShipmentIn):
        try:
            apply_shipment(s, clock, seller_id, event, settings)
        except OrderNotYetKnown as exc:
            key = (order_key(event.order_marketplace or event.source, event.order_external_id)
                   if event.order_external_id else tracking_key(event.tracking_number))
            raise Waiting(key, str(exc) or f"waiting for {key}") from None
        _wake(s, seller_id, tracking_key(event.tracking_number))
        return "applied"
    if isinstance(event, BuyerEventIn):
        try:
            record_buyer_event(s, clock, seller_id, event)
        except BuyerNotKnown as exc:
            if not event.order_external_id:
                raise
            raise Waiting(order_key(event.marketplace, event.order_external_id), str(exc)) from None
        return "applied"
    raise TypeError(f"no way to apply {type(event).__name__}")


def _apply_row(s: Session, clock: Clock, settings: Mapping, row: WebhookDelivery) -> str:
    adapter = ADAPTERS[row.source]
    events = adapter.events(row.topic, parse_json(row.body))
    outcomes = [_apply_event(s, clock, settings, row.seller_id, event) for event in events]
    return "applied" if "applied" in outcomes else "ignored"


def _order_exists(s: Session, delivery_id: int, key: str) -> bool:
    kind, _, rest = key.partition(":")
    marketplace, _, external_id = rest.partition(":")
    seller_id = select(WebhookDelivery.seller_id).where(WebhookDelivery.id == delivery_id).scalar_subquery()
    return kind == "order" and s.scalar(select(Order.id).where(
        Order.seller_id == seller_id, Order.marketplace == marketplace,
        Order.external_id == external_id).limit(1)) is not None


def _mark(db: Database, delivery_id: int, **values) -> None:
    """Record an outcome, unless another applier has meanwhile applied the delivery."""
    with db.transaction() as s:
        s.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                WebhookDelivery.status == "received").values(**values))


def apply_one(db: Database, clock: Clock, settings: Mapping, delivery_id: int) -> str | None:
    """Apply one `received` delivery; its new status, or None if another worker holds it or it is done."""
    try:
        with db.transaction() as s:
            # Claim by writing first: a second applier (another worker, or on SQLite, which has no
            # row locks, another thread) waits for this transaction and then finds nothing to claim.
            claimed = s.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                              WebhookDelivery.status == "received")
                                .values(attempts=WebhookDelivery.attempts + 1)).rowcount
            if not claimed:
                return None
            row = s.get(WebhookDelivery, delivery_id)
            status = _apply_row(s, clock, settings, row)
            row.status, row.error, row.waiting_for, row.applied_at = status, None, None, clock.now()
            return status
    except OperationalError:
        log.warning("webhook delivery %s: database busy, left for the next pass", delivery_id, exc_info=True)
        return None
    except Waiting as exc:
        with db.transaction() as s:
            # The order may have been stored while this delivery was being tried: then no wake-up
            # would come, so it goes straight back to the queue.
            status = "received" if _order_exists(s, delivery_id, exc.key) else "waiting"
            s.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                    WebhookDelivery.status == "received").values(
                status=status, waiting_for=exc.key[:300] if status == "waiting" else None,
                error=str(exc)[:2000], attempts=WebhookDelivery.attempts + 1))
        return status
    except IntegrityError as exc:
        # Two deliveries about the same new order or buyer at once: the other one won; try again.
        with db.transaction() as s:
            attempts = s.scalar(select(WebhookDelivery.attempts).where(WebhookDelivery.id == delivery_id)) + 1
            status = "received" if attempts < MAX_ATTEMPTS else "failed"
            s.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                    WebhookDelivery.status == "received").values(
                status=status, attempts=attempts,
                error=f"conflict with a concurrent delivery: {str(exc.orig).splitlines()[0][:300]}"))
        return status
    except (PayloadInvalid, CrmError, NotJson, BuyerNotKnown, ValueError) as exc:
        _mark(db, delivery_id, status="failed", error=_reason(exc)[:2000], attempts=WebhookDelivery.attempts + 1)
        return "failed"
    except Exception as exc:  # an unexpected bug must not stop the queue: keep it visible and replayable
        log.exception("webhook delivery %s failed", delivery_id)
        _mark(db, delivery_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000],
              attempts=WebhookDelivery.attempts + 1)
        return "failed"


def _reason(exc: Exception) -> str:
    if isinstance(exc, CrmError) and exc.fields:
        field_name, why = next(iter(exc.fields.items()))
        return f"{exc.message} ({field_name}: {why})"
    return str(exc)


def apply_pending(db: Database, clock: Clock, settings: Mapping, limit: int = 200) -> PassResult:
    """Apply `received` deliveries oldest first, including those a just-applied order woke up."""
    result = PassResult()
    seen: set[int] = set()
    while result.total < limit:
        with db.reading() as s:
            ids = [i for i in s.scalars(select(WebhookDelivery.id).where(WebhookDelivery.status == "received")
                                        .order_by(WebhookDelivery.id).limit(limit)) if i not in seen]
        if not ids:
            break
        for delivery_id in ids:
            seen.add(delivery_id)
            status = apply_one(db, clock, settings, delivery_id)
            if status is not None:
                result.add(status)
            if status == "received":
                seen.discard(delivery_id)  # a collision: retried in the next round
    return result


def replay(db: Database, clock: Clock, settings: Mapping, *, delivery_id: int | None = None,
           status: str | None = None, seller_id: int | None = None) -> PassResult:
    """Queue deliveries again (one by id, or every one with a status) and apply them now."""
    query = update(WebhookDelivery)
    if delivery_id is not None:
        query = query.where(WebhookDelivery.id == delivery_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if seller_id is not None:
        query = query.where(WebhookDelivery.seller_id == seller_id)
    with db.transaction() as s:
        s.execute(query.values(status="received", waiting_for=None))
    return apply_pending(db, clock, settings, limit=10_000)
