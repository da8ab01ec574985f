"""A campaign's results: its messages by state, unsubscribes after it, opens and clicks by people
(when the seller tracks them), and the orders (and revenue
per currency) placed within its attribution window after each buyer's email, by country and language."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, exists, func, select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Activity, Buyer, Order
from crossborder_crm.campaigns.models import Campaign
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message, MessageEvent


@dataclass
class Breakdown:
    """Sent emails, attributed orders and revenue per currency for one country or language."""

    sent: int = 0
    orders: int = 0
    revenue: Counter = field(default_factory=Counter)


@dataclass
class Results:
    """Everything the results page and API show."""

    statuses: Counter = field(default_factory=Counter)
    tracking: bool = False  # the seller counts opens and clicks
    unsubscribed: int = 0
    opened: int = 0  # emails a person opened (or clicked in): machine opens are not counted
    clicked: int = 0
    machine_events: int = 0  # opens and clicks made by scanners and prefetching
    orders: int = 0
    revenue: Counter = field(default_factory=Counter)
    by_country: dict[str, Breakdown] = field(default_factory=lambda: defaultdict(Breakdown))
    by_language: dict[str, Breakdown] = field(default_factory=lambda: defaultdict(Breakdown))
    sent_by_day: Counter = field(default_factory=Counter)

    @property
    def planned(self) -> int:
        """Every message the campaign planned, whatever became of it."""
        return sum(self.statuses.values())


def _mine(campaign: Campaign):
    return and_(Message.seller_id == campaign.seller_id, Message.origin == "campaign",
                Message.origin_ref == str(campaign.id))


def campaign_results(db: Database, campaign: Campaign) -> Results:
    """Count the campaign's outcome; an order counts once, for the email it followed within the window."""
    out, mine = Results(), _mine(campaign)
    window = timedelta(days=campaign.attribution_days)
    with db.reading() as s:
        out.statuses.update({status: n for status, n in s.execute(
            select(Message.status, func.count()).where(mine).group_by(Message.status))})
        sent_at: dict[int, list] = defaultdict(list)
        where_from: dict[int, tuple[str, str]] = {}
        for buyer_id, at, country, language in s.execute(
                select(Message.buyer_id, Message.sent_at, Buyer.country, Buyer.language)
                .join(Buyer, Buyer.id == Message.buyer_id).where(mine, Message.status == "sent")
                .execution_options(yield_per=10_000)):
            sent_at[buyer_id].append(at)
            language = language.split("-")[0]
            where_from[buyer_id] = (country, language)
            out.by_country[country].sent += 1
            out.by_language[language].sent += 1
            out.sent_by_day[at.date().isoformat()] += 1
        out.unsubscribed = s.scalar(select(func.count(func.distinct(Message.buyer_id))).where(
            mine, Message.status == "sent", exists().where(
                Activity.buyer_id == Message.buyer_id, Activity.kind == "unsubscribe",
                Activity.occurred_at >= Message.sent_at))) or 0
        out.tracking = bool(s.scalar(select(Seller.track_engagement).where(Seller.id == campaign.seller_id)))
        events = select(func.count(func.distinct(MessageEvent.message_id))).join(
            Message, Message.id == MessageEvent.message_id).where(mine, ~MessageEvent.machine)
        out.opened = s.scalar(events) or 0
        out.clicked = s.scalar(events.where(MessageEvent.kind == "click")) or 0
        out.machine_events = s.scalar(select(func.count()).select_from(MessageEvent).join(
            Message, Message.id == MessageEvent.message_id).where(mine, MessageEvent.machine)) or 0
        counted: set[int] = set()
        for order_id, buyer_id, placed, currency, total in s.execute(
                select(Order.id, Order.buyer_id, Order.placed_at, Order.currency, Order.total_minor)
                .join(Message, and_(Message.buyer_id == Order.buyer_id, mine, Message.status == "sent",
                                    Order.placed_at >= Message.sent_at))
                .where(Order.seller_id == campaign.seller_id).execution_options(yield_per=10_000)):
            if order_id in counted or not any(at <= placed < at + window for at in sent_at[buyer_id]):
                continue
            counted.add(order_id)
            country, language = where_from[buyer_id]
            out.orders += 1
            out.revenue[currency] += total
            for part in (out.by_country[country], out.by_language[language]):
                part.orders += 1
                part.revenue[currency] += total
    return out
