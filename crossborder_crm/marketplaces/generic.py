"""The generic source: our own JSON (generic_schemas), signed `X-CRM-Signature: t=<unix>,v1=<hex>`."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from pydantic import ValidationError

from crossborder_crm.marketplaces.events import BuyerEventIn, CustomerIn, Ignored, OrderIn, OrderLineIn, PayloadInvalid
from crossborder_crm.marketplaces.generic_schemas import DATA_SCHEMAS, GenericBuyer, GenericOrder, GenericShipment
from crossborder_crm.marketplaces.payload import envelope_of
from crossborder_crm.marketplaces.signing import verify_generic
from crossborder_crm.shipments.events import CheckpointIn, ShipmentIn
from crossborder_crm.shipments.status_map import canonical_milestone
from crossborder_crm.validation import field_errors

SOURCE = "generic"
SIGNATURE_HEADER = "X-CRM-Signature"
KEPT_HEADERS = ("X-CRM-Signature",)
TOPICS = tuple(DATA_SCHEMAS)


def verify(body: bytes, headers: Mapping[str, str], secret: str, now: datetime) -> bool:
    """HMAC-SHA256 of "<t>." + raw body, hex; `t` within 5 minutes of now."""
    return verify_generic(secret, body, headers.get(SIGNATURE_HEADER), now)


def envelope(headers: Mapping[str, str], body: bytes, data: Mapping) -> tuple[str, str]:
    """(topic, delivery id) from the body's `type` and `id`."""
    return envelope_of(data.get("type"), data.get("id"), body)


def events(topic: str, data: Mapping) -> list:
    """Validate `data` against the shape its type names and turn it into an event."""
    schema = DATA_SCHEMAS.get(topic)
    if schema is None:
        return [Ignored(f"type {topic} is not used")]
    try:
        spec = schema.model_validate(data.get("data"))
    except ValidationError as exc:
        field, reason = next(iter(field_errors(exc).items()))
        raise PayloadInvalid(f"data.{field}", reason) from None
    if isinstance(spec, GenericOrder):
        return [_order(spec)]
    if isinstance(spec, GenericShipment):
        return [_shipment(spec)]
    kind = {"buyer_message": "message_received", "review": "review", "dispute": "dispute"}[topic]
    detail = spec.text
    if topic == "review" and spec.rating is not None:
        detail = f"{spec.rating}/5" + (f": {spec.text}" if spec.text else "")
    return [BuyerEventIn(kind=kind, marketplace=spec.marketplace, occurred_at=spec.at,
                         buyer_external_id=spec.buyer.external_id, buyer_email=spec.buyer.email,
                         order_external_id=spec.order_external_id, detail=(detail or None) and detail[:500],
                         dispute_open=(spec.state == "opened") if topic == "dispute" else None)]


def _customer(buyer: GenericBuyer, marketplace: str) -> CustomerIn:
    return CustomerIn(marketplace=marketplace, external_id=buyer.external_id,
                      name=buyer.name or buyer.email or "Buyer", country=buyer.country, email=buyer.email,
                      phone=buyer.phone, region=buyer.region, city=buyer.city, postal_code=buyer.postal_code,
                      locale=buyer.locale)


def _order(spec: GenericOrder) -> OrderIn:
    return OrderIn(marketplace=spec.marketplace, external_id=spec.external_id, order_ref=spec.order_ref,
                   placed_at=spec.placed_at, currency=spec.currency, total=spec.total, status=spec.status,
                   customer=_customer(spec.buyer, spec.marketplace),
                   items=tuple(OrderLineIn(i.title, i.quantity, i.unit_price, i.sku) for i in spec.items),
                   source_updated_at=spec.updated_at)


def _shipment(spec: GenericShipment) -> ShipmentIn:
    return ShipmentIn(
        source=SOURCE, tracking_number=spec.tracking_number, order_marketplace=spec.order_marketplace,
        order_external_id=spec.order_external_id, external_id=spec.external_id, carrier_name=spec.carrier_name,
        carrier_code=spec.carrier_code, tracking_url=spec.tracking_url, origin_country=spec.origin_country,
        destination_country=spec.destination_country, shipped_at=spec.shipped_at,
        expected_delivery=spec.expected_delivery,
        milestone=canonical_milestone(SOURCE, spec.status) if spec.status else None,
        checkpoints=tuple(CheckpointIn(at=c.at, milestone=canonical_milestone(SOURCE, c.status), raw_status=c.status,
                                       location=c.location, country=c.country, description=c.description)
                          for c in spec.checkpoints),
        source_updated_at=spec.updated_at)
