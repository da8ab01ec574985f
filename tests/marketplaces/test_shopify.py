from datetime import datetime, timezone
from decimal import Decimal

import pytest

from crossborder_crm.marketplaces import shopify
from crossborder_crm.marketplaces.events import CustomerIn, Ignored, OrderIn, PayloadInvalid
from crossborder_crm.marketplaces.payload import parse_json
from crossborder_crm.shipments.events import ShipmentIn
from tests.marketplaces.payloads import (
    BIG_CUSTOMER_ID,
    BIG_ORDER_ID,
    TRACKING,
    dumps,
    shopify_fulfillment,
    shopify_order,
)


def _events(topic, payload):
    return shopify.events(topic, parse_json(dumps(payload)))


def test_an_order_keeps_its_id_above_2_53_exact():
    [order] = _events("orders/create", shopify_order())
    assert isinstance(order, OrderIn) and order.external_id == str(BIG_ORDER_ID) == "9007199254740993"
    assert order.customer.external_id == str(BIG_CUSTOMER_ID)


def test_an_order_carries_money_as_decimals_and_its_lines():
    [order] = _events("orders/create", shopify_order())
    assert (order.currency, order.total, order.order_ref) == ("EUR", Decimal("59.80"), "#1001")
    assert [(i.title, i.quantity, i.unit_price) for i in order.items] == [
        ("Silk scarf", 2, Decimal("24.90")), ("Gift box", 1, Decimal("10.00"))]


def test_order_times_are_converted_from_their_offset_to_utc():
    [order] = _events("orders/create", shopify_order())
    assert order.placed_at == datetime(2026, 3, 9, 15, 15, tzinfo=timezone.utc)
    assert order.source_updated_at == datetime(2026, 3, 9, 15, 15, 3, tzinfo=timezone.utc)


def test_an_order_time_without_offset_is_refused_not_taken_as_utc():
    payload = shopify_order()
    payload["processed_at"] = "2026-03-09T10:15:00"
    with pytest.raises(PayloadInvalid, match="offset"):
        _events("orders/create", payload)


def test_the_shipping_address_and_locale_fill_the_profile():
    [order] = _events("orders/create", shopify_order())
    c = order.customer
    assert (c.country, c.city, c.postal_code, c.locale, c.name) == ("FR", "Lyon", "69002", "fr-FR", "Camille Durand")


@pytest.mark.parametrize("topic,changes,status", [
    ("orders/paid", {}, "paid"),
    ("orders/cancelled", {"cancelled_at": "2026-03-09T12:00:00-05:00"}, "cancelled"),
    ("orders/updated", {"financial_status": "pending"}, "placed"),
    ("orders/updated", {"financial_status": "refunded"}, "refunded"),
])
def test_order_status_follows_financial_status_and_cancellation(topic, changes, status):
    [order] = _events(topic, {**shopify_order(), **changes})
    assert order.status == status


def test_a_customer_update_is_a_customer():
    payload = shopify_order()["customer"]
    [customer] = _events("customers/update", payload)
    assert isinstance(customer, CustomerIn) and customer.country == "FR" and customer.city == "Lyon"


def test_a_fulfilment_is_a_shipment_of_its_order():
    [ship] = _events("fulfillments/create", shopify_fulfillment())
    assert isinstance(ship, ShipmentIn)
    assert (ship.tracking_number, ship.order_marketplace, ship.order_external_id, ship.carrier_name) == (
        TRACKING, "shopify", str(BIG_ORDER_ID), "DHL Express")
    assert ship.destination_country == "FR" and ship.tracking_url.startswith("https://www.dhl.com/")


def test_an_unused_topic_is_ignored():
    assert isinstance(_events("products/update", {"id": 1})[0], Ignored)
