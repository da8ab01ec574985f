"""Finding a complaint's buyer and order, and reading the facts around them, inside the caller's session."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.errors import N_, NotFound, Reason, ValidationFailed
from crossborder_crm.replies.facts import Facts, OrderFacts, ParcelFacts
from crossborder_crm.replies.models import ReplyDraft
from crossborder_crm.shipments.eta import median_transit_days
from crossborder_crm.shipments.models import Shipment


def order_by_reference(s: Session, seller_id: int, reference: str) -> Order:
    """The seller's order the buyer knows by this reference ("#1001", or the platform's id); 422 if none."""
    wanted = reference.strip()
    bare = wanted.lstrip("#")
    found = s.scalars(select(Order).where(
        Order.seller_id == seller_id,
        or_(Order.reference == wanted, Order.reference == f"#{bare}", Order.external_id == bare))
        .order_by(Order.placed_at.desc()).limit(2)).all()
    if not found:
        raise ValidationFailed("unknown order", {"order_ref": Reason(N_("no order with this reference"))})
    return found[0]


def resolve(s: Session, seller_id: int, buyer_id: int | None, order_ref: str | None) -> tuple[Buyer | None,
                                                                                                   Order | None]:
    """The buyer and order a complaint is about; an order of another buyer than the one given is a 422."""
    buyer = order = None
    if buyer_id is not None:
        buyer = s.scalar(select(Buyer).where(Buyer.id == buyer_id, Buyer.seller_id == seller_id))
        if buyer is None:
            raise NotFound(f"buyer {buyer_id} not found", {"buyer_id": "no such buyer"})
    if order_ref:
        order = order_by_reference(s, seller_id, order_ref)
        if buyer is not None and order.buyer_id != buyer.id:
            raise ValidationFailed("order of another buyer",
                                   {"order_ref": Reason(N_("this order belongs to another buyer"))})
        buyer = buyer or s.get(Buyer, order.buyer_id)
    elif buyer is not None:
        # No order named: the complaint is about the buyer's latest order, if any.
        order = s.scalar(select(Order).where(Order.seller_id == seller_id, Order.buyer_id == buyer.id)
                         .order_by(Order.placed_at.desc(), Order.id.desc()).limit(1))
    return buyer, order


def _order_facts(order: Order) -> OrderFacts:
    titles = tuple(f"{item.quantity} × {item.title}" if item.quantity > 1 else item.title for item in order.items)
    return OrderFacts(order.id, order.reference or order.external_id, order.placed_at, titles, order.total_minor,
                      order.currency, order.dispute_open)


def _parcel_facts(s: Session, seller_id: int, parcel: Shipment) -> ParcelFacts:
    usual = median_transit_days(s, seller_id, parcel.carrier_code or parcel.carrier_name, parcel.origin_country,
                                parcel.destination_country)
    return ParcelFacts(parcel.id, parcel.carrier_name or parcel.carrier_code, parcel.tracking_number,
                       parcel.tracking_url, parcel.milestone, parcel.milestone_at, parcel.last_location,
                       parcel.last_checkpoint_at, parcel.shipped_at, parcel.delivered_at, parcel.expected_delivery,
                       parcel.stalled, parcel.late, usual)


def gather(s: Session, seller_id: int, buyer: Buyer | None, order: Order | None) -> Facts:
    """The order, its latest parcel, the route's usual transit time and the buyer's earlier complaints."""
    parcel = None
    if order is not None:
        latest = s.scalar(select(Shipment).where(Shipment.seller_id == seller_id, Shipment.order_id == order.id)
                          .order_by(Shipment.created_at.desc(), Shipment.id.desc()).limit(1))
        parcel = _parcel_facts(s, seller_id, latest) if latest is not None else None
    earlier = 0
    if buyer is not None:
        earlier = s.scalar(select(func.count()).select_from(ReplyDraft).where(
            ReplyDraft.seller_id == seller_id, ReplyDraft.buyer_id == buyer.id)) or 0
    return Facts(buyer.id if buyer else None, buyer.name if buyer else None, buyer.language if buyer else None,
                 buyer.email if buyer else None, _order_facts(order) if order is not None else None, parcel, earlier)
