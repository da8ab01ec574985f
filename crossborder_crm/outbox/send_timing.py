"""Where stored data meets the pure timing engine: the seller's policy and cap, each buyer's
likely-online profile, the per-country curves learned from all of a seller's buyers (a periodic
job), and the buyer page's read model (heatmap and next good moment)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Activity, Buyer
from crossborder_crm.buyers.service import get_buyer_row
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message, SendLog
from crossborder_crm.timing import (
    ActivityEvent,
    FrequencyCap,
    OnlineProfile,
    SendPolicy,
    default_profile,
    describe_profile,
    learn_country_curves,
    learn_profile,
    next_send_time_explained,
    to_local,
)

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


def refresh_country_curves(db: Database, clock: Clock, window: timedelta = timedelta(days=365)) -> int:
    """Store learned curves in each seller's settings; returns how many countries were learned."""
    now = clock.now()
    learned = 0
    with db.reading() as s:
        seller_ids = list(s.scalars(select(Seller.id)))
    for seller_id in seller_ids:
        by_buyer: dict[int, list[ActivityEvent]] = defaultdict(list)
        zones: dict[int, tuple[str, str]] = {}
        with db.reading() as s:
            rows = s.execute(select(Activity.buyer_id, Activity.occurred_at, Activity.kind, Buyer.country,
                                    Buyer.timezone)
                             .join(Buyer, Buyer.id == Activity.buyer_id)
                             .where(Activity.seller_id == seller_id, Activity.occurred_at >= now - window,
                                    Activity.occurred_at <= now))
            for buyer_id, at, kind, country, tz in rows:
                by_buyer[buyer_id].append(ActivityEvent(at, kind))
                zones[buyer_id] = (country, tz)
        by_country: dict[str, list] = defaultdict(list)
        for buyer_id, events in by_buyer.items():
            country, tz = zones[buyer_id]
            by_country[country].append((tz, events))
        curves = learn_country_curves(by_country, now)
        with db.transaction() as s:
            seller = s.get(Seller, seller_id)
            settings = dict(seller.settings or {})
            settings["learned_country_curves"] = {c: list(v) for c, v in curves.items()}
            seller.settings = settings
        learned += len(curves)
    return learned


@dataclass(frozen=True)
class BuyerTiming:
    """What the buyer page shows about timing."""

    heatmap: list[list[float]]  # 7 rows (Mon..Sun) × 24 local hours, 0..1
    source: str
    event_count: int
    summary: str
    next_utc: datetime
    next_buyer_local: datetime
    next_seller_local: datetime
    explanation: str
    seller_timezone: str
    buyer_timezone: str
    explanation_data: dict | None = None  # the explanation as a code and parameters (panel.explain)


def buyer_timing(db: Database, clock: Clock, seller_id: int, buyer_id: int, kind: str = "conversation") -> BuyerTiming:
    """The buyer's profile as a heatmap and the next good moment to write, in both zones."""
    now = clock.now()
    with db.reading() as s:
        buyer = get_buyer_row(s, seller_id, buyer_id)
        seller = s.scalar(select(Seller).where(Seller.id == seller_id))
        profile = buyer_profile(s, buyer, seller, now)
    when, why, data = next_send_time_explained(profile, seller_policy(seller, kind), now)
    top = max(profile.weights) or 1.0
    heat = [[round(profile.weights[d * 24 + h] / top, 3) for h in range(24)] for d in range(7)]
    return BuyerTiming(heat, profile.source, profile.event_count, describe_profile(profile), when,
                       to_local(when, buyer.timezone), to_local(when, seller.timezone),
                       why, seller.timezone, buyer.timezone, data)
