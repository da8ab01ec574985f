"""Shopify orders/create → fulfillments/create → AfterShip updates to delivered, through the endpoint,
with real-format payloads signed as the platforms sign them; notices land in the outbox once each."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from crossborder_crm.buyers.models import Activity, Buyer, Order
from crossborder_crm.marketplaces.models import WebhookDelivery
from crossborder_crm.outbox.models import Message
from crossborder_crm.shipments.models import Checkpoint, Shipment
from tests.marketplaces.payloads import (
    aftership_update,
    checkpoint,
    dumps,
    shopify_fulfillment,
    shopify_order,
    shopify_sign,
)

UPDATES = [
    aftership_update("evt-1", "InTransit", "InTransit_001", [
        checkpoint("2026-03-10T16:00:00+08:00", "InTransit", "InTransit_001", "Shipment picked up",
                   city="Shenzhen", country_iso3="CHN")]),
    aftership_update("evt-2", "OutForDelivery", "OutForDelivery_001", [
        checkpoint("2026-03-10T16:00:00+08:00", "InTransit", "InTransit_001", "Shipment picked up",
                   city="Shenzhen", country_iso3="CHN"),
        checkpoint("2026-03-17T07:10:00+01:00", "OutForDelivery", "OutForDelivery_001", "With courier",
                   city="Lyon", country_iso3="FRA")]),
    aftership_update("evt-3", "Delivered", "Delivered_001", [
        checkpoint("2026-03-10T16:00:00+08:00", "InTransit", "InTransit_001", "Shipment picked up",
                   city="Shenzhen", country_iso3="CHN"),
        checkpoint("2026-03-17T07:10:00+01:00", "OutForDelivery", "OutForDelivery_001", "With courier",
                   city="Lyon", country_iso3="FRA"),
        checkpoint("2026-03-17T11:42:00+01:00", "Delivered", "Delivered_001", "Delivered", city="Lyon",
                   country_iso3="FRA")]),
]


def _run(hooks) -> list[int]:
    codes = [hooks.shopify("orders/create", shopify_order(), "wh-order").status_code]
    hooks.apply()
    codes.append(hooks.shopify("fulfillments/create", shopify_fulfillment(), "wh-fulfil").status_code)
    hooks.apply()
    for update in UPDATES:
        codes.append(hooks.aftership(update).status_code)
        hooks.apply()
    return codes


def _snapshot(hooks) -> dict:
    with hooks.services.db.reading() as s:
        count = lambda model: s.scalar(select(func.count()).select_from(model))  # noqa: E731
        return {"orders": count(Order), "buyers": count(Buyer), "shipments": count(Shipment),
                "checkpoints": count(Checkpoint), "messages": count(Message), "activities": count(Activity),
                "deliveries": count(WebhookDelivery),
                "statuses": sorted(s.scalars(select(WebhookDelivery.status)))}


def _notices(hooks) -> Counter:
    with hooks.services.db.reading() as s:
        return Counter(s.scalars(select(Message.template).where(Message.template.like("shipment_%"))))


def test_order_fulfilment_and_tracking_end_as_one_order_one_shipment_and_one_notice_per_milestone(hooks):
    assert _run(hooks) == [202] * 5
    snap = _snapshot(hooks)
    assert (snap["orders"], snap["buyers"], snap["shipments"]) == (1, 1, 1)
    assert snap["checkpoints"] == 3 and snap["statuses"] == ["applied"] * 5
    assert _notices(hooks) == {"shipment_in_transit": 1, "shipment_out_for_delivery": 1, "shipment_delivered": 1}
    with hooks.services.db.reading() as s:
        shipment = s.scalar(select(Shipment))
        assert (shipment.milestone, shipment.carrier_name, str(shipment.expected_delivery)) == (
            "delivered", "DHL Express", "2026-03-20")
        delivered = s.scalar(select(Message).where(Message.template == "shipment_delivered"))
        assert delivered.status == "scheduled" and delivered.locale == "fr-FR"


def test_notices_name_the_order_as_the_buyer_knows_it(hooks):
    _run(hooks)
    with hooks.services.db.reading() as s:
        delivered = s.scalar(select(Message).where(Message.template == "shipment_delivered"))
    assert delivered.context["order_ref"] == "#1001"


def test_notices_not_sent_yet_are_cancelled_by_the_later_milestone(hooks):
    _run(hooks)
    with hooks.services.db.reading() as s:
        statuses = dict(s.execute(select(Message.template, Message.status)).all())
    assert statuses["shipment_in_transit"] == statuses["shipment_out_for_delivery"] == "cancelled"


def test_the_same_run_again_adds_nothing(hooks):
    _run(hooks)
    before = (_snapshot(hooks), _notices(hooks))
    assert _run(hooks) == [200] * 5
    assert (_snapshot(hooks), _notices(hooks)) == before


def test_tampered_replayed_malformed_and_oversized_deliveries_each_get_their_status_and_change_nothing(hooks):
    _run(hooks)
    before = (_snapshot(hooks), _notices(hooks))
    body = dumps(shopify_order(order_id=77))
    tampered = hooks.raw("shopify", body.replace(b"59.80", b"0.01"), {
        "X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "wh-t",
        "X-Shopify-Hmac-Sha256": shopify_sign(hooks.secret("shopify"), body)})
    replayed = hooks.aftership(UPDATES[0])
    malformed = hooks.shopify("orders/create", b'{"id": 78, "line_items": [', "wh-m")
    oversized = hooks.shopify("orders/create", b'{"note":"' + b"a" * (1024 * 1024 + 1) + b'"}', "wh-big")
    hooks.apply()
    assert [r.status_code for r in (tampered, replayed, malformed, oversized)] == [401, 200, 400, 413]
    assert (_snapshot(hooks), _notices(hooks)) == before
