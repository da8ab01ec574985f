"""What a seller asks for when creating a campaign: the schema, its cross-field checks and the
placeholders a text may use. Pure: no database, no Flask."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal, Mapping

from pydantic import Field, model_validator

from crossborder_crm.campaigns.audiences import AudienceFilter
from crossborder_crm.campaigns.models import CAMPAIGN_KINDS
from crossborder_crm.errors import N_, Reason
from crossborder_crm.money import validate_currency
from crossborder_crm.validation import FieldError, Schema, parse

# What a subject or body may say in braces, filled per buyer when the campaign is planned.
PLACEHOLDERS = {
    "name": "the buyer's name",
    "shop": "the seller's name",
    "product": "the launched product's name",
    "product_url": "the launched product's link",
    "price": "the product's price in the buyer's currency and number format",
    "discount": "the sale's discount, as written",
    "coupon": "the sale's coupon code",
    "ends": "the end of the sale in the buyer's local time and date format",
    "holiday": "the holiday's name",
    "holiday_date": "the holiday's date in the buyer's country, in the buyer's date format",
    "pick": "the product the buyer has bought most often",
}
# Which placeholders need which part of the campaign.
NEEDS = {"product": "launch", "product_url": "launch", "price": "launch", "discount": "sale", "coupon": "sale",
         "ends": "sale", "holiday": "holiday", "holiday_date": "holiday"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
MAX_DAYS_BEFORE = 60


class Product(Schema):
    """A launched product: name, link, image and a price per currency in minor units."""

    name: str = Field(min_length=1, max_length=200)
    url: str | None = Field(default=None, max_length=1000, pattern=r"^https?://\S+$")
    image_url: str | None = Field(default=None, max_length=1000, pattern=r"^https?://\S+$")
    prices: dict[str, int] = Field(default_factory=dict, description="{\"EUR\": 1999}: minor units per currency")
    category: str | None = Field(default=None, max_length=100,
                                 description="only buyers who bought in this category, when given")

    @model_validator(mode="after")
    def _currencies(self) -> "Product":
        checked = {}
        for code, minor in self.prices.items():
            try:
                checked[validate_currency(code)] = minor
            except ValueError:
                raise FieldError("prices", N_("unknown currency code")) from None
            if not 0 <= minor <= 10**12:
                raise FieldError("prices", N_("an amount is out of range"))
        self.prices = checked
        return self


class Offer(Schema):
    """A sale: from the start day to an end in each buyer's own local time."""

    discount: str | None = Field(default=None, max_length=50, description="as shown: \"20 %\", \"2 for 1\"")
    coupon: str | None = Field(default=None, max_length=50)
    starts_on: date
    ends_at: datetime = Field(description="local wall-clock time, no offset: each buyer's own")


class HolidayChoice(Schema):
    """A day from the holiday calendar and how many days before each country's date to write."""

    key: str = Field(min_length=1, max_length=120)
    days_before: int = Field(default=3, ge=0, le=MAX_DAYS_BEFORE)


class Repurchase(Schema):
    """Buyers whose predicted next purchase falls within `within_days` and who have not ordered since."""

    within_days: int = Field(default=7, ge=1, le=90)


AB_METRICS = ("opens", "clicks", "orders")


class AbTest(Schema):
    """Two subjects tried on a sample (half each); after `decide_after_hours` the better one by `metric`
    goes to the rest of the audience."""

    subject_b: dict[str, str] = Field(min_length=1, max_length=100,
                                      description="the second subject per language version")
    sample_percent: int = Field(default=20, ge=2, le=50, description="of the recipients, split half A, half B")
    decide_after_hours: int = Field(default=24, ge=1, le=168)
    metric: Literal[AB_METRICS] = "orders"  # type: ignore[valid-type]


class Version(Schema):
    """A subject and body in one language."""

    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)


