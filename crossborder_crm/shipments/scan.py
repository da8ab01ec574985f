"""The periodic shipment scan: stalled and late parcels, follow-ups after delivery, active incidents.

A plain function of (db, clock, settings) the worker runs in one worker at a time; each batch is
its own transaction and every notice has its idempotency key, so a crash or a rerun is harmless.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message
from crossborder_crm.shipments.incidents import notify_incident
from crossborder_crm.shipments.milestones import ENDED
from crossborder_crm.shipments.models import Incident, Shipment
from crossborder_crm.shipments.notices import FOLLOW_UP, ORIGIN, cancel_notices, enqueue_notice, notice_context
from crossborder_crm.shipments.settings import seller_shipment_settings, stalled_days

BATCH = 200
# A delivery older than the follow-up delay plus this is history: no follow-up for it any more.
FOLLOW_UP_WINDOW = timedelta(days=7)


@dataclass
class ScanResult:
    """What one scan did."""

    stalled: int = 0
    late: int = 0
    delay_notices: int = 0
    follow_ups: int = 0
    follow_ups_cancelled: int = 0
    incident_notices: int = 0
    errors: list[str] = field(default_factory=list)


def scan_shipments(db: Database, clock: Clock, settings: Mapping[str, Any]) -> ScanResult:
    """Flag stalled/late parcels (delay notice once per episode), send due follow-ups, cancel
    follow-ups a dispute or a buyer's message made moot, and notify active incidents."""
    result = ScanResult()
    _flag_open(db, clock, settings, result)
    _follow_ups(db, clock, settings, result)
    with db.transaction() as s:
        result.follow_ups_cancelled += cancel_moot_follow_ups(s, clock.now())
    _incidents(db, clock, settings, result)
    return result


def delay_state(shipment: Shipment, now: datetime, settings: Mapping[str, Any]) -> tuple[bool, bool, int]:
    """(stalled, late, whole days without news) for an open parcel."""
    last = shipment.last_checkpoint_at or shipment.shipped_at or shipment.created_at
    quiet_days = max(0, (now - last).days)
    stalled = quiet_days >= stalled_days(settings, shipment.origin_country, shipment.destination_country)
    late = shipment.expected_delivery is not None and now.date() > shipment.expected_delivery
    return stalled, late, quiet_days


def _flag_open(db: Database, clock: Clock, settings: Mapping[str, Any], result: ScanResult) -> None:
    last_id = 0
    while True:
        with db.transaction() as s:
            batch = list(s.scalars(select(Shipment).where(Shipment.delivered_at.is_(None), Shipment.id > last_id,
                                                          Shipment.milestone.not_in(ENDED))
                                   .order_by(Shipment.id).limit(BATCH)))
            if not batch:
                return
            for shipment in batch:
                _flag_one(s, clock, settings, shipment, result)
            last_id = batch[-1].id


def _flag_one(s: Session, clock: Clock, settings: Mapping[str, Any], shipment: Shipment, result: ScanResult) -> None:
    now = clock.now()
    stalled, late, quiet_days = delay_state(shipment, now, settings)
    was_flagged = shipment.stalled or shipment.late
    if (stalled, late) != (shipment.stalled, shipment.late):
        shipment.stalled, shipment.late, shipment.updated_at = stalled, late, now
    result.stalled += stalled
    result.late += late
    if not (stalled or late) or was_flagged:
        return
    shipment.delay_episode += 1
    choices = seller_shipment_settings(s.get(Seller, shipment.seller_id).settings)
    if not choices.delay_notices:
        return
    ctx = notice_context(s.get(Order, shipment.order_id), shipment, choices.help_url, days_without_news=quiet_days)
    enqueue_notice(s, clock, settings, shipment, "shipment_delay",
                   f"shipment:{shipment.id}:delay:{shipment.delay_episode}", ctx, likely_online=True)
    result.delay_notices += 1


def follow_up_blocker(order: Order, buyer: Buyer, shipment: Shipment) -> str | None:
    """Why the follow-up must not go (a dispute is open, the buyer wrote since delivery), or None."""
    if order.dispute_open:
        return "dispute open"
    if buyer.last_buyer_message_at is not None and shipment.delivered_at is not None \
            and buyer.last_buyer_message_at >= shipment.delivered_at:
        return "buyer wrote since delivery"
    return None


def _follow_ups(db: Database, clock: Clock, settings: Mapping[str, Any], result: ScanResult) -> None:
    now = clock.now()
    due = now - timedelta(days=int(settings.get("SHIPMENT_FOLLOW_UP_DAYS", 5)))
    keys = select(Message.idempotency_key).where(Message.seller_id == Shipment.seller_id,
                                                 Message.origin == ORIGIN, Message.template == FOLLOW_UP,
                                                 Message.origin_ref == Shipment.id.cast(String))
    with db.transaction() as s:
        rows = s.execute(select(Shipment, Order, Buyer).join(Order, Order.id == Shipment.order_id)
                         .join(Buyer, Buyer.id == Shipment.buyer_id)
                         .where(Shipment.milestone == "delivered", Shipment.delivered_at <= due,
                                Shipment.delivered_at > due - FOLLOW_UP_WINDOW, ~keys.exists())
                         .order_by(Shipment.id).limit(BATCH * 5)).all()
        for shipment, order, buyer in rows:
            choices = seller_shipment_settings(s.get(Seller, shipment.seller_id).settings)
            if not choices.follow_up or follow_up_blocker(order, buyer, shipment):
                continue
            enqueue_notice(s, clock, settings, shipment, FOLLOW_UP, f"shipment:{shipment.id}:follow_up",
                           notice_context(order, shipment, choices.help_url), likely_online=True)
            result.follow_ups += 1


def cancel_moot_follow_ups(s: Session, now: datetime, seller_id: int | None = None) -> int:
    """Cancel unsent follow-ups whose order has a dispute open or whose buyer wrote since delivery.

    Dispute handling and incoming buyer messages may call it right after setting those flags.
    """
    q = (select(Message, Shipment, Order, Buyer)
         .join(Shipment, Message.origin_ref == Shipment.id.cast(String))
         .join(Order, Order.id == Shipment.order_id).join(Buyer, Buyer.id == Shipment.buyer_id)
         .where(Message.origin == ORIGIN, Message.template == FOLLOW_UP, Message.status == "scheduled"))
    if seller_id is not None:
        q = q.where(Message.seller_id == seller_id)
    count = 0
    for msg, shipment, order, buyer in s.execute(q).all():
        reason = follow_up_blocker(order, buyer, shipment)
        if reason:
            count += cancel_notices(s, now, [msg], reason)
    return count


def _incidents(db: Database, clock: Clock, settings: Mapping[str, Any], result: ScanResult) -> None:
    today = clock.now().date()
    with db.reading() as s:
        active = [(i.id, i.seller_id) for i in s.scalars(select(Incident).where(
            (Incident.ends_on.is_(None)) | (Incident.ends_on >= today), Incident.starts_on <= today))]
    for incident_id, seller_id in active:
        with db.transaction() as s:
            result.incident_notices += notify_incident(s, clock, settings, s.get(Incident, incident_id))
