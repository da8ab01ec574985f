"""Buyer profiles, their marketplace identities, orders, spend and activity."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crossborder_crm.db import Base, UTCDateTime

CONSENT_STATUSES = ("unknown", "granted", "denied", "withdrawn")


# The named segments (campaigns/segments.py has the rules); here so the buyer list can filter by them.
SEGMENTS = ("key", "loyal", "regular", "new", "promising", "at_risk", "lapsed", "occasional", "no_orders")


class Buyer(Base):
    """A buyer of one seller: where they are, when they are awake, what they speak and buy."""

    __tablename__ = "buyers"
    __table_args__ = (
        UniqueConstraint("seller_id", "email"),
        Index("ix_buyers_seller_id", "seller_id", "id"),  # the default list order, by keyset
        Index("ix_buyers_seller_country", "seller_id", "country"),
        Index("ix_buyers_seller_language", "seller_id", "language"),
        Index("ix_buyers_seller_name", "seller_id", "name"),
        Index("ix_buyers_seller_last_order", "seller_id", "last_order_at"),
        Index("ix_buyers_seller_segment", "seller_id", "segment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(64))
    timezone_source: Mapped[str] = mapped_column(String(32))
    timezone_confidence: Mapped[str] = mapped_column(String(8))
    timezone_explanation: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(35))
    language_source: Mapped[str] = mapped_column(String(32))
    language_explanation: Mapped[str] = mapped_column(String(500))
    marketplace: Mapped[str | None] = mapped_column(String(40))
    marketplace_buyer_id: Mapped[str | None] = mapped_column(String(100))
    marketplace_locale: Mapped[str | None] = mapped_column(String(35))
    tags: Mapped[list] = mapped_column(default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    # Name and email folded (buyers.search_text.fold) for accent-insensitive search.
    search_text: Mapped[str | None] = mapped_column(String(600))
    consent_status: Mapped[str] = mapped_column(String(16), default="unknown")
    consent_source: Mapped[str | None] = mapped_column(String(64))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Derived statistics, kept current by buyers.stats on every order change.
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    first_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    avg_days_between_orders: Mapped[float | None] = mapped_column(Numeric(10, 2))
    next_purchase_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The buyer's last own message (reply, question): a follow-up after delivery is not sent then.
    last_buyer_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by reply drafting (replies/) for a review of 1-2 stars: keeps the buyer out of marketing for a while.
    last_negative_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Recency/frequency/monetary scores (1-5) and the named segment, refreshed by the worker (campaigns/).
    segment: Mapped[str | None] = mapped_column(String(16))
    segment_reason: Mapped[str | None] = mapped_column(String(200))
    rfm_recency: Mapped[int | None] = mapped_column(SmallInteger)
    rfm_frequency: Mapped[int | None] = mapped_column(SmallInteger)
    rfm_monetary: Mapped[int | None] = mapped_column(SmallInteger)
    segment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    spend: Mapped[list["BuyerSpend"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    identities: Mapped[list["BuyerIdentity"]] = relationship(cascade="all, delete-orphan",
                                                             lazy="selectin")


class BuyerTag(Base):
    """One row per (buyer, tag): the index behind the tag filter."""

    __tablename__ = "buyer_tags"
    __table_args__ = (Index("ix_buyer_tags_seller_tag", "seller_id", "tag", "buyer_id"),)

    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"),
                                          primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))


class BuyerIdentity(Base):
    """The buyer's id on a marketplace; a buyer can be known on several."""

    __tablename__ = "buyer_identities"
    __table_args__ = (UniqueConstraint("seller_id", "marketplace", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"), index=True)
    marketplace: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str | None] = mapped_column(String(35))


class BuyerSpend(Base):
    """Spend per currency in minor units: money is never a float and never summed across currencies."""

    __tablename__ = "buyer_spend"

    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"),
                                          primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class Order(Base):
    """An order placed by a buyer on a marketplace (or imported)."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("seller_id", "marketplace", "external_id"),
        Index("ix_orders_buyer_placed", "buyer_id", "placed_at"),
        Index("ix_orders_seller_id", "seller_id", "id"),  # the API list order, by keyset
        # A complaint names its order as the buyer knows it (#1001) or by the platform's id.
        Index("ix_orders_seller_reference", "seller_id", "reference"),
        Index("ix_orders_seller_external", "seller_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    marketplace: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(100))  # a string: ids above 2**53 stay exact
    # What the buyer knows the order as ("#1001" on Shopify), when it differs from external_id.
    reference: Mapped[str | None] = mapped_column(String(100))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32), default="placed")
    # The platform's own last-modified time, so an older update arriving late changes nothing.
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by dispute handling (marketplace webhooks, reply drafting): holds back the follow-up.
    dispute_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    items: Mapped[list["OrderItem"]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                    order_by="OrderItem.id")


class OrderItem(Base):
    """A line of an order."""

    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)


ACTIVITY_KINDS = ("order_placed", "message_received", "email_open", "email_click", "visit",
                  "review", "dispute", "unsubscribe")


class Activity(Base):
    """Something the buyer did, at a UTC instant: the raw material of the send-time model."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_buyer_at", "buyer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