class Content(Schema):
    """The seller's language and the versions they wrote (theirs at least)."""

    language: str = Field(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    versions: dict[str, Version] = Field(min_length=1, max_length=100)


class CampaignCreate(Schema):
    """A new campaign (a draft until launched)."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal[CAMPAIGN_KINDS]  # type: ignore[valid-type]
    audience: AudienceFilter = Field(default_factory=AudienceFilter)
    audience_id: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                    description="start from a saved audience (its filter is copied)")
    confirm_all: bool = Field(default=False, description="required to mail every buyer with an empty filter")
    product: Product | None = None
    offer: Offer | None = None
    holiday: HolidayChoice | None = None
    repurchase: Repurchase | None = None
    send_on: date | None = Field(default=None, description="the buyers' local day (launch, announcement)")
    content: Content
    ab: AbTest | None = Field(default=None, description="an A/B test of subjects")
    attribution_days: int = Field(default=7, ge=1, le=90)

    @model_validator(mode="after")
    def _coherent(self) -> "CampaignCreate":
        own = {"launch": "product", "sale": "offer", "holiday": "holiday"}.get(self.kind)
        if own and getattr(self, own) is None:
            raise FieldError(own, N_("is required for this kind of campaign"))
        if self.kind == "repurchase" and self.repurchase is None:
            self.repurchase = Repurchase()
        if self.offer is not None and self.offer.ends_at.date() < self.offer.starts_on:
            raise FieldError("offer.ends_at", N_("must not be before starts_on"))
        if self.offer is not None and self.offer.ends_at.tzinfo is not None:
            raise FieldError("offer.ends_at", N_("must be a local time without an offset"))
        if self.content.language not in self.content.versions:
            raise FieldError("content.versions", N_("must include the version in content.language"))
        for lang, version in self.content.versions.items():
            for part in ("subject", "body"):
                bad = placeholder_problem(getattr(version, part), self.kind)
                if bad:
                    raise FieldError(f"content.versions.{lang}.{part}", bad)
        if self.ab is not None:
            self._check_ab(self.ab)
        if self.audience_id is not None and not is_empty(self.audience):
            raise FieldError("audience_id", N_("give either audience or audience_id"))
        if self.audience_id is None:
            check_not_everyone(self)
        return self

    def _check_ab(self, ab: AbTest) -> None:
        if self.kind == "repurchase":
            raise FieldError("ab", N_("a standing campaign cannot run an A/B test"))
        if self.content.language not in ab.subject_b:
            raise FieldError("ab.subject_b", N_("must include the subject in content.language"))
        for lang, subject in ab.subject_b.items():
            if lang not in self.content.versions:
                raise FieldError(f"ab.subject_b.{lang}", N_("has no version in content.versions"))
            if not 1 <= len(subject) <= 200:
                raise FieldError(f"ab.subject_b.{lang}", N_("must be 1 to 200 characters"))
            bad = placeholder_problem(subject, self.kind)
            if bad:
                raise FieldError(f"ab.subject_b.{lang}", bad)


def is_empty(f: AudienceFilter) -> bool:
    """True when the filter narrows nothing (every buyer)."""
    return not any(v not in (None, [], "") for v in f.model_dump().values())


def check_not_everyone(spec: "CampaignCreate") -> None:
    """An empty filter mails every buyer: only with confirm_all (a repurchase campaign picks its own)."""
    if is_empty(spec.audience) and spec.kind != "repurchase" and not spec.confirm_all:
        raise FieldError("audience", N_("an empty filter mails every buyer: set confirm_all to true"))


def placeholder_problem(text: str, kind: str) -> str | None:
    """Why a text's placeholders cannot be filled for this kind, or None."""
    for name in PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            return Reason(N_("unknown placeholder {%(name)s}; known: %(known)s"), name=name,
                          known=", ".join(sorted(PLACEHOLDERS)))
        if NEEDS.get(name, kind) != kind:
            return Reason(N_("placeholder {%(name)s} needs a %(kind)s campaign"), name=name, kind=NEEDS[name])
    return None


def parse_campaign(data: Mapping[str, Any]) -> CampaignCreate:
    """The campaign from JSON; ValidationFailed names the field."""
    return parse(CampaignCreate, data, "campaign")


def details_of(spec: CampaignCreate) -> dict:
    """The kind's own fields as stored on the campaign."""
    out: dict = {}
    if spec.product is not None:
        out["product"] = spec.product.model_dump()
    if spec.offer is not None:
        out["offer"] = {"discount": spec.offer.discount, "coupon": spec.offer.coupon,
                        "starts_on": spec.offer.starts_on.isoformat(),
                        "ends_at": spec.offer.ends_at.replace(second=0, microsecond=0).isoformat(timespec="minutes")}
    if spec.holiday is not None:
        out["holiday"] = spec.holiday.model_dump()
    if spec.repurchase is not None:
        out["repurchase"] = spec.repurchase.model_dump()
    if spec.ab is not None:
        out["ab"] = {**spec.ab.model_dump(), "decided": None}
    return out


def content_of(spec: CampaignCreate) -> dict:
    """The content as stored: each version marked as the seller's."""
    return {"language": spec.content.language,
            "versions": {lang: {"subject": v.subject, "body": v.body, "origin": "seller"}
                         for lang, v in spec.content.versions.items()}}
