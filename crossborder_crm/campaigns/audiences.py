"""Audiences: a saved-filter shape over the buyers, and its preview — who would get a campaign, who is
left out and why (each buyer counted under the first reason that applies), by country, language and
segment. The exclusions hold whatever the filter says."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

from pydantic import Field, model_validator
from sqlalchemy import and_, exists, or_, select

from crossborder_crm.buyers.codes import validate_country
from crossborder_crm.buyers.models import (
    CONSENT_STATUSES,
    SEGMENTS,
    Buyer,
    BuyerSpend,
    BuyerTag,
    Order,
    OrderItem,
)
from crossborder_crm.campaigns.consent_policy import may_market
from crossborder_crm.db import Database
from crossborder_crm.errors import N_
from crossborder_crm.outbox.models import Suppression
from crossborder_crm.validation import FieldError, Schema, parse

# Why a buyer in the filter gets no campaign, in the order they are checked.
EXCLUSIONS = ("no_address", "unsubscribed", "bounced", "complained", "suppressed", "no_consent", "open_dispute",
              "negative_review")
BOUNCES = ("hard_bounce", "soft_bounces")
NEGATIVE_REVIEW_DAYS = 60  # a bad review this recent keeps the buyer out of campaigns


class AudienceFilter(Schema):
    """Which buyers: every field narrows; an empty filter is every buyer."""

    countries: list[str] = Field(default_factory=list, max_length=250)
    languages: list[str] = Field(default_factory=list, max_length=100, description="primary subtags: pt matches pt-BR")
    segments: list[str] = Field(default_factory=list, max_length=len(SEGMENTS))
    tags: list[str] = Field(default_factory=list, max_length=50, description="any of these")
    consent: list[str] = Field(default_factory=list, max_length=len(CONSENT_STATUSES))
    min_orders: int | None = Field(default=None, ge=0, le=1_000_000)
    max_orders: int | None = Field(default=None, ge=0, le=1_000_000)
    spend_currency: str | None = Field(default=None, min_length=3, max_length=3)
    min_spend_minor: int | None = Field(default=None, ge=0)
    max_spend_minor: int | None = Field(default=None, ge=0)
    last_order_after: datetime | None = None
    last_order_before: datetime | None = None
    bought_product: str | None = Field(default=None, min_length=1, max_length=300,
                                       description="an item title or SKU, exactly")

    @model_validator(mode="after")
    def _coherent(self) -> "AudienceFilter":
        self.countries = [validate_country(c) for c in self.countries]
        for name, allowed in (("segments", SEGMENTS), ("consent", CONSENT_STATUSES)):
            unknown = [v for v in getattr(self, name) if v not in allowed]
            if unknown:
                raise FieldError(name, N_("unknown value"))
        if (self.min_spend_minor is not None or self.max_spend_minor is not None) and not self.spend_currency:
            raise FieldError("spend_currency", N_("is required with a spend range"))
        if self.min_orders is not None and self.max_orders is not None and self.min_orders > self.max_orders:
            raise FieldError("max_orders", N_("must not be below min_orders"))
        return self


def parse_filter(data: Mapping[str, Any]) -> AudienceFilter:
    """The filter from JSON; ValidationFailed names the field."""
    return parse(AudienceFilter, data, "audience")


def where_clauses(seller_id: int, f: AudienceFilter) -> list:
    """The filter as SQL conditions on buyers (the seller's own only)."""
    where = [Buyer.seller_id == seller_id]
    if f.countries:
        where.append(Buyer.country.in_(f.countries))
    if f.languages:
        where.append(or_(*(or_(Buyer.language == lang, Buyer.language.like(f"{lang}-%")) for lang in f.languages)))
    if f.segments:
        where.append(Buyer.segment.in_(f.segments))
    if f.tags:
        where.append(exists().where(BuyerTag.buyer_id == Buyer.id, BuyerTag.tag.in_([t.lower() for t in f.tags])))
    if f.consent:
        where.append(Buyer.consent_status.in_(f.consent))
    if f.min_orders is not None:
        where.append(Buyer.order_count >= f.min_orders)
    if f.max_orders is not None:
        where.append(Buyer.order_count <= f.max_orders)
    if f.spend_currency:
        spend = [BuyerSpend.buyer_id == Buyer.id, BuyerSpend.currency == f.spend_currency.upper()]
        if f.min_spend_minor is not None:
            spend.append(BuyerSpend.total_minor >= f.min_spend_minor)
        if f.max_spend_minor is not None:
            spend.append(BuyerSpend.total_minor <= f.max_spend_minor)
        where.append(exists().where(and_(*spend)))
    if f.last_order_after is not None:
        where.append(Buyer.last_order_at >= f.last_order_after)
    if f.last_order_before is not None:
        where.append(Buyer.last_order_at < f.last_order_before)
    if f.bought_product:
        where.append(exists().where(Order.buyer_id == Buyer.id, OrderItem.order_id == Order.id,
                                    or_(OrderItem.title == f.bought_product, OrderItem.sku == f.bought_product)))
    return where


@dataclass
class Preview:
    """Who would get the campaign, who not and why, and the breakdowns of those who would."""

    recipients: int = 0
    excluded: Counter = field(default_factory=Counter)
    by_country: Counter = field(default_factory=Counter)
    by_language: Counter = field(default_factory=Counter)
    by_segment: Counter = field(default_factory=Counter)

    def add_recipient(self, country: str, language: str, segment: str | None) -> None:
        """Count one recipient into the total and the breakdowns."""
        self.recipients += 1
        self.by_country[country] += 1
        self.by_language[language.split("-")[0]] += 1
        self.by_segment[segment or "not_scored"] += 1


def exclusion(email: str | None, country: str, consent: str, suppressed: Mapping[str, str], disputed: bool,
              last_negative_review_at: datetime | None, now: datetime) -> str | None:
    """The first reason this buyer gets no campaign, or None."""
    address = (email or "").strip().lower()
    if not address:
        return "no_address"
    reason = suppressed.get(address)
    if reason == "unsubscribe":
        return "unsubscribed"
    if reason in BOUNCES:
        return "bounced"
    if reason == "complaint":
        return "complained"
    if reason is not None:  # suppressed by hand
        return "suppressed"
    if not may_market(country, consent):
        return "no_consent"
    if disputed:
        return "open_dispute"
    if last_negative_review_at is not None and last_negative_review_at >= now - timedelta(days=NEGATIVE_REVIEW_DAYS):
        return "negative_review"
    return None


def preview(db: Database, seller_id: int, f: AudienceFilter, now: datetime) -> Preview:
    """Count the audience and its exclusions, streaming the buyers (memory flat)."""
    out = Preview()
    with db.reading() as s:
        suppressed = {email.lower(): reason for email, reason in s.execute(
            select(Suppression.email, Suppression.reason).where(Suppression.seller_id == seller_id))}
        disputed = set(s.scalars(select(Order.buyer_id).where(Order.seller_id == seller_id, Order.dispute_open)
                                 .distinct()))
        rows = s.execute(select(Buyer.id, Buyer.email, Buyer.country, Buyer.language, Buyer.segment,
                                Buyer.consent_status, Buyer.last_negative_review_at).where(*where_clauses(seller_id, f))
                         .execution_options(yield_per=5_000))
        for b in rows:
            why = exclusion(b.email, b.country, b.consent_status, suppressed, b.id in disputed,
                            b.last_negative_review_at, now)
            if why is not None:
                out.excluded[why] += 1
                continue
            out.add_recipient(b.country, b.language, b.segment)
    return out

