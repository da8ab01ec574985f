"""The API's shipment format (our generic format): a parcel of one of the seller's orders and its scans."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from crossborder_crm.buyers.codes import validate_country
from crossborder_crm.shipments.milestones import MILESTONES
from crossborder_crm.validation import Instant, RowId, Schema

Country = Annotated[str, AfterValidator(validate_country)]
Milestone = Literal[MILESTONES]  # type: ignore[valid-type]


class CheckpointCreate(Schema):
    """One scan: when, the canonical milestone, where."""

    at: Instant
    status: Milestone = Field(description="a canonical milestone, e.g. in_transit")
    location: str | None = Field(default=None, max_length=200)
    country: Country | None = None
    description: str | None = Field(default=None, max_length=500)


class ShipmentCreate(Schema):
    """Add a parcel to an order, or scans to a parcel (found by tracking number)."""

    tracking_number: str = Field(min_length=1, max_length=100)
    order_id: RowId | None = Field(default=None, description="the order's id here; needed for a new parcel")
    carrier_name: str | None = Field(default=None, max_length=100)
    carrier_code: str | None = Field(default=None, max_length=64, description="e.g. an AfterShip slug: dhl")
    tracking_url: str | None = Field(default=None, max_length=1000)
    origin_country: Country | None = None
    destination_country: Country | None = None
    shipped_at: Instant | None = None
    expected_delivery: date | None = None
    status: Milestone | None = Field(default=None, description="the current canonical milestone, when known")
    checkpoints: list[CheckpointCreate] = Field(default_factory=list, max_length=500)
