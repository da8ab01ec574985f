"""What a source tells us about a parcel, as plain data: built by the webhook adapters and the API,
applied by shipments.service.apply_shipment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CheckpointIn:
    """One scan of the parcel: when, the canonical milestone, and the source's own words."""

    at: datetime  # aware
    milestone: str  # canonical (shipments.milestones)
    raw_status: str  # the source's own status string, kept
    location: str | None = None
    country: str | None = None  # ISO 3166 alpha-2
    description: str | None = None


@dataclass(frozen=True)
class ShipmentIn:
    """A shipment as a source reports it; fields it does not know stay None."""

    source: str  # "shopify" | "woocommerce" | "aftership" | "generic" | "api"
    tracking_number: str
    order_marketplace: str | None = None  # how the order is known: Order.marketplace ...
    order_external_id: str | None = None  # ... and Order.external_id (None: find by tracking number)
    external_id: str | None = None  # the source's fulfilment id
    carrier_name: str | None = None
    carrier_code: str | None = None  # e.g. AfterShip slug "dhl"
    tracking_url: str | None = None
    origin_country: str | None = None
    destination_country: str | None = None
    shipped_at: datetime | None = None
    expected_delivery: date | None = None
    milestone: str | None = None  # the current canonical status when the source gives only that
    checkpoints: tuple[CheckpointIn, ...] = ()
    source_updated_at: datetime | None = None
