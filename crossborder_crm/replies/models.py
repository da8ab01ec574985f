"""Reply drafts and their audit trail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossborder_crm.db import Base, UTCDateTime

DRAFT_KINDS = ("review", "dispute", "message")
DRAFT_STATUSES = ("new", "edited", "approved", "sent")
# What happened to a draft, in order: written, changed by the seller, approved, sent through the
# outbox, or copied out for the marketplace's own message box.
DRAFT_ACTIONS = ("created", "edited", "approved", "sent", "copied")


class ReplyDraft(Base):
    """A complaint (review, dispute, message), what we understood, and the reply drafted for it."""

    __tablename__ = "reply_drafts"
    __table_args__ = (
        Index("ix_reply_drafts_seller_status", "seller_id", "status", "id"),
        Index("ix_reply_drafts_buyer", "buyer_id", "created_at"),
        Index("ix_reply_drafts_seller_received", "seller_id", "received_at"),  # the inbox and insights windows
        # A marketplace event is drafted once, however often the worker looks.
        UniqueConstraint("activity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(40), default="api")  # api | panel | a marketplace's name
    # When the buyer wrote (the marketplace's time for a webhook event): the response clock starts here.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(35))  # detected in the complaint
    category: Mapped[str] = mapped_column(String(32))
    categories: Mapped[list] = mapped_column(JSON, default=list)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    severity: Mapped[str] = mapped_column(String(8))
    severity_reasons: Mapped[list] = mapped_column(JSON, default=list)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    remedy: Mapped[dict] = mapped_column(JSON, default=dict)
    buyer_locale: Mapped[str] = mapped_column(String(35))
    buyer_subject: Mapped[str] = mapped_column(String(300))
    buyer_body: Mapped[str] = mapped_column(Text)
    buyer_public_reply: Mapped[str | None] = mapped_column(Text)
    seller_locale: Mapped[str] = mapped_column(String(35))
    seller_subject: Mapped[str] = mapped_column(String(300))
    seller_body: Mapped[str] = mapped_column(Text)
    seller_public_reply: Mapped[str | None] = mapped_column(Text)
    machine_translated: Mapped[bool] = mapped_column(Boolean, default=False)
    translation_note: Mapped[str | None] = mapped_column(String(300))
    tone_warnings: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="new")
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DraftEvent(Base):
    """One step of a draft's life, for the audit trail."""

    __tablename__ = "reply_draft_events"
    __table_args__ = (Index("ix_reply_draft_events_draft", "draft_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("reply_drafts.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))  # "api", or "user:<id>" from the panel
    detail: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReplyPolicy(Base):
    """A seller's changes to the default remedy policy and response time (replies.remedy.Policy)."""

    __tablename__ = "reply_policies"

    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SavedReply(Base):
    """An answer the seller keeps for a question buyers ask again and again (from an FAQ suggestion or typed)."""

    __tablename__ = "saved_replies"
    __table_args__ = (Index("ix_saved_replies_seller", "seller_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(35))
    source: Mapped[str] = mapped_column(String(16))  # "faq" (approved from a suggestion) | "manual"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventOutcome(Base):
    """What the drafting job did with one marketplace event (drafted, skipped, failed): each is looked at once."""

    __tablename__ = "reply_event_outcomes"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
