"""Delivery events: every bounce, complaint or unsubscribe a provider reports, stored raw before it is acted on."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossborder_crm.db import Base, UTCDateTime

PROVIDERS = ("ses", "postmark", "sendgrid", "mailgun")
SOURCES = (*PROVIDERS, "dsn")  # where an event came from: a provider's webhook, or a DSN in the bounce mailbox
KINDS = ("hard_bounce", "soft_bounce", "complaint", "unsubscribe", "subscription")  # a plain String(16) column
# What was done with it: the address suppressed for all mail or for marketing, a soft bounce counted
# toward the limit, or (an SNS subscription) confirmed.
ACTIONS = ("suppressed_all", "suppressed_marketing", "counted", "confirmed")


class DeliveryEvent(Base):
    """One provider event for one recipient, with the raw payload it came in."""

    __tablename__ = "delivery_events"
    __table_args__ = (
        # A provider retry carries the same event id: the second copy collides here.
        UniqueConstraint("seller_id", "source", "event_id"),
        Index("ix_delivery_events_buyer", "buyer_id", "occurred_at"),
        Index("ix_delivery_events_message", "message_id", "occurred_at"),
        # The soft-bounce count: one address's soft bounces within the window.
        Index("ix_delivery_events_recipient", "seller_id", "recipient", "kind", "occurred_at"),
        Index("ix_delivery_events_seller_received", "seller_id", "source", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))  # lower-cased; "" for a subscription
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(String(500))
    action: Mapped[str | None] = mapped_column(String(32))
    raw: Mapped[bytes] = mapped_column(LargeBinary)


class FeedbackNonce(Base):
    """A signature token already used (Mailgun signs a timestamp and a token, not the body): a token is
    accepted once, so a captured signature cannot carry another body."""

    __tablename__ = "feedback_nonces"
    __table_args__ = (
        UniqueConstraint("seller_id", "source", "nonce"),
        Index("ix_feedback_nonces_seen", "seller_id", "source", "seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    nonce: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(200))  # what it signed: a retry of that event is a duplicate
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
