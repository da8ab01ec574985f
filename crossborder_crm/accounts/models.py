"""Sellers (tenants), their users, API tokens and webhook secrets."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crossborder_crm.db import Base, UTCDateTime

WEBHOOK_SOURCES = ("shopify", "woocommerce", "aftership", "generic")
# Delivery-feedback providers (feedback/): their per-seller credential lives in webhook_secrets too.
FEEDBACK_SOURCES = ("ses", "postmark", "sendgrid", "mailgun")
# Sources whose secret we make; the other feedback providers hand the seller a key (or a topic) to paste.
GENERATED_SOURCES = (*WEBHOOK_SOURCES, "postmark")


class Seller(Base):
    """A tenant: every buyer, order and message belongs to exactly one seller."""

    __tablename__ = "sellers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # public id in webhook URLs
    name: Mapped[str] = mapped_column(String(200))
    default_language: Mapped[str] = mapped_column(String(35), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    from_name: Mapped[str | None] = mapped_column(String(200))
    from_email: Mapped[str | None] = mapped_column(String(320))
    reply_to: Mapped[str | None] = mapped_column(String(320))
    postal_address: Mapped[str | None] = mapped_column(Text)
    quiet_start: Mapped[str] = mapped_column(String(5), default="21:30")
    quiet_end: Mapped[str] = mapped_column(String(5), default="08:30")
    marketing_cap_count: Mapped[int] = mapped_column(Integer, default=2)
    marketing_cap_days: Mapped[int] = mapped_column(Integer, default=7)
    conversation_deadline_hours: Mapped[int] = mapped_column(Integer, default=24)
    dkim_domain: Mapped[str | None] = mapped_column(String(253))
    dkim_selector: Mapped[str | None] = mapped_column(String(63))
    dkim_private_key: Mapped[str | None] = mapped_column(Text)
    # The seller's own SMTP relay (outbox.relays); no host: the service's relay. The password is
    # stored encrypted (SecretBox) and never shown again.
    relay_host: Mapped[str | None] = mapped_column(String(253))
    relay_port: Mapped[int | None] = mapped_column(Integer)
    relay_security: Mapped[str | None] = mapped_column(String(8))
    relay_username: Mapped[str | None] = mapped_column(String(320))
    relay_password: Mapped[str | None] = mapped_column(Text)
    relay_max_connections: Mapped[int | None] = mapped_column(Integer)
    relay_per_second: Mapped[float | None] = mapped_column(Float)
    relay_per_domain_per_minute: Mapped[int | None] = mapped_column(Integer)
    # Open and click tracking in marketing email: off unless the seller turns it on (outbox.tracking).
    track_engagement: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Room for later capabilities (milestone choices, country curves, reply policy) without a
    # migration per knob; typed settings get their own columns once they settle.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    users: Mapped[list["User"]] = relationship(back_populates="seller")


class User(Base):
    """A person who logs into the panel for a seller."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(35))  # panel language; None = browser's
    # Bumped on logout, password change and token rotation: older session cookies stop working.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    seller: Mapped[Seller] = relationship(back_populates="users")


class ApiToken(Base):
    """A bearer token for the API; only its SHA-256 is stored (tokens are high-entropy)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in the panel to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookSecret(Base):
    """The shared secret a platform signs its webhooks with: encrypted at rest (SecretBox), so
    that it can still be decrypted to verify HMACs."""

    __tablename__ = "webhook_secrets"
    __table_args__ = (UniqueConstraint("seller_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    secret: Mapped[str] = mapped_column(Text)  # "fernet:…"; a legacy plain value until `secrets rotate`
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed panel logins per key (account, client address) to slow, then refuse, guessing; also
    other uses counted per window, such as test emails (accounts.throttle)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
