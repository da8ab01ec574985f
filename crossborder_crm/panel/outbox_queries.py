"""Reads the outbox pages need that outbox.service does not offer; each scoped to the seller."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Iterable

from sqlalchemy import func, select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message


@dataclass(frozen=True)
class BuyerBrief:
    """What an outbox row shows about its buyer."""

    id: int
    name: str
    country: str
    timezone: str


def buyer_briefs(db: Database, seller_id: int, buyer_ids: Iterable[int]) -> dict[int, BuyerBrief]:
    """Name, country and time zone of the buyers of a page of messages, in one query."""
    ids = sorted(set(buyer_ids))
    if not ids:
        return {}
    with db.reading() as s:
        rows = s.execute(select(Buyer.id, Buyer.name, Buyer.country, Buyer.timezone)
                         .where(Buyer.seller_id == seller_id, Buyer.id.in_(ids))).all()
    return {row.id: BuyerBrief(*row) for row in rows}


def status_counts(db: Database, seller_id: int, buyer_id: int | None = None) -> dict[str, int]:
    """How many of the seller's messages (to one buyer, if given) are in each status."""
    q = (select(Message.status, func.count(Message.id)).where(Message.seller_id == seller_id)
         .group_by(Message.status))
    if buyer_id is not None:
        q = q.where(Message.buyer_id == buyer_id)
    with db.reading() as s:
        return {status: count for status, count in s.execute(q)}


@dataclass(frozen=True)
class QuietHours:
    """The seller's quiet hours, buyer-local wall times [start, end); equal bounds mean none."""

    start: time
    end: time

    def covers(self, minute_of_day: int) -> bool:
        """Whether a buyer-local minute of the day (0..1439) falls in the quiet hours."""
        qs = self.start.hour * 60 + self.start.minute
        qe = self.end.hour * 60 + self.end.minute
        if qs == qe:
            return False
        if qs < qe:
            return qs <= minute_of_day < qe
        return minute_of_day >= qs or minute_of_day < qe

    def hour_state(self, hour: int) -> str:
        """'quiet' if the whole local hour is quiet, 'partly' if some of it is, '' otherwise."""
        quiet = sum(self.covers(hour * 60 + m) for m in range(0, 60, 5))
        return "quiet" if quiet == 12 else ("partly" if quiet else "")


def _hhmm(value: str | None, default: str) -> time:
    hours, _, minutes = (value or default).partition(":")
    return time(int(hours), int(minutes or 0))


def seller_quiet_hours(db: Database, seller_id: int) -> QuietHours:
    """The seller's quiet hours (applied in each buyer's local time)."""
    with db.reading() as s:
        row = s.execute(select(Seller.quiet_start, Seller.quiet_end)
                        .where(Seller.id == seller_id)).first()
    start, end = (row.quiet_start, row.quiet_end) if row else (None, None)
    return QuietHours(_hhmm(start, "21:30"), _hhmm(end, "08:30"))
