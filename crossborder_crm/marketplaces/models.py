"""Webhook deliveries: every delivery a platform sends is stored, raw, before anything is applied."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossborder_crm.db import Base, UTCDateTime

DELIVERY_STATUSES = ("received", "applied", "ignored", "failed", "waiting")


class WebhookDelivery(Base):
    """One delivery as received: raw body and the headers that matter, kept for audit and replay."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # A platform retries with the same id: the second copy collides here and is acknowledged.
        UniqueConstraint("seller_id", "source", "delivery_id"),
        Index("ix_webhook_deliveries_status", "status", "id"),
        Index("ix_webhook_deliveries_seller_received", "seller_id", "source", "received_at"),
        Index("ix_webhook_deliveries_waiting", "seller_id", "waiting_for"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(100))
    delivery_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="received")
    error: Mapped[str | None] = mapped_column(Text)
    # What a `waiting` delivery waits for ("order:shopify:450789469", "tracking:1Z999"): applying
    # that order or shipment retries it.
    waiting_for: Mapped[str | None] = mapped_column(String(300))
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
