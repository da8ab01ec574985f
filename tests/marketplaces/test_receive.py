"""POST /webhooks/<source>/<seller_key>: verify, store once, answer; nothing applied in the request."""
from __future__ import annotations

import threading

from crossborder_crm.buyers.models import Order
from crossborder_crm.marketplaces.models import WebhookDelivery
from tests.marketplaces.payloads import BIG_ORDER_ID, dumps, shopify_order, shopify_sign


def test_a_signed_delivery_is_stored_raw_and_answered_202(hooks):
    body = dumps(shopify_order())
    resp = hooks.raw("shopify", body, {"Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
                                       "X-Shopify-Webhook-Id": "wh-1",
                                       "X-Shopify-Hmac-Sha256": shopify_sign(hooks.secret("shopify"), body)})
    assert resp.status_code == 202
    [row] = hooks.deliveries()
    assert (row.source, row.topic, row.delivery_id, row.status) == ("shopify", "orders/create", "wh-1", "received")
    assert row.body == body and row.headers["X-Shopify-Topic"] == "orders/create"


def test_receiving_applies_nothing(hooks):
    hooks.shopify("orders/create", shopify_order(), "wh-1")
    assert hooks.count(Order) == 0


def test_a_repeated_delivery_id_is_acknowledged_and_ignored(hooks):
    hooks.shopify("orders/create", shopify_order(), "wh-1")
    again = hooks.shopify("orders/create", shopify_order(), "wh-1")
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert len(hooks.deliveries()) == 1


def test_a_wrong_signature_is_401_and_nothing_is_stored(hooks):
    resp = hooks.shopify("orders/create", shopify_order(), "wh-1", sign_with="not-the-secret")
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"
    assert hooks.deliveries() == []


def test_a_missing_signature_is_401(hooks):
    resp = hooks.raw("shopify", dumps(shopify_order()), {"X-Shopify-Topic": "orders/create"})
    assert resp.status_code == 401
    assert resp.get_json()["error"]["fields"] == {"X-Shopify-Hmac-Sha256": "missing"}


def test_another_sellers_secret_does_not_verify(hooks, seller_b):
    resp = hooks.shopify("orders/create", shopify_order(), "wh-1", sign_with=seller_b.webhook_secrets["shopify"])
    assert resp.status_code == 401


def test_an_unknown_seller_key_is_404(hooks):
    assert hooks.raw("shopify", b"{}", {}, key="0000000000000000").status_code == 404


def test_an_unknown_source_is_404(hooks):
    assert hooks.raw("ebay", b"{}", {}).status_code == 404


def test_malformed_json_with_a_valid_signature_is_400_and_not_stored(hooks):
    resp = hooks.shopify("orders/create", b'{"id": 1,', "wh-1")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "malformed"
    assert hooks.deliveries() == []


def test_a_body_over_one_mib_is_413_and_not_stored(hooks):
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    resp = hooks.shopify("orders/create", body, "wh-1")
    assert resp.status_code == 413
    assert hooks.deliveries() == []


def test_an_unknown_topic_is_stored_as_ignored_and_answered_202(hooks):
    resp = hooks.shopify("products/update", {"id": 1}, "wh-9")
    assert resp.status_code == 202
    [row] = hooks.deliveries()
    assert row.status == "ignored" and "products/update" in row.error


def test_the_woocommerce_ping_on_save_gets_200_and_stores_nothing(hooks):
    resp = hooks.raw("woocommerce", b"webhook_id=15", {"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 200
    assert hooks.deliveries() == []


def test_the_same_delivery_from_two_threads_is_stored_once_and_makes_one_order(hooks, app):
    body = dumps(shopify_order())
    headers = {"Content-Type": "application/json", "X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "wh-1",
               "X-Shopify-Hmac-Sha256": shopify_sign(hooks.secret("shopify"), body)}
    barrier = threading.Barrier(2)
    codes = []

    def send():
        client = app.test_client()
        barrier.wait()
        url = f"/webhooks/shopify/{hooks.seller.seller_key}"
        codes.append(client.post(url, data=body, headers=headers).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    appliers = [threading.Thread(target=hooks.apply) for _ in range(2)]
    for t in appliers:
        t.start()
    for t in appliers:
        t.join()
    assert sorted(codes) == [200, 202]
    assert hooks.count(WebhookDelivery) == 1
    with hooks.services.db.reading() as s:
        assert [o.external_id for o in s.query(Order)] == [str(BIG_ORDER_ID)]
