"""The outbox: every outgoing message is a row before anything is sent; the suppression list."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from crossborder_crm.db import Base, UTCDateTime

MESSAGE_KINDS = ("transactional", "marketing", "conversation")
# "paused": held by a paused campaign; "waiting": held until a campaign's A/B test picks the subject.
# The dispatcher claims only "scheduled".
MESSAGE_STATUSES = ("scheduled", "paused", "waiting", "sending", "sent", "failed", "cancelled", "suppressed")


class Message(Base):
    """One email to one buyer, from scheduling to its final state.

    `due_at` is when a worker may next pick it up: the scheduled instant, a retry time, or the
    expiry of the lease held by the worker that claimed it.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("seller_id", "idempotency_key"),
        Index("ix_messages_status_due", "status", "due_at"),
        Index("ix_messages_seller_status", "seller_id", "status", "id"),
        Index("ix_messages_buyer_sched", "buyer_id", "scheduled_at"),
        # Bounces and complaints name the original by its Message-ID (feedback/).
        Index("ix_messages_rfc_message_id", "rfc_message_id"),
        Index("ix_messages_origin", "seller_id", "origin", "origin_ref"),  # a campaign's messages
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # What produced it: "written" (a seller's message), later "milestone", "campaign", "reply".
    origin: Mapped[str] = mapped_column(String(16), default="written")
    origin_ref: Mapped[str | None] = mapped_column(String(100))  # shipment/campaign/draft id
    variant: Mapped[str | None] = mapped_column(String(4))  # a campaign's A/B group: a, b or rest
    idempotency_key: Mapped[str] = mapped_column(String(200))
    rfc_message_id: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(35))
    # Either a template + context rendered at send time, or the seller's own words.
    template: Mapped[str | None] = mapped_column(String(100))
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    subject: Mapped[str | None] = mapped_column(String(998))
    body: Mapped[str | None] = mapped_column(Text)
    # A written message the translator put into the buyer's language keeps the seller's words
    # here (subject/body hold the translation); `translation_note` says what happened to it
    # ("machine-translated from de by libre", "translator off: sent as written"); all None when
    # the seller and the buyer share a language (see outbox.written_translation).
    original_subject: Mapped[str | None] = mapped_column(String(998))
    original_body: Mapped[str | None] = mapped_column(Text)
    source_language: Mapped[str | None] = mapped_column(String(35))
    translation_note: Mapped[str | None] = mapped_column(String(500))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The seller chose `scheduled_at` inside the buyer's quiet hours on purpose: the dispatcher sends
    # it then, and only shortly after (outbox.send_window). A server default: COPY leaves it out.
    quiet_override: Mapped[bool] = mapped_column(default=False, server_default=false())
    explanation: Mapped[str] = mapped_column(String(500), default="")
    # The same explanation as a code and its parameters, for the panel to word in any language.
    explanation_data: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    to_email: Mapped[str | None] = mapped_column(String(320))  # the address it went to
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Suppression(Base):
    """An address that must not be mailed: unsubscribed (marketing), bounced or complained (all)."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("seller_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(32))  # unsubscribe | hard_bounce | soft_bounces | complaint | manual
    scope: Mapped[str] = mapped_column(String(16))  # marketing | all
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SendLog(Base):
    """Marketing sends per buyer, for the frequency cap (checked at scheduling and at send)."""

    __tablename__ = "send_log"
    __table_args__ = (Index("ix_send_log_buyer_kind_at", "buyer_id", "kind", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MessageEvent(Base):
    """An open or a click of a tracked marketing email; `machine` when a scanner or a prefetch made it."""

    __tablename__ = "message_events"
    __table_args__ = (Index("ix_message_events_message_kind", "message_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # open | click
    machine: Mapped[bool] = mapped_column(default=False)
    url: Mapped[str | None] = mapped_column(String(2000))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class SendRate(Base):
    """A sending limit shared by every worker: the next free slot of a rate, or a domain's pause
    (outbox.rate_limits); times are epoch seconds."""

    __tablename__ = "send_rates"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)
    blocked_until: Mapped[float | None] = mapped_column(Float)  # a pause's end, or a connection slot's lease
    holder: Mapped[str | None] = mapped_column(String(100))  # the session holding a connection slot


class JobLock(Base):
    """A row per once-only periodic job: on databases without advisory locks, a leased row."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
