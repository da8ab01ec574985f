"""The complaint inbox in a real browser: an overdue dispute leads the list, its reply is edited with
the tone check flagging blame as it is typed, then approved and sent (CSRF on, as in production)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers import service as buyers
from crossborder_crm.buyers.orders import add_order
from crossborder_crm.replies.drafting import create_draft
from crossborder_crm.shipments.events import CheckpointIn, ShipmentIn
from crossborder_crm.shipments.service import apply_shipment
from tests.panel import test_browser as base
from tests.panel.conftest import PASSWORD

pytestmark = pytest.mark.browser

browser = base.browser
_shot = base._shot


def _seed(svc) -> None:
    seller = create_seller(svc.db, svc.clock, "Aurora Silk Co.", "owner@aurora.example", PASSWORD)
    sid = seller.seller_id
    buyer = buyers.create_buyer(svc.db, svc.clock, sid, {"name": "Lucía García", "country": "ES",
                                                         "email": "lucia@example.es"})
    add_order(svc.db, svc.clock, sid, buyer.id, {"marketplace": "shopify", "external_id": "A-1", "reference": "#1001",
                                                 "placed_at": "2026-02-20T10:00:00Z", "currency": "EUR",
                                                 "items": [{"title": "Pañuelo de seda", "unit_price": "24.50"}]})
    now = svc.clock.now()
    with svc.db.transaction() as s:
        apply_shipment(s, svc.clock, sid, ShipmentIn(
            source="shopify", tracking_number="LX100CN", order_marketplace="shopify", order_external_id="A-1",
            carrier_name="China Post", origin_country="CN", destination_country="ES",
            checkpoints=(CheckpointIn(at=now - timedelta(days=9), milestone="in_transit", raw_status="in_transit",
                                      location="Shenzhen"),
                         CheckpointIn(at=now - timedelta(days=2), milestone="arrived_destination",
                                      raw_status="arrived", location="Madrid"))), svc.settings)
    with svc.db.transaction() as s:  # a conversation needs an address the buyer can answer
        s.execute(update(Seller).where(Seller.id == sid).values(reply_to="help@aurora.example"))
    create_draft(svc.db, svc.clock, sid, {"kind": "dispute", "order_ref": "#1001",
                                          "text": "Pedí el pañuelo hace semanas y todavía no ha llegado."},
                 received_at=now - timedelta(days=2), source="shopify")
    create_draft(svc.db, svc.clock, sid, {"kind": "message", "buyer_id": buyer.id,
                                          "text": "¿Tienen este pañuelo en azul?"})


@pytest.fixture
def live_server(sqlite_db, tmp_path):
    yield from base.serve_seeded(sqlite_db, tmp_path, _seed)


def test_seller_answers_an_overdue_dispute_from_the_inbox(live_server, browser):
    page = base.signed_in_page(browser, live_server, "owner@aurora.example")

    page.click("nav a[href='/inbox']")
    page.wait_for_selector("#inbox-table")
    rows = page.locator("#inbox-table tbody tr")
    assert "Overdue" in rows.nth(0).inner_text() and "Dispute" in rows.nth(0).inner_text()
    _shot(page, "inbox")

    rows.nth(0).locator("a[id^=open-draft]").click()
    page.wait_for_selector("#reply-body")
    assert "Madrid" in page.inner_text("#seller-body")
    assert page.is_visible("#tone-ok")
    page.fill("#reply-body", page.input_value("#reply-body") + "\n\nNo es nuestra culpa.")
    page.wait_for_selector("#tone-warnings li.tone-blaming")
    assert "No es nuestra culpa" in page.inner_text("#tone-warnings")
    _shot(page, "inbox-draft-tone")

    page.click("#save-reply")
    page.wait_for_selector("#approve-draft")
    assert "Reply saved" in page.inner_text("body")
    page.click("#approve-draft")
    page.wait_for_selector("#send-draft")
    page.click("#send-draft")
    page.wait_for_selector("#draft-sent")
    assert page.is_visible("#draft-message")
    history = page.inner_text("#history")
    assert [word for word in ("Drafted", "Edited", "Approved", "Sent by email") if word in history] == [
        "Drafted", "Edited", "Approved", "Sent by email"]
    _shot(page, "inbox-draft-sent")

    page.click("nav a[href='/inbox']")
    page.click("#insights-link")
    page.wait_for_selector("#insights-table")
    assert "Not received" in page.inner_text("#insights-table")
    assert page.inner_text("#digest-total") == "1"  # the last 7 full days: today's message is not in yet
    page.select_option("#f-by", "carrier,route")
    page.click("#apply-insights")
    page.wait_for_url("**by=carrier%2Croute**")
    assert "China Post" in page.inner_text("#insights-table")
    _shot(page, "inbox-insights")

    page.goto(live_server + "/inbox/faq")
    page.fill("#f-title", "Colours")
    page.fill("#f-body", "We have it in blue and green.")
    page.click("#save-new-reply")
    page.wait_for_selector(".saved-reply")
    assert "We have it in blue and green." in page.inner_text("#saved")
    _shot(page, "inbox-faq")

    page.click("nav a[href='/campaigns']")
    page.wait_for_selector("#holidays-table")
    assert "ES" in page.inner_text("#holidays-table")
    _shot(page, "campaigns")
