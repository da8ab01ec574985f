"""Shopify webhooks: HMAC over the raw body, topic and webhook id from headers, REST-shaped JSON."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from crossborder_crm.marketplaces.events import CustomerIn, Ignored, OrderIn, OrderLineIn, PayloadInvalid
from crossborder_crm.marketplaces.payload import (
    country2,
    envelope_of,
    ext_id,
    instant,
    items,
    money,
    obj,
    text,
)
from crossborder_crm.marketplaces.signing import verify_base64_hmac
from crossborder_crm.marketplaces.tracking import shipment_from_shopify

SOURCE = "shopify"
SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
KEPT_HEADERS = ("X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Shop-Domain",
                "X-Shopify-API-Version", "X-Shopify-Triggered-At")
ORDER_TOPICS = ("orders/create", "orders/updated", "orders/paid", "orders/cancelled")
FULFILLMENT_TOPICS = ("fulfillments/create", "fulfillments/update")
CUSTOMER_TOPICS = ("customers/create", "customers/update")
TOPICS = ORDER_TOPICS + FULFILLMENT_TOPICS + CUSTOMER_TOPICS


def verify(body: bytes, headers: Mapping[str, str], secret: str, now: datetime) -> bool:
    """X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256 of the raw body with the app's secret."""
    return verify_base64_hmac(secret, body, headers.get(SIGNATURE_HEADER))


def envelope(headers: Mapping[str, str], body: bytes, data: Mapping) -> tuple[str, str]:
    """(topic, delivery id): Shopify retries a delivery with the same X-Shopify-Webhook-Id."""
    return envelope_of(headers.get("X-Shopify-Topic"), headers.get("X-Shopify-Webhook-Id"), body)


def events(topic: str, data: Mapping) -> list:
    """The events a delivery of this topic carries."""
    if topic in ORDER_TOPICS:
        return [order(data)]
    if topic in FULFILLMENT_TOPICS:
        return [shipment_from_shopify(data)]
    if topic in CUSTOMER_TOPICS:
        return [customer(data, None)]
    return [Ignored(f"topic {topic} is not used")]


def _status(data: Mapping) -> str:
    if data.get("cancelled_at"):
        return "cancelled"
    financial = (data.get("financial_status") or "").lower()
    if financial in ("refunded", "voided"):
        return financial
    if financial in ("paid", "partially_refunded"):
        return "paid"
    return "placed"


def _name(*parts) -> str:
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def customer(data: Mapping, order: Mapping | None) -> CustomerIn:
    """The buyer: the customer record, with the order's shipping address and locale when given."""
    address = obj((order or {}).get("shipping_address"), "shipping_address") or obj(
        (order or {}).get("billing_address"), "billing_address") or obj(data.get("default_address"),
                                                                         "customer.default_address")
    where = "shipping_address" if order and order.get("shipping_address") else "customer.default_address"
    name = (_name(data.get("first_name"), data.get("last_name")) or _name(address.get("name"))
            or text(data.get("email") or (order or {}).get("email"), "customer.email", 200) or "Shopify customer")
    country = country2(address.get("country_code"), f"{where}.country_code")
    return CustomerIn(
        marketplace=SOURCE, external_id=ext_id(data.get("id"), "customer.id", required=False),
        name=name[:200], country=country,
        email=text(data.get("email") or (order or {}).get("email"), "customer.email", 320),
        phone=text(data.get("phone") or address.get("phone"), "customer.phone", 40),
        region=text(address.get("province_code") or address.get("province"), f"{where}.province", 100),
        city=text(address.get("city"), f"{where}.city", 100),
        postal_code=text(address.get("zip"), f"{where}.zip", 20),
        locale=text((order or {}).get("customer_locale") or data.get("locale"), "customer_locale", 35))


def order(data: Mapping) -> OrderIn:
    """An orders/* payload as an OrderIn; the buyer comes from `customer` and the shipping address."""
    lines = []
    for i, line in enumerate(items(data.get("line_items"), "line_items")):
        line = obj(line, f"line_items.{i}")
        qty = line.get("quantity", 1)
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise PayloadInvalid(f"line_items.{i}.quantity", "expected a whole number >= 1")
        lines.append(OrderLineIn(title=text(line.get("title") or line.get("name"), f"line_items.{i}.title", 300,
                                            required=True),
                                 quantity=qty, unit_price=money(line.get("price", "0"), f"line_items.{i}.price"),
                                 sku=text(line.get("sku"), f"line_items.{i}.sku", 100)))
    currency = text(data.get("currency") or data.get("presentment_currency"), "currency", 3, required=True)
    return OrderIn(
        marketplace=SOURCE, external_id=ext_id(data.get("id"), "id"),
        order_ref=text(data.get("name") or data.get("order_number"), "name", 100),
        placed_at=instant(data.get("processed_at") or data.get("created_at"),
                          "processed_at" if data.get("processed_at") else "created_at"),
        currency=currency.upper(), total=money(data.get("total_price"), "total_price"),
        status=_status(data), customer=customer(obj(data.get("customer"), "customer"), data),
        items=tuple(lines), source_updated_at=instant(data.get("updated_at"), "updated_at", required=False))
