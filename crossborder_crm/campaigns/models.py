"""A campaign: who (an audience), what kind (launch, sale, holiday, repurchase), what it says in each
language, and what its planning did. Its emails are outbox messages with origin "campaign"."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossborder_crm.db import Base, UTCDateTime

CAMPAIGN_KINDS = ("launch", "sale", "holiday", "repurchase", "announcement")
# draft: editable; launched: planned (a repurchase campaign keeps planning each day); paused: its
# unsent messages held; cancelled: its unsent messages cancelled, nothing more planned.
CAMPAIGN_STATUSES = ("draft", "launched", "paused", "cancelled")


class Campaign(Base):
    """One campaign of one seller."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_seller_status", "seller_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    audience: Mapped[dict] = mapped_column(JSON, default=dict)  # an AudienceFilter as JSON
    confirm_all: Mapped[bool] = mapped_column(default=False)
    # The kind's own fields: product (launch), offer (sale), holiday with each country's date,
    # repurchase window; see campaigns.definition.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    send_on: Mapped[date | None] = mapped_column(Date)  # the buyers' local day (launch, announcement)
    # {"language": "en", "versions": {"en": {"subject", "body", "origin": "seller"|"machine", "note"}}}
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    attribution_days: Mapped[int] = mapped_column(Integer, default=7)
    # What the last planning run did: {"planned", "already", "excluded": {reason: n}, "at"}.
    last_plan: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SavedAudience(Base):
    """A named filter a seller reuses; a campaign made from it keeps its own copy of the filter."""

    __tablename__ = "saved_audiences"
    __table_args__ = (UniqueConstraint("seller_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    filter: Mapped[dict] = mapped_column(JSON, default=dict)  # an AudienceFilter as JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
