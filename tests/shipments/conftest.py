"""A seller with one buyer and one order on a migrated database, and shipment helpers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers.orders import add_order
from crossborder_crm.buyers.service import create_buyer
from crossborder_crm.clock import FixedClock
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message
from crossborder_crm.shipments.events import CheckpointIn, ShipmentIn
from crossborder_crm.shipments.models import Shipment
from crossborder_crm.shipments.service import apply_shipment

# Tue 2026-03-10 14:00 UTC: 15:00 in Berlin, outside the default quiet hours.
NOW = datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc)
SETTINGS = {"MAIL_FROM_DOMAIN": "crm.test", "SHIPMENT_DEFAULT_TRANSIT_DAYS": 14,
            "SHIPMENT_TRANSIT_DAYS_BY_DESTINATION": "", "SHIPMENT_STALLED_DAYS": 7,
            "SHIPMENT_STALLED_DAYS_BY_ROUTE": "", "SHIPMENT_FOLLOW_UP_DAYS": 5}


@dataclass
class World:
    db: Database
    clock: FixedClock
    seller_id: int
    buyer_id: int
    order_id: int
    settings: dict

    def apply(self, event: ShipmentIn, seller_id: int | None = None) -> Shipment:
        with self.db.transaction() as s:
            return apply_shipment(s, self.clock, seller_id or self.seller_id, event, self.settings)

    def shipment(self, tracking: str = "TRK1") -> Shipment:
        with self.db.reading() as s:
            return s.scalar(select(Shipment).where(Shipment.tracking_number == tracking))

    def notices(self) -> list[Message]:
        with self.db.reading() as s:
            return list(s.scalars(select(Message).where(Message.origin == "milestone").order_by(Message.id)))

    def add_order(self, external_id: str, buyer_id: int | None = None) -> int:
        return add_order(self.db, self.clock, self.seller_id, buyer_id or self.buyer_id, {
            "marketplace": "shopify", "external_id": external_id, "placed_at": "2026-03-01T10:00:00Z",
            "currency": "EUR", "items": [{"title": "Tea set", "quantity": 2, "unit_price": "12.50"}]}).id


def make_world(db: Database, name: str = "Shop A", email: str = "a@example.com") -> World:
    clock = FixedClock(NOW)
    seller = create_seller(db, clock, name, email, "correct horse 1")
    buyer = create_buyer(db, clock, seller.seller_id, {"name": "Anna", "email": "anna@example.de", "country": "DE"})
    world = World(db, clock, seller.seller_id, buyer.id, 0, dict(SETTINGS))
    world.order_id = world.add_order("1001")
    return world


@pytest.fixture
def world(sqlite_db) -> World:
    return make_world(sqlite_db)


@pytest.fixture
def world_any(database) -> World:
    """The same world on SQLite and on PostgreSQL."""
    return make_world(database)


def ship(tracking: str = "TRK1", order: str | None = "1001", *, source: str = "shopify",
         checkpoints: tuple = (), **fields) -> ShipmentIn:
    """A ShipmentIn for the world's order."""
    return ShipmentIn(source=source, tracking_number=tracking, order_marketplace="shopify" if order else None,
                      order_external_id=order, checkpoints=tuple(checkpoints), **fields)


def cp(milestone: str, hours_ago: float, location: str | None = "Leipzig", raw: str | None = None) -> CheckpointIn:
    """A checkpoint `hours_ago` before NOW."""
    return CheckpointIn(at=NOW - timedelta(hours=hours_ago), milestone=milestone, raw_status=raw or milestone,
                        location=location, country="DE")
