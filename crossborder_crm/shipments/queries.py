"""Database-level use cases for the API and the panel: list and read shipments, add one by API,
list orders."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossborder_crm.buyers.models import Order
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, NotFound, Reason, ValidationFailed
from crossborder_crm.outbox.models import Message
from crossborder_crm.shipments.events import CheckpointIn, ShipmentIn
from crossborder_crm.shipments.milestones import MILESTONES
from crossborder_crm.shipments.models import Checkpoint, Shipment
from crossborder_crm.shipments.notices import notices_of
from crossborder_crm.shipments.schemas import ShipmentCreate
from crossborder_crm.shipments.service import OrderNotYetKnown, apply_shipment
from crossborder_crm.validation import parse


def _limit(limit: int) -> None:
    if not 1 <= limit <= 500:
        raise ValidationFailed("invalid limit", {"limit": Reason(N_("between 1 and %(max)s"), max=500)})


def _page(rows: list, limit: int) -> tuple[list, int | None]:
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


def list_shipments(db: Database, seller_id: int, *, milestone: str | None = None, stalled: bool | None = None,
                   late: bool | None = None, buyer_id: int | None = None, order_id: int | None = None,
                   limit: int = 50, cursor: int | None = None) -> tuple[list[Shipment], int | None]:
    """Shipments newest first, by keyset on id; returns the page and the next cursor."""
    if milestone is not None and milestone not in MILESTONES:
        raise ValidationFailed("invalid filter",
                               {"milestone": Reason(N_("must be one of: %(choices)s"), choices=", ".join(MILESTONES))})
    _limit(limit)
    q = select(Shipment).where(Shipment.seller_id == seller_id)
    for column, value in ((Shipment.milestone, milestone), (Shipment.stalled, stalled), (Shipment.late, late),
                          (Shipment.buyer_id, buyer_id), (Shipment.order_id, order_id)):
        if value is not None:
            q = q.where(column == value)
    if cursor is not None:
        q = q.where(Shipment.id < cursor)
    with db.reading() as s:
        return _page(list(s.scalars(q.order_by(Shipment.id.desc()).limit(limit + 1))), limit)


def _shipment_row(s: Session, seller_id: int, shipment_id: int) -> Shipment:
    shipment = s.scalar(select(Shipment).where(Shipment.id == shipment_id, Shipment.seller_id == seller_id))
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} not found")
    return shipment


@dataclass(frozen=True)
class ShipmentDetail:
    """A shipment with its timeline (newest scan first), its order and the notices about it."""

    shipment: Shipment
    order: Order
    checkpoints: list[Checkpoint]
    notices: list[Message]


def get_shipment(db: Database, seller_id: int, shipment_id: int) -> ShipmentDetail:
    """One shipment of this seller (another seller's id is NotFound) with its timeline and notices."""
    with db.reading() as s:
        shipment = _shipment_row(s, seller_id, shipment_id)
        checkpoints = list(s.scalars(select(Checkpoint).where(Checkpoint.shipment_id == shipment.id)
                                     .order_by(Checkpoint.at.desc(), Checkpoint.id.desc())))
        order = s.get(Order, shipment.order_id)
        return ShipmentDetail(shipment, order, checkpoints, notices_of(s, seller_id, shipment.id))


def record_shipment(db: Database, clock: Clock, settings: Mapping[str, Any], seller_id: int,
                    data: Mapping[str, Any]) -> tuple[Shipment, bool]:
    """Add a parcel or scans in our generic format, through apply_shipment; returns it and whether it is new."""
    spec = parse(ShipmentCreate, data, "shipment")
    with db.transaction() as s:
        order = None
        if spec.order_id is not None:
            order = s.scalar(select(Order).where(Order.id == spec.order_id, Order.seller_id == seller_id))
            if order is None:
                raise ValidationFailed("invalid order_id",
                                       {"order_id": Reason(N_("no order %(id)s"), id=spec.order_id)})
        existed = s.scalar(select(Shipment.id).where(Shipment.seller_id == seller_id,
                                                     Shipment.tracking_number == spec.tracking_number))
        event = ShipmentIn(
            source="api", tracking_number=spec.tracking_number,
            order_marketplace=order.marketplace if order else None, order_external_id=order.external_id if order else None,
            carrier_name=spec.carrier_name, carrier_code=spec.carrier_code, tracking_url=spec.tracking_url,
            origin_country=spec.origin_country, destination_country=spec.destination_country,
            shipped_at=spec.shipped_at, expected_delivery=spec.expected_delivery, milestone=spec.status,
            checkpoints=tuple(CheckpointIn(at=c.at, milestone=c.status, raw_status=c.status, location=c.location,
                                           country=c.country, description=c.description) for c in spec.checkpoints))
        try:
            shipment = apply_shipment(s, clock, seller_id, event, settings)
        except OrderNotYetKnown:
            raise ValidationFailed("order_id is required for a new parcel",
                                   {"order_id": Reason(N_("no parcel with tracking number %(number)s yet: "
                                                          "give the order it belongs to"),
                                                       number=spec.tracking_number)}) from None
        return shipment, existed is None


def list_orders(db: Database, seller_id: int, *, buyer_id: int | None = None, marketplace: str | None = None,
                limit: int = 50, cursor: int | None = None) -> tuple[list[Order], int | None]:
    """Orders newest first, by keyset on id; returns the page and the next cursor."""
    _limit(limit)
    q = select(Order).where(Order.seller_id == seller_id)
    if buyer_id is not None:
        q = q.where(Order.buyer_id == buyer_id)
    if marketplace:
        q = q.where(Order.marketplace == marketplace)
    if cursor is not None:
        q = q.where(Order.id < cursor)
    with db.reading() as s:
        return _page(list(s.scalars(q.order_by(Order.id.desc()).limit(limit + 1))), limit)


def shipments_of_buyer(db: Database, seller_id: int, buyer_id: int, limit: int = 20) -> list[Shipment]:
    """A buyer's parcels, newest first (the buyer page)."""
    with db.reading() as s:
        return list(s.scalars(select(Shipment).where(Shipment.seller_id == seller_id, Shipment.buyer_id == buyer_id)
                              .order_by(Shipment.id.desc()).limit(limit)))
