"""Applying stored deliveries: orders and buyers through buyers.sync, shipments through shipments.service."""
from __future__ import annotations

from sqlalchemy import select

from crossborder_crm.buyers.models import Activity, Buyer, BuyerIdentity, Order
from crossborder_crm.marketplaces.apply import replay
from tests.marketplaces.payloads import BIG_ORDER_ID, dumps, shopify_fulfillment, shopify_order, woo_order


def _orders(hooks):
    with hooks.services.db.reading() as s:
        return list(s.scalars(select(Order)))


def _buyers(hooks):
    with hooks.services.db.reading() as s:
        return list(s.scalars(select(Buyer)))


def _statuses(hooks):
    return [(d.topic, d.status) for d in hooks.deliveries()]


def test_an_order_creates_the_buyer_with_inferred_profile_and_the_order(hooks):
    hooks.shopify("orders/create", shopify_order(), "wh-1")
    assert hooks.apply().counts == {"applied": 1}
    [buyer] = _buyers(hooks)
    assert (buyer.country, buyer.city, buyer.timezone, buyer.language) == ("FR", "Lyon", "Europe/Paris", "fr-FR")
    assert buyer.order_count == 1 and buyer.spend[0].total_minor == 5980
    [order] = _orders(hooks)
    assert order.external_id == str(BIG_ORDER_ID) and order.status == "paid" and len(order.items) == 2


def test_an_order_is_logged_as_activity_at_the_time_it_was_placed(hooks):
    hooks.shopify("orders/create", shopify_order(), "wh-1")
    hooks.apply()
    with hooks.services.db.reading() as s:
        [act] = s.scalars(select(Activity))
    assert act.kind == "order_placed" and act.occurred_at.isoformat() == "2026-03-09T15:15:00+00:00"


def test_the_customer_id_is_linked_so_the_next_order_finds_the_same_buyer(hooks):
    hooks.shopify("orders/create", shopify_order(), "wh-1")
    hooks.shopify("orders/create", {**shopify_order(order_id=5), "email": "other@example.com"}, "wh-2")
    hooks.apply()
    assert len(_buyers(hooks)) == 1 and _buyers(hooks)[0].order_count == 2
    with hooks.services.db.reading() as s:
        assert s.scalar(select(BuyerIdentity.external_id)) == "9007199254740995"


def test_an_older_orders_updated_after_a_newer_one_changes_nothing(hooks):
    hooks.shopify("orders/updated", shopify_order(updated_at="2026-03-09T11:00:00-05:00",
                                                  cancelled_at="2026-03-09T11:00:00-05:00"), "wh-new")
    hooks.apply()
    hooks.shopify("orders/updated", shopify_order(updated_at="2026-03-09T10:30:00-05:00"), "wh-old")
    assert hooks.apply().counts == {"ignored": 1}
    [order] = _orders(hooks)
    assert order.status == "cancelled"


def test_a_newer_update_changes_the_order_and_the_buyer_stats(hooks):
    hooks.shopify("orders/create", shopify_order(), "wh-1")
    hooks.apply()
    hooks.shopify("orders/cancelled", shopify_order(updated_at="2026-03-09T12:00:00-05:00",
                                                    cancelled_at="2026-03-09T12:00:00-05:00"), "wh-2")
    hooks.apply()
    assert _orders(hooks)[0].status == "cancelled"
    assert _buyers(hooks)[0].order_count == 0  # a cancelled order is not a purchase


def test_a_fulfilment_before_its_order_waits_and_is_applied_when_the_order_comes(hooks):
    hooks.shopify("fulfillments/create", shopify_fulfillment(), "wh-f")
    assert hooks.apply().counts == {"waiting": 1}
    hooks.shopify("orders/create", shopify_order(), "wh-o")
    hooks.apply()
    assert sorted(_statuses(hooks)) == [("fulfillments/create", "applied"), ("orders/create", "applied")]


