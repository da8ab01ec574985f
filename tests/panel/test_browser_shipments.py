"""The shipment pages in a real browser: the list with a stalled parcel, a parcel's timeline, and
declaring an incident through the form (CSRF on, as in production)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers import service as buyers
from crossborder_crm.buyers.orders import add_order
from crossborder_crm.shipments.events import CheckpointIn, ShipmentIn
from crossborder_crm.shipments.scan import scan_shipments
from crossborder_crm.shipments.service import apply_shipment
from tests.panel import test_browser as base
from tests.panel.conftest import PASSWORD

pytestmark = pytest.mark.browser

# The Chromium fixture of test_browser.py, shared (not its test, which would run twice if imported).
browser = base.browser
_shot = base._shot


def _seed(svc) -> None:
    seller = create_seller(svc.db, svc.clock, "Aurora Silk Co.", "owner@aurora.example", PASSWORD)
    sid = seller.seller_id
    buyer = buyers.create_buyer(svc.db, svc.clock, sid, {"name": "Lucía García", "country": "ES",
                                                         "email": "lucia@example.es"})
    for ext in ("A-1", "A-2"):
        add_order(svc.db, svc.clock, sid, buyer.id, {"marketplace": "shopify", "external_id": ext,
                                                     "placed_at": "2026-02-20T10:00:00Z", "currency": "EUR",
                                                     "items": [{"title": "Silk scarf", "unit_price": "24.50"}]})
    now = svc.clock.now()
    scans = {"A-1": [("in_transit", 4, "Shenzhen"), ("arrived_destination", 1, "Madrid")],
             "A-2": [("in_transit", 12, "Guangzhou")]}
    for n, (ext, points) in enumerate(scans.items()):
        with svc.db.transaction() as s:
            apply_shipment(s, svc.clock, sid, ShipmentIn(
                source="shopify", tracking_number=f"LX{n}00CN", order_marketplace="shopify", order_external_id=ext,
                carrier_name="China Post", origin_country="CN", destination_country="ES",
                checkpoints=tuple(CheckpointIn(at=now - timedelta(days=d), milestone=m, raw_status=m, location=p)
                                  for m, d, p in points)), svc.settings)
    scan_shipments(svc.db, svc.clock, svc.settings)


@pytest.fixture
def live_server(sqlite_db, tmp_path):
    yield from base.serve_seeded(sqlite_db, tmp_path, _seed)


def test_seller_follows_parcels_and_declares_an_incident(live_server, browser):
    page = base.signed_in_page(browser, live_server, "owner@aurora.example")

    page.click("nav a[href='/shipments']")
    page.wait_for_selector("#shipments-table")
    assert "Stalled" in page.inner_text("#shipments-table")
    _shot(page, "shipments-list")
    page.click("#tab-stalled")
    page.wait_for_url("**flag=stalled**")
    assert "LX100CN" in page.inner_text("#shipments-table")
    assert "LX000CN" not in page.inner_text("#shipments-table")

    page.click("#tab-all")
    page.click("text=LX000CN >> xpath=ancestor::tr//a[contains(@class,'shipment-link')]")
    page.wait_for_selector("#timeline")
    timeline = page.inner_text("#timeline")
    assert timeline.index("Madrid") < timeline.index("Shenzhen")
    assert "Arrived in the buyer's country" in page.inner_text("#notices")
    _shot(page, "shipment-timeline")

    page.goto(live_server + "/shipments")
    page.click("#declare-incident")
    page.fill("#f-carriers", "China Post")
    page.fill("#f-reason", "Typhoon closes the Shenzhen hub")
    page.click("#save-incident")
    page.wait_for_selector("#past-incidents")
    assert "Typhoon closes the Shenzhen hub" in page.inner_text("#past-incidents")
    assert page.inner_text("#past-incidents tbody tr td.num") == "1"  # the stalled parcel's buyer
    _shot(page, "incident-declared")
