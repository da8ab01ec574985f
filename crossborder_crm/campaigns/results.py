"""A campaign's results: its messages by state, unsubscribes after it, opens and clicks by people
(when the seller tracks them), and the orders (and revenue per currency) placed within its
attribution window after each buyer's email, by country, language and A/B group."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Activity, Buyer, Order
from crossborder_crm.campaigns.models import Campaign
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message, MessageEvent


@dataclass
class Breakdown:
    """Sent emails, opens and clicks by people, attributed orders and revenue per currency, for one part."""

    sent: int = 0
    opened: int = 0
    clicked: int = 0
    orders: int = 0
    revenue: Counter = field(default_factory=Counter)


def _parts() -> dict[str, Breakdown]:
    return defaultdict(Breakdown)


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
    by_country: dict[str, Breakdown] = field(default_factory=_parts)
    by_language: dict[str, Breakdown] = field(default_factory=_parts)
    by_variant: dict[str, Breakdown] = field(default_factory=_parts)  # a, b, rest (A/B tests only)
    sent_by_day: Counter = field(default_factory=Counter)

    @property
    def planned(self) -> int:
        """Every message the campaign planned, whatever became of it."""
        return sum(self.statuses.values())


def _mine(campaign: Campaign):
    return and_(Message.seller_id == campaign.seller_id, Message.origin == "campaign",
                Message.origin_ref == str(campaign.id))


@dataclass
class _Sent:
    at: object
    variant: str | None


def _sent(s: Session, mine, out: Results) -> tuple[dict[int, list[_Sent]], dict[int, tuple[str, str]]]:
    """Each recipient's sent emails, and where they are (country, language)."""
    sent: dict[int, list[_Sent]] = defaultdict(list)
    where_from: dict[int, tuple[str, str]] = {}
    for buyer_id, at, variant, country, language in s.execute(
            select(Message.buyer_id, Message.sent_at, Message.variant, Buyer.country, Buyer.language)
            .join(Buyer, Buyer.id == Message.buyer_id).where(mine, Message.status == "sent")
            .execution_options(yield_per=10_000)):
        sent[buyer_id].append(_Sent(at, variant))
        language = language.split("-")[0]
        where_from[buyer_id] = (country, language)
        for part in _parts_of(out, country, language, variant):
            part.sent += 1
        out.sent_by_day[at.date().isoformat()] += 1
    return sent, where_from


def _parts_of(out: Results, country: str, language: str, variant: str | None) -> list[Breakdown]:
    parts = [out.by_country[country], out.by_language[language]]
    return parts + [out.by_variant[variant]] if variant else parts


def _engagement(s: Session, mine, out: Results) -> None:
    human = select(Message.variant, func.count(func.distinct(MessageEvent.message_id))).join(
        Message, Message.id == MessageEvent.message_id).where(mine, ~MessageEvent.machine)
    for kind, query in (("opened", human), ("clicked", human.where(MessageEvent.kind == "click"))):
        for variant, n in s.execute(query.group_by(Message.variant)):
            setattr(out, kind, getattr(out, kind) + n)
            if variant:
                setattr(out.by_variant[variant], kind, n)
    out.machine_events = s.scalar(select(func.count()).select_from(MessageEvent).join(
        Message, Message.id == MessageEvent.message_id).where(mine, MessageEvent.machine)) or 0


def _attribute(s: Session, campaign: Campaign, mine, out: Results, sent: dict[int, list[_Sent]],
               where_from: dict[int, tuple[str, str]]) -> None:
    """Each order placed within the window after one of the buyer's emails counts once, for that email."""
    window = timedelta(days=campaign.attribution_days)
    counted: set[int] = set()
    for order_id, buyer_id, placed, currency, total in s.execute(
            select(Order.id, Order.buyer_id, Order.placed_at, Order.currency, Order.total_minor)
            .join(Message, and_(Message.buyer_id == Order.buyer_id, mine, Message.status == "sent",
                                Order.placed_at >= Message.sent_at))
            .where(Order.seller_id == campaign.seller_id).execution_options(yield_per=10_000)):
        email = next((e for e in sent[buyer_id] if e.at <= placed < e.at + window), None)
        if order_id in counted or email is None:
            continue
        counted.add(order_id)
        out.orders += 1
        out.revenue[currency] += total
        for part in _parts_of(out, *where_from[buyer_id], email.variant):
            part.orders += 1
            part.revenue[currency] += total


def campaign_results(db: Database, campaign: Campaign) -> Results:
    """Count the campaign's outcome."""
    out, mine = Results(), _mine(campaign)
    with db.reading() as s:
        out.statuses.update({status: n for status, n in s.execute(
            select(Message.status, func.count()).where(mine).group_by(Message.status))})
        sent, where_from = _sent(s, mine, out)
        out.unsubscribed = s.scalar(select(func.count(func.distinct(Message.buyer_id))).where(
            mine, Message.status == "sent", exists().where(
                Activity.buyer_id == Message.buyer_id, Activity.kind == "unsubscribe",
                Activity.occurred_at >= Message.sent_at))) or 0
        out.tracking = bool(s.scalar(select(Seller.track_engagement).where(Seller.id == campaign.seller_id)))
        _engagement(s, mine, out)
        _attribute(s, campaign, mine, out, sent, where_from)
    return out
