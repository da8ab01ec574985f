"""Refreshing every buyer's segment from the order history: one read of the orders and the spend per
seller, the scores in memory, the results written back in batches. The worker runs it every six hours;
`crossborder-crm segments refresh` runs it now."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import bindparam, func, select, update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer, BuyerSpend, Order
from crossborder_crm.campaigns.segments import History, Scored, score_buyers
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database

WRITE_BATCH = 2_000
# One statement for every buyer's new values, executed many times (bound parameters, not built per row).
_SET_SEGMENT = (update(Buyer).where(Buyer.id == bindparam("b_id"))
                .values(segment=bindparam("b_segment"), segment_reason=bindparam("b_reason"),
                        rfm_recency=bindparam("b_r"), rfm_frequency=bindparam("b_f"),
                        rfm_monetary=bindparam("b_m"), segment_at=bindparam("b_at")))


@dataclass
class Refreshed:
    """What a refresh did: buyers scored per seller and how many in each segment."""

    buyers: int = 0
    sellers: int = 0
    segments: Counter = field(default_factory=Counter)


def histories(db: Database, seller_id: int) -> list[History]:
    """Every buyer of the seller with the dates of their orders and their spend per currency."""
    placed: dict[int, list[datetime]] = defaultdict(list)
    spend: dict[int, dict[str, int]] = defaultdict(dict)
    with db.reading() as s:
        buyer_ids = s.scalars(select(Buyer.id).where(Buyer.seller_id == seller_id).order_by(Buyer.id)).all()
        for buyer_id, at in s.execute(select(Order.buyer_id, Order.placed_at).where(Order.seller_id == seller_id)
                                      .order_by(Order.buyer_id, Order.placed_at)):
            placed[buyer_id].append(at)
        for buyer_id, currency, total in s.execute(
                select(BuyerSpend.buyer_id, BuyerSpend.currency, BuyerSpend.total_minor)
                .join(Buyer, Buyer.id == BuyerSpend.buyer_id).where(Buyer.seller_id == seller_id)):
            spend[buyer_id][currency] = total
    return [History(b, tuple(placed.get(b, ())), spend.get(b, {})) for b in buyer_ids]


def _write(db: Database, scored: list[Scored], now: datetime) -> None:
    for start in range(0, len(scored), WRITE_BATCH):
        rows = [{"b_id": s.buyer_id, "b_segment": s.segment, "b_reason": s.reason[:200], "b_r": s.recency,
                 "b_f": s.frequency, "b_m": s.monetary, "b_at": now} for s in scored[start:start + WRITE_BATCH]]
        with db.transaction() as s:
            s.connection().execute(_SET_SEGMENT, rows)


def refresh_segments(db: Database, clock: Clock, seller_id: int | None = None,
                     progress: Callable[[int, int], None] | None = None) -> Refreshed:
    """Score and store the segments of one seller's buyers, or every seller's; `progress(done, sellers)`."""
    now = clock.now()
    with db.reading() as s:
        sellers = [seller_id] if seller_id is not None else s.scalars(select(Seller.id).order_by(Seller.id)).all()
    done = Refreshed()
    for n, sid in enumerate(sellers, 1):
        scored = score_buyers(histories(db, sid), now)
        _write(db, scored, now)
        done.buyers += len(scored)
        done.sellers += 1
        done.segments.update(s.segment for s in scored)
        if progress is not None:
            progress(n, len(sellers))
    return done


def segment_counts(db: Database, seller_id: int) -> dict[str, int]:
    """How many of the seller's buyers are in each segment (None: not scored yet)."""
    with db.reading() as s:
        return {segment: n for segment, n in s.execute(
            select(Buyer.segment, func.count()).where(Buyer.seller_id == seller_id).group_by(Buyer.segment))}
