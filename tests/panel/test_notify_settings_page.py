"""Shipments → Buyer notifications: the seller's choices shown, saved, and refused with the field named."""
from __future__ import annotations

from crossborder_crm.shipments.notify_settings import load_notify_settings
from tests.panel.html import Page


def test_the_page_shows_the_default_choices(panel_a):
    page = Page(panel_a.get("/shipments/notifications").data)
    assert "checked" in page.find("n-delivered").attrs
    assert "checked" not in page.find("n-expired").attrs


def test_saving_stores_the_choices(panel_a, services, seller_a):
    r = panel_a.post("/shipments/notifications", data={"notify": ["in_transit", "delivered"], "follow_up": "on",
                                                       "help_url": "https://shop.example/help"})
    assert r.status_code == 302
    chosen = load_notify_settings(services.db, seller_a.seller_id)
    assert chosen.notify == {"in_transit", "delivered"} and chosen.follow_up and not chosen.delay_notices


def test_a_bad_help_link_is_refused_next_to_the_field_and_the_entries_kept(panel_a, services, seller_a):
    r = panel_a.post("/shipments/notifications", data={"notify": ["delivered"], "help_url": "ftp://x"})
    page = Page(r.data)
    assert r.status_code == 422 and "https://" in page.text("e-help")
    assert "checked" not in page.find("n-in_transit").attrs and "checked" in page.find("n-delivered").attrs
    assert load_notify_settings(services.db, seller_a.seller_id).notify != {"delivered"}


def test_the_shipments_page_links_to_it(panel_a):
    assert Page(panel_a.get("/shipments").data).attr("notify-settings", "href") == "/shipments/notifications"
