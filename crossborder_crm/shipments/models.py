"""Shipments of orders, their checkpoint history, and the disruptions a seller declares."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossborder_crm.db import Base, UTCDateTime


class Shipment(Base):
    """One parcel of an order, as its sources report it, with the milestone it has reached.

    `milestone` only ever moves forward (shipments.milestones); `delay_episode` counts the times
    the parcel became stalled or late, so the delay notice goes out once per episode.
    """

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("seller_id", "tracking_number"),
        UniqueConstraint("seller_id", "source", "external_id"),
        Index("ix_shipments_seller_id", "seller_id", "id"),
        Index("ix_shipments_seller_milestone", "seller_id", "milestone", "id"),
        Index("ix_shipments_buyer", "buyer_id", "id"),
        Index("ix_shipments_order", "order_id"),
        Index("ix_shipments_open", "delivered_at", "milestone"),
        # A route's delivery history (expected dates, a reply's "usually N days"): newest deliveries first.
        Index("ix_shipments_route_history", "seller_id", "destination_country", "delivered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(100))
    carrier_name: Mapped[str | None] = mapped_column(String(100))
    carrier_code: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str] = mapped_column(String(100))
    tracking_url: Mapped[str | None] = mapped_column(String(1000))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expected_delivery: Mapped[date | None] = mapped_column(Date)
    # "given" (by a source), "route" (median of this route's deliveries) or "default" (setting).
    expected_delivery_source: Mapped[str | None] = mapped_column(String(16))
    milestone: Mapped[str] = mapped_column(String(32))
    milestone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_checkpoint_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_location: Mapped[str | None] = mapped_column(String(200))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stalled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    delay_episode: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Checkpoint(Base):
    """One scan of a parcel; `location` is "" when unknown so the unique key deduplicates it too."""

    __tablename__ = "shipment_checkpoints"
    __table_args__ = (
        UniqueConstraint("shipment_id", "at", "milestone", "location"),
        Index("ix_shipment_checkpoints_shipment_at", "shipment_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    milestone: Mapped[str] = mapped_column(String(32))
    raw_status: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200), default="", server_default="")
    country: Mapped[str | None] = mapped_column(String(2))
    description: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Incident(Base):
    """A known disruption: carriers and/or routes, a period, the seller's reason.

    `carriers` holds carrier codes or names (matched case-insensitively); `routes` holds
    {"origin": alpha-2 | null, "destination": alpha-2 | null} objects, null meaning any.
    """

    __tablename__ = "shipment_incidents"
    __table_args__ = (Index("ix_shipment_incidents_seller", "seller_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    carriers: Mapped[list] = mapped_column(JSON, default=list)
    routes: Mapped[list] = mapped_column(JSON, default=list)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    notified_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
