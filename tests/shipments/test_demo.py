"""Demo parcels: recent demo orders get parcels through the service, some delivered, one stalled."""
from __future__ import annotations

from sqlalchemy import select

from crossborder_crm.buyers.demo import seed_demo
from crossborder_crm.clock import FixedClock
from crossborder_crm.shipments.models import Shipment
from crossborder_crm.shipments.scan import scan_shipments
from tests.shipments.conftest import NOW, SETTINGS


def test_demo_orders_get_parcels_some_delivered_and_one_stalled(sqlite_db):
    clock = FixedClock(NOW)
    demo = seed_demo(sqlite_db, clock, buyers=40, settings=SETTINGS)
    scan_shipments(sqlite_db, clock, SETTINGS)
    with sqlite_db.reading() as s:
        shipments = list(s.scalars(select(Shipment)))
    assert demo.shipments == len(shipments) > 0
    milestones = {sh.milestone for sh in shipments}
    assert "delivered" in milestones and milestones - {"delivered"}
    assert sum(sh.stalled for sh in shipments) >= 1
