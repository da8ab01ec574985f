"""Finding a complaint's buyer and order, and reading the facts around them, inside the caller's session.

Plain column reads, not ORM entities, with the statements built once: a draft needs a handful of
columns, and loading whole buyers and orders (with their related rows), or building a statement per
call, was most of a draft's time.
"""
from __future__ import annotations

from sqlalchemy import Row, bindparam, func, or_, select
from sqlalchemy.orm import Session

from crossborder_crm.buyers.models import Buyer, Order, OrderItem
from crossborder_crm.errors import N_, NotFound, Reason, ValidationFailed
from crossborder_crm.replies.facts import Facts, OrderFacts, ParcelFacts
from crossborder_crm.replies.models import ReplyDraft
from crossborder_crm.shipments.eta import median_transit_days
from crossborder_crm.shipments.models import Shipment

BUYER_COLUMNS = (Buyer.id, Buyer.name, Buyer.language, Buyer.email)
ORDER_COLUMNS = (Order.id, Order.buyer_id, Order.reference, Order.external_id, Order.placed_at, Order.total_minor,
                 Order.currency, Order.dispute_open)
PARCEL_COLUMNS = (Shipment.id, Shipment.carrier_name, Shipment.carrier_code, Shipment.tracking_number,
                  Shipment.tracking_url, Shipment.milestone, Shipment.milestone_at, Shipment.last_location,
                  Shipment.last_checkpoint_at, Shipment.shipped_at, Shipment.delivered_at, Shipment.expected_delivery,
                  Shipment.stalled, Shipment.late, Shipment.origin_country, Shipment.destination_country)

_ORDER_BY_REFERENCE = (select(*ORDER_COLUMNS).where(
    Order.seller_id == bindparam("seller_id"),
    or_(Order.reference == bindparam("wanted"), Order.reference == bindparam("hashed"),
        Order.external_id == bindparam("bare")))
    .order_by(Order.placed_at.desc()).limit(1))
_BUYER = select(*BUYER_COLUMNS).where(Buyer.id == bindparam("buyer_id"), Buyer.seller_id == bindparam("seller_id"))
# By the buyer alone (already the seller's), so SQLite takes the buyer's index, not the seller's.
_LATEST_ORDER = (select(*ORDER_COLUMNS).where(Order.buyer_id == bindparam("buyer_id"))
                 .order_by(Order.placed_at.desc(), Order.id.desc()).limit(1))
_ITEMS = select(OrderItem.title, OrderItem.quantity).where(OrderItem.order_id == bindparam("order_id")).order_by(
    OrderItem.id)
# By the order alone (already the seller's): with seller_id too, SQLite walks the seller's parcels.
_LATEST_PARCEL = (select(*PARCEL_COLUMNS).where(Shipment.order_id == bindparam("order_id"))
                  .order_by(Shipment.created_at.desc(), Shipment.id.desc()).limit(1))
_EARLIER = select(func.count()).select_from(ReplyDraft).where(ReplyDraft.buyer_id == bindparam("buyer_id"))


def order_by_reference(s: Session, seller_id: int, reference: str) -> Row:
    """The seller's order the buyer knows by this reference ("#1001", or the platform's id); 422 if none."""
    wanted = reference.strip()
    bare = wanted.lstrip("#")
    found = s.execute(_ORDER_BY_REFERENCE, {"seller_id": seller_id, "wanted": wanted, "hashed": f"#{bare}",
                                            "bare": bare}).first()
    if found is None:
        raise ValidationFailed("unknown order", {"order_ref": Reason(N_("no order with this reference"))})
    return found


def _buyer(s: Session, seller_id: int, buyer_id: int) -> Row | None:
    return s.execute(_BUYER, {"buyer_id": buyer_id, "seller_id": seller_id}).first()


def resolve(s: Session, seller_id: int, buyer_id: int | None, order_ref: str | None) -> tuple[Row | None, Row | None]:
    """The buyer (id, name, language, email) and order a complaint is about; an order of another buyer
    than the one given is a 422, an unknown buyer a 404."""
    buyer = order = None
    if buyer_id is not None:
        buyer = _buyer(s, seller_id, buyer_id)
        if buyer is None:
            raise NotFound(f"buyer {buyer_id} not found", {"buyer_id": "no such buyer"})
    if order_ref:
        order = order_by_reference(s, seller_id, order_ref)
        if buyer is not None and order.buyer_id != buyer.id:
            raise ValidationFailed("order of another buyer",
                                   {"order_ref": Reason(N_("this order belongs to another buyer"))})
        buyer = buyer or _buyer(s, seller_id, order.buyer_id)
    elif buyer is not None:
        # No order named: the complaint is about the buyer's latest order, if any.
        order = s.execute(_LATEST_ORDER, {"buyer_id": buyer.id}).first()
    return buyer, order


def _order_facts(s: Session, order: Row) -> OrderFacts:
    items = s.execute(_ITEMS, {"order_id": order.id}).all()
    titles = tuple(f"{quantity} × {title}" if quantity > 1 else title for title, quantity in items)
    return OrderFacts(order.id, order.reference or order.external_id, order.placed_at, titles, order.total_minor,
                      order.currency, order.dispute_open)


def _parcel_facts(s: Session, seller_id: int, parcel: Row) -> ParcelFacts:
    usual = median_transit_days(s, seller_id, parcel.carrier_code or parcel.carrier_name, parcel.origin_country,
                                parcel.destination_country)
    return ParcelFacts(parcel.id, parcel.carrier_name or parcel.carrier_code, parcel.tracking_number,
                       parcel.tracking_url, parcel.milestone, parcel.milestone_at, parcel.last_location,
                       parcel.last_checkpoint_at, parcel.shipped_at, parcel.delivered_at, parcel.expected_delivery,
                       parcel.stalled, parcel.late, usual)


def gather(s: Session, seller_id: int, buyer: Row | None, order: Row | None) -> Facts:
    """The order, its latest parcel, the route's usual transit time and the buyer's earlier complaints."""
    parcel = None
    if order is not None:
        latest = s.execute(_LATEST_PARCEL, {"order_id": order.id}).first()
        parcel = _parcel_facts(s, seller_id, latest) if latest is not None else None
    earlier = 0
    if buyer is not None:
        earlier = s.scalar(_EARLIER, {"buyer_id": buyer.id}) or 0
    return Facts(buyer.id if buyer else None, buyer.name if buyer else None, buyer.language if buyer else None,
                 buyer.email if buyer else None, _order_facts(s, order) if order is not None else None, parcel,
                 earlier)
