"""Webhook test helpers: a seller with its secrets, and signed posts through the Flask test client."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crossborder_crm.marketplaces.apply import apply_pending
from crossborder_crm.marketplaces.models import WebhookDelivery
from tests.marketplaces.payloads import dumps, generic_sign, shopify_sign


class Hooks:
    """Posts deliveries for one seller, signed as each platform signs them."""

    def __init__(self, client, services, seller):
        self.client, self.services, self.seller = client, services, seller

    def secret(self, source: str) -> str:
        return self.seller.webhook_secrets[source]

    def raw(self, source: str, body: bytes, headers: dict, key: str | None = None):
        return self.client.post(f"/webhooks/{source}/{key or self.seller.seller_key}", data=body, headers=headers)

    def shopify(self, topic: str, payload: dict | bytes, webhook_id: str, *, sign_with: str | None = None):
        body = payload if isinstance(payload, bytes) else dumps(payload)
        return self.raw("shopify", body, {
            "Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Shop-Domain": "demo.myshopify.com", "X-Shopify-API-Version": "2026-01",
            "X-Shopify-Hmac-Sha256": shopify_sign(sign_with or self.secret("shopify"), body)})

    def woocommerce(self, topic: str, payload: dict, delivery_id: str):
        body = dumps(payload)
        return self.raw("woocommerce", body, {
            "Content-Type": "application/json", "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Delivery-ID": delivery_id,
            "X-WC-Webhook-Source": "https://shop.example.com/",
            "X-WC-Webhook-Signature": shopify_sign(self.secret("woocommerce"), body)})

    def aftership(self, payload: dict):
        body = dumps(payload)
        return self.raw("aftership", body, {"Content-Type": "application/json",
                                            "aftership-hmac-sha256": shopify_sign(self.secret("aftership"), body)})

    def generic(self, payload: dict, *, t: int | None = None):
        body = dumps(payload)
        stamp = int(self.services.clock.now().timestamp()) if t is None else t
        return self.raw("generic", body, {"Content-Type": "application/json",
                                          "X-CRM-Signature": generic_sign(self.secret("generic"), body, stamp)})

    def apply(self):
        svc = self.services
        return apply_pending(svc.db, svc.clock, svc.settings)

    def deliveries(self) -> list[WebhookDelivery]:
        with self.services.db.reading() as s:
            return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))

    def count(self, model) -> int:
        with self.services.db.reading() as s:
            return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def hooks(client, services, seller_a) -> Hooks:
    return Hooks(client, services, seller_a)
