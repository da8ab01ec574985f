"""Buyer, order and activity records as the JSON shapes of the API (and the panel's data)."""
from __future__ import annotations

from datetime import datetime

from crossborder_crm.buyers.models import Activity, Buyer, Order
from crossborder_crm.buyers.stats import average_minor
from crossborder_crm.money import amount_str
from crossborder_crm.timing.localtime import local_for_display


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, or None."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def local_time(tz_name: str, at: datetime) -> dict:
    """The buyer's wall-clock time at an instant, with its zone and UTC offset; in UTC (and
    named so) when the zone's wall time would lie past year 9999."""
    local, in_zone = local_for_display(at, tz_name)
    return {"time": local.isoformat(timespec="minutes"), "timezone": tz_name if in_zone else "UTC",
            "utc_offset": local.strftime("%z"), "abbreviation": local.tzname()}


def buyer_json(b: Buyer, now: datetime) -> dict:
    """The API shape of a buyer, with the source of each inferred value and the statistics."""
    return {
        "id": b.id, "name": b.name, "email": b.email, "phone": b.phone, "country": b.country,
        "region": b.region, "city": b.city, "postal_code": b.postal_code,
        "timezone": b.timezone, "language": b.language,
        "marketplace": b.marketplace, "marketplace_buyer_id": b.marketplace_buyer_id,
        "marketplace_ids": [{"marketplace": i.marketplace, "id": i.external_id} for i in b.identities],
        "tags": list(b.tags or []), "notes": b.notes,
        "consent": {"status": b.consent_status, "source": b.consent_source, "at": iso(b.consent_at)},
        "inferred": {
            "timezone": {"source": b.timezone_source, "confidence": b.timezone_confidence,
                         "explanation": b.timezone_explanation},
            "language": {"source": b.language_source, "explanation": b.language_explanation},
        },
        "stats": {
            "order_count": b.order_count, "first_order_at": iso(b.first_order_at),
            "last_order_at": iso(b.last_order_at),
            "avg_days_between_orders": (str(b.avg_days_between_orders)
                                        if b.avg_days_between_orders is not None else None),
            "next_purchase_at": iso(b.next_purchase_at),
            "spend": [{"currency": sp.currency, "orders": sp.order_count,
                       "total": amount_str(sp.total_minor, sp.currency),
                       "average": amount_str(average_minor(sp.order_count, sp.total_minor), sp.currency)}
                      for sp in sorted(b.spend, key=lambda sp: sp.currency)],
        },
        "segment": ({"name": b.segment, "reason": b.segment_reason, "recency": b.rfm_recency,
                     "frequency": b.rfm_frequency, "monetary": b.rfm_monetary, "at": iso(b.segment_at)}
                    if b.segment else None),
        "local_time": local_time(b.timezone, now),
        "created_at": iso(b.created_at), "updated_at": iso(b.updated_at),
    }


def order_json(o: Order) -> dict:
    """The API shape of an order; money as exact decimal strings."""
    return {
        "id": o.id, "buyer_id": o.buyer_id, "marketplace": o.marketplace, "external_id": o.external_id,
        "reference": o.reference,
        "placed_at": iso(o.placed_at), "currency": o.currency,
        "total": amount_str(o.total_minor, o.currency), "status": o.status,
        "items": [{"sku": i.sku, "title": i.title, "category": i.category, "quantity": i.quantity,
                   "unit_price": amount_str(i.unit_price_minor, o.currency)} for i in o.items],
    }


def activity_json(a: Activity) -> dict:
    """The API shape of an activity entry."""
    return {"id": a.id, "buyer_id": a.buyer_id, "kind": a.kind, "occurred_at": iso(a.occurred_at),
            "source": a.source, "detail": a.detail}
