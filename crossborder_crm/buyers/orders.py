"""Orders of a buyer: recorded one transaction each, with the buyer's statistics kept current."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossborder_crm.buyers.models import (
    Activity,
    Buyer,
    BuyerSpend,
    Order,
    OrderItem,
)
from crossborder_crm.buyers.schemas import OrderCreate
from crossborder_crm.buyers.service import flush_or_conflict, get_buyer_row
from crossborder_crm.buyers.stats import OrderFact, compute_stats
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, Conflict, Reason, ValidationFailed, reason_of
from crossborder_crm.money import MAX_MINOR, to_minor, too_large
from crossborder_crm.validation import parse


def refresh_stats(s: Session, buyer: Buyer) -> None:
    """Recompute the buyer's derived statistics from their orders."""
    facts = [OrderFact(*row) for row in s.execute(
        select(Order.placed_at, Order.currency, Order.total_minor, Order.status)
        .where(Order.buyer_id == buyer.id))]
    stats = compute_stats(facts)
    buyer.order_count = stats.order_count
    buyer.first_order_at, buyer.last_order_at = stats.first_order_at, stats.last_order_at
    buyer.avg_days_between_orders = stats.avg_days_between_orders
    buyer.next_purchase_at = stats.next_purchase_at
    existing = {sp.currency: sp for sp in buyer.spend}
    for currency, (count, total) in stats.spend.items():
        row = existing.pop(currency, None)
        if row is None:
            buyer.spend.append(BuyerSpend(currency=currency, order_count=count, total_minor=total))
        else:
            row.order_count, row.total_minor = count, total
    for row in existing.values():
        buyer.spend.remove(row)


def order_from_spec(spec: OrderCreate, seller_id: int, buyer_id: int, now: datetime) -> Order:
    """An Order row (with items) from a validated spec; amounts turned into minor units."""
    fields: dict[str, str] = {}
    items = []
    for i, item in enumerate(spec.items):
        try:
            price = to_minor(item.unit_price, spec.currency)
        except ValueError as exc:
            fields[f"items.{i}.unit_price"] = reason_of(exc)
            continue
        items.append(OrderItem(sku=item.sku, title=item.title, category=item.category,
                               quantity=item.quantity, unit_price_minor=price))
    total = None
    if spec.total is not None:
        try:
            total = to_minor(spec.total, spec.currency)
        except ValueError as exc:
            fields["total"] = reason_of(exc)
    if fields:
        raise ValidationFailed(f"invalid order: {next(iter(fields))}: {next(iter(fields.values()))}", fields)
    if total is None:
        total = sum(it.unit_price_minor * it.quantity for it in items)
        if total > MAX_MINOR:  # each price fits, but 1,000 lines × 100,000 pieces may not
            reason = too_large(spec.currency, sum_of_items=True)
            raise ValidationFailed(f"invalid order: total: {reason}", {"total": reason})
    return Order(seller_id=seller_id, buyer_id=buyer_id, marketplace=spec.marketplace.lower(),
                 external_id=spec.external_id, reference=spec.reference, placed_at=spec.placed_at, currency=spec.currency,
                 total_minor=total, status=spec.status, created_at=now, updated_at=now, items=items)


def add_order(db: Database, clock: Clock, seller_id: int, buyer_id: int, data: Mapping[str, Any]) -> Order:
    """Record an order for a buyer, log it as activity, and refresh the buyer's statistics."""
    spec = parse(OrderCreate, data, "order")
    now = clock.now()
    with db.transaction() as s:
        buyer = get_buyer_row(s, seller_id, buyer_id)
        order = order_from_spec(spec, seller_id, buyer.id, now)
        if s.scalar(select(Order.id).where(Order.seller_id == seller_id,
                                           Order.marketplace == order.marketplace,
                                           Order.external_id == order.external_id)):
            raise Conflict("this order already exists",
                           {"external_id": Reason(N_("already recorded for marketplace %(marketplace)s"),
                                                  marketplace=order.marketplace)})
        s.add(order)
        s.add(Activity(seller_id=seller_id, buyer_id=buyer.id, kind="order_placed",
                       occurred_at=spec.placed_at, source=order.marketplace,
                       detail=f"order {order.external_id}", created_at=now))
        flush_or_conflict(s)
        refresh_stats(s, buyer)
        buyer.updated_at = now
        return order


def list_orders(db: Database, seller_id: int, buyer_id: int) -> list[Order]:
    """A buyer's orders, newest first."""
    with db.reading() as s:
        get_buyer_row(s, seller_id, buyer_id)
        return list(s.scalars(select(Order).where(Order.buyer_id == buyer_id, Order.seller_id == seller_id)
                              .order_by(Order.placed_at.desc(), Order.id.desc())))
