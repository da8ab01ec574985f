"""The bridge between stored data and the pure timing engine: policies, caps and profiles."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Activity, Buyer
from crossborder_crm.outbox.models import Message, SendLog
from crossborder_crm.timing import (ActivityEvent, FrequencyCap, OnlineProfile, SendPolicy,
                                    default_profile, learn_profile)

LEARNING_WINDOW = timedelta(days=365)
MAX_EVENTS = 500


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def seller_policy(seller: Seller, kind: str, target_local_date: date | None = None) -> SendPolicy:
    """The seller's quiet hours and deadlines as a SendPolicy for one message kind."""
    deadline = timedelta(hours=seller.conversation_deadline_hours) if kind == "conversation" else None
    return SendPolicy(kind=kind, quiet_start=_hhmm(seller.quiet_start), quiet_end=_hhmm(seller.quiet_end),
                      target_local_date=target_local_date, deadline=deadline)


def seller_cap(seller: Seller) -> FrequencyCap:
    """The seller's marketing frequency cap."""
    return FrequencyCap(max_messages=seller.marketing_cap_count, window=timedelta(days=seller.marketing_cap_days))


def country_curves(seller: Seller) -> dict:
    """Per-country curves: learned from this seller's buyers, then the seller's own overrides."""
    settings = seller.settings or {}
    return {**settings.get("learned_country_curves", {}), **settings.get("country_curves", {})}


def buyer_profile(s: Session, buyer: Buyer, seller: Seller, now: datetime) -> OnlineProfile:
    """The buyer's likely-online profile, learned from their recent activity."""
    rows = s.execute(select(Activity.occurred_at, Activity.kind)
                     .where(Activity.buyer_id == buyer.id, Activity.occurred_at >= now - LEARNING_WINDOW,
                            Activity.occurred_at <= now)
                     .order_by(Activity.occurred_at.desc()).limit(MAX_EVENTS)).all()
    curves = country_curves(seller) or None
    if not rows:
        return default_profile(buyer.country, buyer.timezone, curves)
    events = [ActivityEvent(at, kind) for at, kind in rows]
    return learn_profile(buyer.country, buyer.timezone, events, now, overrides=curves)


def marketing_sends(s: Session, buyer_id: int, since: datetime, exclude_message: int | None = None) -> list[datetime]:
    """Instants of marketing messages sent or scheduled for a buyer since a moment (for the cap)."""
    sent = [r for r, in s.execute(select(SendLog.sent_at).where(
        SendLog.buyer_id == buyer_id, SendLog.kind == "marketing", SendLog.sent_at >= since))]
    q = select(Message.scheduled_at).where(Message.buyer_id == buyer_id, Message.kind == "marketing",
                                           Message.status.in_(("scheduled", "sending")))
    if exclude_message is not None:
        q = q.where(Message.id != exclude_message)
    return sent + [r for r, in s.execute(q)]
