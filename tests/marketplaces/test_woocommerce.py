from datetime import datetime, timezone
from decimal import Decimal

from crossborder_crm.marketplaces import woocommerce
from crossborder_crm.marketplaces.payload import parse_json
from tests.marketplaces.payloads import dumps, woo_order


def _order(payload):
    [order] = woocommerce.events("order.created", parse_json(dumps(payload)))
    return order


def test_times_come_from_the_gmt_fields_documented_as_utc():
    order = _order(woo_order())
    assert order.placed_at == datetime(2026, 3, 9, 15, 15, tzinfo=timezone.utc)
    assert order.source_updated_at == datetime(2026, 3, 9, 15, 16, tzinfo=timezone.utc)


def test_a_guest_checkout_has_no_customer_id():
    assert _order(woo_order(customer_id=0)).customer.external_id is None
    assert _order(woo_order(customer_id=42)).customer.external_id == "42"


def test_the_shipping_address_fills_the_profile():
    c = _order(woo_order()).customer
    assert (c.country, c.region, c.city, c.postal_code, c.email) == ("BR", "SP", "São Paulo", "01310-100",
                                                                      "joao@example.com.br")


def test_numeric_prices_are_read_as_exact_decimals():
    order = _order(woo_order())
    assert order.items[0].unit_price == Decimal("43.3") and order.total == Decimal("129.90")


def test_processing_is_paid_and_cancelled_stays_cancelled():
    assert _order(woo_order(status="processing")).status == "paid"
    assert _order(woo_order(status="cancelled")).status == "cancelled"


def test_the_ping_on_save_is_recognised():
    assert woocommerce.is_ping(b"webhook_id=15", {})
    assert not woocommerce.is_ping(b'{"webhook_id": 15}', {})


def test_a_shipment_tracking_item_becomes_a_shipment_of_the_order():
    payload = {**woo_order(status="completed"), "meta_data": [{"id": 9, "key": "_wc_shipment_tracking_items", "value": [
        {"tracking_provider": "Correios", "tracking_number": "LB123456789CN", "date_shipped": "1773100800",
         "tracking_id": "abc123"}]}]}
    order, ship = woocommerce.events("order.updated", parse_json(dumps(payload)))
    assert (ship.tracking_number, ship.order_external_id, ship.carrier_name, ship.milestone) == (
        "LB123456789CN", "727", "Correios", "in_transit")
    assert ship.shipped_at == datetime(2026, 3, 10, 0, 0, tzinfo=timezone.utc)
