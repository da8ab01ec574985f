"""The shipment pages: the list with its flags and filters, a parcel's timeline and notices, the
incident form, the buyer page's parcels, and sealed tenants."""
from __future__ import annotations

from datetime import timedelta

import pytest

from crossborder_crm.shipments.events import CheckpointIn, ShipmentIn
from crossborder_crm.shipments.scan import scan_shipments
from crossborder_crm.shipments.service import apply_shipment
from tests.panel.html import Page


def ship(services, seller_id, tracking, order="1001", *scans, **fields):
    """Apply a parcel of the Shopify order `order`; scans are (milestone, days before now, place)."""
    now = services.clock.now()
    checkpoints = tuple(CheckpointIn(at=now - timedelta(days=d), milestone=m, raw_status=m, location=place)
                        for m, d, place in scans)
    with services.db.transaction() as s:
        return apply_shipment(s, services.clock, seller_id, ShipmentIn(
            source="shopify", tracking_number=tracking, order_marketplace="shopify", order_external_id=order,
            checkpoints=checkpoints, **fields), services.settings)


@pytest.fixture
def parcels(services, seller_a, shop_a):
    sid = seller_a.seller_id
    moving = ship(services, sid, "LX100", "1001", ("in_transit", 2, "Shenzhen"), ("arrived_destination", 0.5, "Madrid"),
                  carrier_name="YunExpress")
    stuck = ship(services, sid, "LX200", "1002", ("in_transit", 10, "Shenzhen"), carrier_name="China Post")
    scan_shipments(services.db, services.clock, services.settings)
    return {"moving": moving, "stuck": stuck}


def test_the_list_shows_parcels_with_their_milestone_and_flags(panel_a, parcels):
    page = Page(panel_a.get("/shipments").data)
    stuck = page.text(f"shipment-{parcels['stuck'].id}")
    assert "LX200" in stuck and "Stalled" in stuck
    assert "Arrived in the buyer's country" in page.text(f"shipment-{parcels['moving'].id}")


def test_the_stalled_tab_lists_only_stalled_parcels(panel_a, parcels):
    text = Page(panel_a.get("/shipments?flag=stalled").data).text("shipments-table")
    assert "LX200" in text and "LX100" not in text


def test_an_unknown_milestone_filter_says_so(panel_a, parcels):
    r = panel_a.get("/shipments?milestone=teleported")
    assert r.status_code == 422 and "Choose one of the listed milestones." in Page(r.data).text()


def test_a_parcel_page_shows_its_timeline_and_the_notice_sent(panel_a, parcels):
    page = Page(panel_a.get(f"/shipments/{parcels['moving'].id}").data)
    timeline = page.text("timeline")
    assert timeline.index("Madrid") < timeline.index("Shenzhen")  # newest first
    assert "Arrived in the buyer's country" in page.text("notices")


def test_another_sellers_parcel_is_404(panel_b, parcels):
    assert panel_b.get(f"/shipments/{parcels['moving'].id}").status_code == 404


def test_the_buyer_page_lists_the_buyers_parcels(panel_a, parcels, shop_a):
    text = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data).text("parcels")
    assert "LX100" in text and "LX200" in text


def test_declaring_an_incident_notifies_buyers_on_the_route(panel_a, parcels):
    r = panel_a.post("/shipments/incidents", data={"carriers": "China Post", "starts_on": "2026-03-01",
                                                   "reason": "Typhoon at the Shenzhen hub"})
    assert r.status_code == 302
    text = Page(panel_a.get("/shipments/incidents").data).text("past-incidents")
    assert "Typhoon at the Shenzhen hub" in text and "China Post" in text


def test_an_incident_without_carrier_or_route_is_refused_with_the_reason(panel_a, parcels):
    r = panel_a.post("/shipments/incidents", data={"starts_on": "2026-03-01", "reason": "Strike"})
    assert r.status_code == 422 and "carrier or one route" in Page(r.data).text("e-general")


def test_an_incident_with_a_bad_country_marks_the_field(panel_a, parcels):
    r = panel_a.post("/shipments/incidents", data={"destination": "XX", "starts_on": "2026-03-01",
                                                   "reason": "Strike"})
    assert r.status_code == 422 and Page(r.data).find("e-destination") is not None
