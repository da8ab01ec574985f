"""Request schemas for buyers, orders and activity: they validate input and generate OpenAPI."""
from __future__ import annotations

from typing import Annotated, Literal

import phonenumbers
from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from crossborder_crm.buyers.codes import normalize_language, validate_country, validate_timezone
from crossborder_crm.buyers.models import ACTIVITY_KINDS, CONSENT_STATUSES
from crossborder_crm.errors import N_, Reason
from crossborder_crm.money import validate_currency
from crossborder_crm.validation import Email, FieldError, Instant, Schema

MAX_TAGS = 50
MAX_TAG_LENGTH = 64


def _tags(value: list[str]) -> list[str]:
    tags = []
    for tag in value:
        tag = tag.strip().lower()
        if not tag:
            raise ValueError(N_("tags must not be empty"))
        if len(tag) > MAX_TAG_LENGTH:  # lower() can lengthen a string ('İ' → 'i̇')
            raise ValueError(Reason(N_("tag %(tag)s… is longer than %(num)s characters"), tag=repr(tag[:20]),
                                    num=MAX_TAG_LENGTH))
        tags.append(tag)
    return list(dict.fromkeys(tags))  # first-seen order, duplicates dropped in linear time


Country = Annotated[str, AfterValidator(validate_country)]
Timezone = Annotated[str, AfterValidator(validate_timezone)]
Language = Annotated[str, AfterValidator(normalize_language)]
Tags = Annotated[list[Annotated[str, Field(max_length=MAX_TAG_LENGTH)]], Field(max_length=MAX_TAGS),
                 AfterValidator(_tags)]
ExternalId = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
                       Field(min_length=1, max_length=100)]


class ConsentIn(Schema):
    """Marketing consent as a record: status, where it came from, when."""

    status: Literal[CONSENT_STATUSES]  # type: ignore[valid-type]
    source: str | None = Field(default=None, max_length=64, description="e.g. checkout, import, form")
    at: Instant | None = Field(default=None, description="when it was given or withdrawn; default now")


class BuyerFields(Schema):
    """Every writable buyer field; all optional (the partial-update shape)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=40, description="any format; stored as E.164")
    country: Country | None = Field(default=None, description="ISO 3166-1 alpha-2")
    region: str | None = Field(default=None, max_length=100, description="state/province, code or name")
    city: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    timezone: Timezone | None = Field(default=None, description="IANA zone; inferred when missing")
    language: Language | None = Field(default=None, description="BCP 47, e.g. pt-BR; inferred when missing")
    marketplace: str | None = Field(default=None, max_length=40)
    marketplace_buyer_id: ExternalId | None = None
    marketplace_locale: Language | None = Field(default=None, description="the marketplace's customer locale")
    tags: Tags | None = None
    notes: str | None = Field(default=None, max_length=10000)
    consent: ConsentIn | None = None

    @field_validator("marketplace")
    @classmethod
    def _lower(cls, v: str | None) -> str | None:
        return v.lower() if v else v

    @model_validator(mode="after")
    def _phone_and_identity(self):
        if self.phone:
            self.phone = normalize_phone(self.phone, self.country)
        if self.marketplace_buyer_id and not self.marketplace:
            raise FieldError("marketplace", N_("required when marketplace_buyer_id is given"))
        return self


class BuyerCreate(BuyerFields):
    """A new buyer: name and country are required, the rest is optional or inferred."""

    name: str = Field(min_length=1, max_length=200)
    country: Country = Field(description="ISO 3166-1 alpha-2")


def normalize_phone(raw: str, country: str | None) -> str:
    """E.164 form of a phone number, using the country as the hint for national formats."""
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException as exc:
        # phonenumbers' own words for the API; the panel says it in the seller's language.
        raise FieldError("phone", Reason.worded(str(exc), N_("is not a valid phone number"))) from None
    if not phonenumbers.is_possible_number(number):
        raise FieldError("phone", Reason(N_("%(number)s is not a possible number"), number=repr(raw)))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


Money = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)]


class OrderItemIn(Schema):
    """An order line; prices are decimal strings or numbers in the order's currency."""

    sku: str | None = Field(default=None, max_length=100)
    title: str = Field(min_length=1, max_length=300)
    category: str | None = Field(default=None, max_length=100)
    quantity: int = Field(default=1, ge=1, le=100000)
    unit_price: Money = Field(description="decimal, >= 0")


class OrderCreate(Schema):
    """An order for a buyer; `total` defaults to the sum of the items."""

    marketplace: str = Field(default="manual", max_length=40)
    external_id: ExternalId
    reference: str | None = Field(default=None, max_length=100,
                                  description='what the buyer knows the order as, e.g. "#1001"')
    placed_at: Instant
    currency: Annotated[str, AfterValidator(validate_currency)]
    total: Money | None = Field(default=None, description="decimal, >= 0")
    status: str = Field(default="placed", max_length=32)
    items: list[OrderItemIn] = Field(default_factory=list, max_length=1000)


class ActivityCreate(Schema):
    """Something the buyer did."""

    kind: Literal[ACTIVITY_KINDS]  # type: ignore[valid-type]
    occurred_at: Instant
    source: str = Field(default="api", max_length=40)
    detail: str | None = Field(default=None, max_length=500)