def test_an_unusable_payload_is_failed_with_its_reason_and_replayable(hooks):
    payload = shopify_order()
    payload["processed_at"] = "2026-03-09T10:15:00"  # no offset
    hooks.shopify("orders/create", payload, "wh-1")
    hooks.apply()
    [row] = hooks.deliveries()
    assert row.status == "failed" and "processed_at" in row.error
    assert _orders(hooks) == []
    svc = hooks.services
    assert replay(svc.db, svc.clock, svc.settings, status="failed").counts == {"failed": 1}
    assert hooks.deliveries()[0].attempts == 2


def test_a_woocommerce_order_is_applied(hooks):
    hooks.woocommerce("order.created", woo_order(), "d-1")
    hooks.apply()
    [order] = _orders(hooks)
    assert (order.marketplace, order.external_id, order.currency, order.total_minor) == ("woocommerce", "727", "BRL",
                                                                                          12990)
    assert _buyers(hooks)[0].timezone == "America/Sao_Paulo"


def test_a_buyer_message_sets_the_last_message_time(hooks):
    hooks.generic({"id": "o1", "type": "order", "data": {
        "external_id": "o-1", "placed_at": "2026-03-09T10:00:00Z", "currency": "EUR", "total": "5.00",
        "buyer": {"external_id": "b-1", "name": "Ana", "country": "ES"}}})
    hooks.generic({"id": "m1", "type": "buyer_message", "data": {
        "buyer": {"external_id": "b-1"}, "at": "2026-03-09T12:00:00Z", "text": "Hola"}})
    hooks.apply()
    assert _buyers(hooks)[0].last_buyer_message_at.isoformat() == "2026-03-09T12:00:00+00:00"


def test_a_dispute_opens_the_orders_dispute_flag(hooks):
    hooks.generic({"id": "o1", "type": "order", "data": {
        "external_id": "o-1", "placed_at": "2026-03-09T10:00:00Z", "currency": "EUR", "total": "5.00",
        "buyer": {"external_id": "b-1", "name": "Ana", "country": "ES"}}})
    hooks.generic({"id": "d1", "type": "dispute", "data": {
        "order_external_id": "o-1", "buyer": {}, "at": "2026-03-20T12:00:00Z", "text": "Not received"}})
    hooks.apply()
    assert _orders(hooks)[0].dispute_open is True
    with hooks.services.db.reading() as s:
        assert sorted(s.scalars(select(Activity.kind))) == ["dispute", "order_placed"]


def test_a_generic_delivery_signed_more_than_five_minutes_ago_is_refused(hooks):
    t = int(hooks.services.clock.now().timestamp()) - 301
    resp = hooks.generic({"id": "o1", "type": "order", "data": {}}, t=t)
    assert resp.status_code == 401 and hooks.deliveries() == []


def test_replaying_one_delivery_by_id_changes_nothing_twice(hooks):
    hooks.shopify("orders/create", shopify_order(), "wh-1")
    hooks.apply()
    svc = hooks.services
    row = hooks.deliveries()[0]
    assert replay(svc.db, svc.clock, svc.settings, delivery_id=row.id).counts == {"ignored": 1}
    assert len(_orders(hooks)) == 1 and _buyers(hooks)[0].order_count == 1


def test_an_applied_body_is_the_stored_body(hooks):
    body = dumps(shopify_order())
    hooks.shopify("orders/create", body, "wh-1")
    assert hooks.deliveries()[0].body == body


def test_a_customer_sign_up_without_an_address_is_ignored_until_an_order_comes(hooks):
    customer = {**shopify_order()["customer"], "default_address": None}
    hooks.shopify("customers/create", customer, "wh-c")
    assert hooks.apply().counts == {"ignored": 1}
    assert _buyers(hooks) == []


def test_a_customer_update_moves_the_known_buyer(hooks):
    hooks.shopify("orders/create", shopify_order(), "wh-1")
    customer = {**shopify_order()["customer"],
                "default_address": {"city": "Québec", "zip": "G1R 4P5", "country_code": "CA", "province_code": "QC"}}
    hooks.shopify("customers/update", customer, "wh-c")
    hooks.apply()
    [buyer] = _buyers(hooks)
    assert (buyer.country, buyer.region, buyer.city, buyer.timezone) == ("CA", "QC", "Québec", "America/Toronto")
