"""WooCommerce webhooks: base64 HMAC of the raw body; the unsigned ping sent on save is answered 200."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Mapping

from crossborder_crm.marketplaces.events import CustomerIn, Ignored, OrderIn, OrderLineIn, PayloadInvalid
from crossborder_crm.marketplaces.payload import country2, envelope_of, ext_id, instant, items, money, obj, text
from crossborder_crm.marketplaces.signing import verify_base64_hmac
from crossborder_crm.marketplaces.tracking import shipments_from_woocommerce

SOURCE = "woocommerce"
SIGNATURE_HEADER = "X-WC-Webhook-Signature"
KEPT_HEADERS = ("X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID", "X-WC-Webhook-ID", "X-WC-Webhook-Source",
                "X-WC-Webhook-Resource", "X-WC-Webhook-Event")
TOPICS = ("order.created", "order.updated")
_PING = re.compile(rb"webhook_id=[0-9]{1,20}")
_STATUS = {"pending": "placed", "on-hold": "placed", "processing": "paid", "completed": "paid",
           "cancelled": "cancelled", "refunded": "refunded", "failed": "failed", "trash": "cancelled"}


def is_ping(body: bytes, headers: Mapping[str, str]) -> bool:
    """WooCommerce's test delivery when a webhook is saved: `webhook_id=<n>`, form-encoded, unsigned.

    Answered 200 and not stored: it carries nothing but the webhook's own id.
    """
    return _PING.fullmatch(body.strip()) is not None


def verify(body: bytes, headers: Mapping[str, str], secret: str, now: datetime) -> bool:
    """X-WC-Webhook-Signature = base64 HMAC-SHA256 of the raw body with the webhook's secret."""
    return verify_base64_hmac(secret, body, headers.get(SIGNATURE_HEADER))


def envelope(headers: Mapping[str, str], body: bytes, data: Mapping) -> tuple[str, str]:
    """(topic, delivery id) from X-WC-Webhook-Topic and X-WC-Webhook-Delivery-ID."""
    return envelope_of(headers.get("X-WC-Webhook-Topic"), headers.get("X-WC-Webhook-Delivery-ID"), body)


def events(topic: str, data: Mapping) -> list:
    """order.created / order.updated carry an order; anything else is stored and left alone."""
    if topic in TOPICS:
        return [order(data), *shipments_from_woocommerce(data)]
    return [Ignored(f"topic {topic} is not used")]


def _customer(data: Mapping) -> CustomerIn:
    shipping = obj(data.get("shipping"), "shipping")
    billing = obj(data.get("billing"), "billing")
    where, address = ("shipping", shipping) if shipping.get("country") else ("billing", billing)
    name = " ".join(p for p in (text(address.get("first_name"), f"{where}.first_name", 100),
                                text(address.get("last_name"), f"{where}.last_name", 100)) if p)
    customer_id = data.get("customer_id")
    return CustomerIn(
        marketplace=SOURCE,
        # 0 is WooCommerce's guest checkout: no account, matched by email instead.
        external_id=None if customer_id in (0, "0", None) else ext_id(customer_id, "customer_id"),
        name=(name or text(billing.get("email"), "billing.email", 200) or "WooCommerce customer")[:200],
        country=country2(address.get("country"), f"{where}.country"),
        email=text(billing.get("email"), "billing.email", 320),
        phone=text(billing.get("phone"), "billing.phone", 40),
        region=text(address.get("state"), f"{where}.state", 100),
        city=text(address.get("city"), f"{where}.city", 100),
        postal_code=text(address.get("postcode"), f"{where}.postcode", 20))


def order(data: Mapping) -> OrderIn:
    """An order payload (REST v3 shape). Times come from the `*_gmt` fields, which WooCommerce
    documents as UTC; the offset-less local `date_created` is never read."""
    lines = []
    for i, line in enumerate(items(data.get("line_items"), "line_items")):
        line = obj(line, f"line_items.{i}")
        qty = line.get("quantity", 1)
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise PayloadInvalid(f"line_items.{i}.quantity", "expected a whole number >= 1")
        lines.append(OrderLineIn(title=text(line.get("name"), f"line_items.{i}.name", 300, required=True),
                                 quantity=qty, unit_price=money(line.get("price", 0), f"line_items.{i}.price"),
                                 sku=text(line.get("sku"), f"line_items.{i}.sku", 100)))
    status = (text(data.get("status"), "status", 32) or "pending").lower()
    return OrderIn(
        marketplace=SOURCE, external_id=ext_id(data.get("id"), "id"),
        order_ref=text(data.get("number"), "number", 100),
        placed_at=instant(data.get("date_created_gmt"), "date_created_gmt", assume_utc=True),
        currency=text(data.get("currency"), "currency", 3, required=True).upper(),
        total=money(data.get("total"), "total"), status=_STATUS.get(status, status),
        customer=_customer(data), items=tuple(lines),
        source_updated_at=instant(data.get("date_modified_gmt"), "date_modified_gmt", required=False,
                                  assume_utc=True))
