"""The generic webhook format: our own documented JSON, validated by pydantic (and in OpenAPI)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BeforeValidator, Field

from crossborder_crm.buyers.codes import validate_country
from crossborder_crm.money import validate_currency
from crossborder_crm.validation import Instant, Schema

Id = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
               Field(min_length=1, max_length=100, description="text; integers are accepted and kept exact")]
Amount = Annotated[Decimal, Field(ge=0, description="decimal string such as \"12.50\"")]
Country = Annotated[str, AfterValidator(validate_country), Field(description="ISO 3166-1 alpha-2")]
Marketplace = Annotated[str, BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v),
                        Field(default="generic", max_length=40)]


class GenericBuyer(Schema):
    """Who the buyer is: an id on the marketplace and/or an email; the rest fills the profile."""

    external_id: Id | None = None
    email: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    country: Country | None = None
    region: str | None = Field(default=None, max_length=100)
    city: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    locale: str | None = Field(default=None, max_length=35, description="BCP 47, e.g. pt-BR")


class GenericItem(Schema):
    title: str = Field(min_length=1, max_length=300)
    quantity: int = Field(default=1, ge=1, le=100000)
    unit_price: Amount
    sku: str | None = Field(default=None, max_length=100)


class GenericOrder(Schema):
    """An order, created or updated; an older `updated_at` than the stored one changes nothing."""

    marketplace: Marketplace
    external_id: Id
    order_ref: str | None = Field(default=None, max_length=100, description="what the buyer sees, e.g. #1001")
    placed_at: Instant
    updated_at: Instant | None = None
    currency: Annotated[str, AfterValidator(validate_currency)]
    total: Amount
    status: str = Field(default="placed", max_length=32)
    buyer: GenericBuyer
    items: list[GenericItem] = Field(default_factory=list, max_length=1000)


class GenericCheckpoint(Schema):
    at: Instant
    status: str = Field(max_length=64, description="a canonical milestone, e.g. in_transit")
    location: str | None = Field(default=None, max_length=200)
    country: Country | None = None
    description: str | None = Field(default=None, max_length=500)


class GenericShipment(Schema):
    """A shipment of an order, with its checkpoints so far."""

    tracking_number: str = Field(min_length=1, max_length=100)
    order_marketplace: Marketplace
    order_external_id: Id | None = Field(default=None, description="absent: found by tracking number")
    external_id: Id | None = None
    carrier_name: str | None = Field(default=None, max_length=100)
    carrier_code: str | None = Field(default=None, max_length=64)
    tracking_url: str | None = Field(default=None, max_length=500)
    origin_country: Country | None = None
    destination_country: Country | None = None
    shipped_at: Instant | None = None
    expected_delivery: date | None = None
    status: str | None = Field(default=None, max_length=64, description="a canonical milestone")
    updated_at: Instant | None = None
    checkpoints: list[GenericCheckpoint] = Field(default_factory=list, max_length=1000)


class GenericBuyerNote(Schema):
    """A buyer message, review or dispute about a buyer (by id or email) and maybe an order."""

    marketplace: Marketplace
    buyer: GenericBuyer
    order_external_id: Id | None = None
    at: Instant
    text: str | None = Field(default=None, max_length=5000)


class GenericReview(GenericBuyerNote):
    rating: int | None = Field(default=None, ge=1, le=5)


class GenericDispute(GenericBuyerNote):
    state: Literal["opened", "closed"] = "opened"


class GenericEvent(Schema):
    """The envelope: `id` is the delivery id (a repeat is acknowledged and ignored)."""

    id: str = Field(min_length=1, max_length=200)
    type: Literal["order", "shipment", "buyer_message", "review", "dispute"]
    data: Union[GenericOrder, GenericShipment, GenericBuyerNote, GenericReview, GenericDispute] = Field(
        description="the shape named by `type`")


DATA_SCHEMAS = {"order": GenericOrder, "shipment": GenericShipment, "buyer_message": GenericBuyerNote,
                "review": GenericReview, "dispute": GenericDispute}
