"""What the buyer hears about a parcel: notices put in the outbox once, and cancelled when overtaken.

Every notice is a transactional outbox message with origin "milestone" and origin_ref the
shipment id; its idempotency key makes it at most once.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.clock import Clock
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.service import NewMessage, Scheduled, choose_instant_explained, enqueue
from crossborder_crm.shipments.milestones import MILESTONES
from crossborder_crm.shipments.models import Shipment

ORIGIN = "milestone"
MILESTONE_TEMPLATES = tuple(f"shipment_{m}" for m in MILESTONES)
DELAY, INCIDENT, FOLLOW_UP = "shipment_delay", "shipment_incident", "shipment_follow_up"
# A milestone reached longer ago than this is history (an import, a late first sync): no mail.
STALE_AFTER = timedelta(days=3)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def notice_context(order: Order | None, shipment: Shipment, help_url: str | None, **extra: Any) -> dict:
    """The template context (JSON-safe) for a shipment notice; unknown values are None."""
    ctx = {
        "order_ref": (order.reference or order.external_id) if order else None,
        "items": [{"name": i.title, "quantity": i.quantity} for i in order.items] if order else [],
        "order_total_minor": order.total_minor if order else None,
        "currency": order.currency if order else None,
        "carrier_name": shipment.carrier_name or shipment.carrier_code,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "shipped_at": _iso(shipment.shipped_at),
        "expected_delivery": _iso(shipment.expected_delivery),
        "destination_country": shipment.destination_country,
        "last_location": shipment.last_location,
        "last_checkpoint_at": _iso(shipment.last_checkpoint_at),
        "duties_note": None,
        "days_without_news": None,
        "incident_reason": None,
        "help_url": help_url,
    }
    ctx.update(extra)
    return ctx


def enqueue_notice(s: Session, clock: Clock, settings: Mapping[str, Any], shipment: Shipment, template: str,
                   key: str, context: dict, *, likely_online: bool = False) -> Scheduled:
    """Put one notice in the outbox (or return the one already there under `key`).

    Milestone news goes as soon as quiet hours allow; `likely_online` notices (delay, incident,
    follow-up) wait for the buyer's first likely-online hour, as a reply would.
    """
    send_at: Any = "best"
    chosen = None
    if likely_online and not _exists(s, shipment.seller_id, key):
        seller = s.get(Seller, shipment.seller_id)
        buyer = s.get(Buyer, shipment.buyer_id)
        chosen = choose_instant_explained(s, seller, buyer, "conversation", "best", clock.now())
        send_at = chosen[0]
    new = NewMessage(seller_id=shipment.seller_id, buyer_id=shipment.buyer_id, kind="transactional",
                     idempotency_key=key, send_at=send_at, template=template, context=context,
                     origin=ORIGIN, origin_ref=str(shipment.id))
    result = enqueue(s, clock, new, mail_domain=settings.get("MAIL_FROM_DOMAIN", "crm.localhost"))
    if result.created and chosen is not None:
        # The instant came from the likely-online model, not from the seller: say so.
        result.message.explanation, result.message.explanation_data = chosen[1][:500], chosen[2]
    return result


def _exists(s: Session, seller_id: int, key: str) -> bool:
    return s.scalar(select(Message.id).where(Message.seller_id == seller_id,
                                             Message.idempotency_key == key)) is not None


def pending_notices(s: Session, shipment: Shipment, templates: tuple[str, ...]) -> list[Message]:
    """This shipment's notices with one of `templates` that have not gone out yet."""
    return list(s.scalars(select(Message).where(
        Message.seller_id == shipment.seller_id, Message.origin == ORIGIN,
        Message.origin_ref == str(shipment.id), Message.status == "scheduled",
        Message.template.in_(templates))))


def cancel_notices(s: Session, now: datetime, messages: list[Message], reason: str,
                   keep: int | None = None) -> int:
    """Cancel unsent notices (all but `keep`), recording why in last_error; returns how many."""
    count = 0
    for msg in messages:
        if msg.id == keep or msg.status != "scheduled":
            continue
        msg.status, msg.last_error, msg.updated_at = "cancelled", reason[:500], now
        count += 1
    return count


def notices_of(s: Session, seller_id: int, shipment_id: int) -> list[Message]:
    """Every notice of a shipment, oldest first (the shipment page)."""
    return list(s.scalars(select(Message).where(Message.seller_id == seller_id, Message.origin == ORIGIN,
                                                Message.origin_ref == str(shipment_id)).order_by(Message.id)))
