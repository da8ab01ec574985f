"""Buyers and orders as a marketplace reports them (webhooks): session-level upserts through the
same inference, identity linking, order building and statistics as the API."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Activity, Buyer, BuyerIdentity, Order
from crossborder_crm.buyers.orders import order_from_spec, refresh_stats
from crossborder_crm.buyers.schemas import OrderCreate, normalize_phone
from crossborder_crm.buyers.search_text import buyer_search_text
from crossborder_crm.buyers.service import apply_inference, flush_or_conflict, link_identity
from crossborder_crm.clock import Clock
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.validation import check_email, parse


@dataclass(frozen=True)
class CustomerIn:
    """A buyer as a marketplace knows them; ids are text so ids above 2**53 stay exact."""

    marketplace: str
    external_id: str | None
    name: str
    country: str | None = None        # ISO 3166-1 alpha-2
    email: str | None = None
    phone: str | None = None
    region: str | None = None         # province/state code or name
    city: str | None = None
    postal_code: str | None = None
    locale: str | None = None         # e.g. Shopify's customer_locale "fr-CA"


@dataclass(frozen=True)
class OrderLineIn:
    title: str
    quantity: int
    unit_price: Decimal
    sku: str | None = None


@dataclass(frozen=True)
class OrderIn:
    """An order created or updated on a marketplace."""

    marketplace: str
    external_id: str
    order_ref: str | None             # "#1001": what the buyer sees
    placed_at: datetime               # aware
    currency: str
    total: Decimal
    status: str                       # placed | paid | cancelled | refunded | …
    customer: CustomerIn
    items: tuple[OrderLineIn, ...] = ()
    source_updated_at: datetime | None = None


@dataclass(frozen=True)
class BuyerEventIn:
    """A buyer's message, review or dispute reported by a marketplace."""

    kind: str                         # "message_received" | "review" | "dispute"
    marketplace: str
    occurred_at: datetime
    buyer_external_id: str | None = None
    buyer_email: str | None = None
    order_external_id: str | None = None
    detail: str | None = None
    dispute_open: bool | None = None  # disputes: opened (True) or closed (False)


class BuyerNotKnown(LookupError):
    """A buyer event names a buyer (and order) not stored yet."""


@dataclass(frozen=True)
class OrderResult:
    order: Order
    changed: bool                     # False: an older or identical update, nothing written


def _clean_email(value: str | None) -> str | None:
    try:
        return check_email(value)
    except ValueError:
        return None  # a marketplace's odd address must not lose the order; the buyer stays mail-less


def _clean_phone(value: str | None, country: str | None) -> str | None:
    try:
        return normalize_phone(value, country) if value else None
    except ValueError:
        return None


def find_buyer(s: Session, seller_id: int, marketplace: str, external_id: str | None,
               email: str | None) -> Buyer | None:
    """The seller's buyer with this marketplace id, else with this email (case-insensitive)."""
    if external_id:
        buyer = s.scalar(select(Buyer).join(BuyerIdentity, BuyerIdentity.buyer_id == Buyer.id).where(
            BuyerIdentity.seller_id == seller_id, BuyerIdentity.marketplace == marketplace,
            BuyerIdentity.external_id == external_id))
        if buyer is not None:
            return buyer
    email = _clean_email(email)
    if email:
        return s.scalar(select(Buyer).where(Buyer.seller_id == seller_id,
                                            func.lower(Buyer.email) == email.lower()).order_by(Buyer.id).limit(1))
    return None


def upsert_customer(s: Session, clock: Clock, seller_id: int, c: CustomerIn) -> Buyer:
    """Create or update the buyer, filling the profile through the usual inference; link the marketplace id."""
    now = clock.now()
    seller_language = s.scalar(select(Seller.default_language).where(Seller.id == seller_id)) or "en"
    buyer = find_buyer(s, seller_id, c.marketplace, c.external_id, c.email)
    created = buyer is None
    if created:
        if not c.country:
            raise ValidationFailed("invalid customer: country is required to create a buyer",
                                   {"customer.country": "is required to create a buyer"})
        buyer = Buyer(seller_id=seller_id, name=c.name[:200], country=c.country, tags=[],
                      consent_status="unknown", created_at=now, updated_at=now)
    given_tz = buyer.timezone if buyer.timezone_source == "given" else None
    given_lang = buyer.language if buyer.language_source == "given" else None
    if c.country:
        # The address moved: the region, city and postcode belong to the new country.
        if buyer.country != c.country:
            buyer.region = buyer.city = buyer.postal_code = None
        buyer.country = c.country
    for name in ("region", "city", "postal_code"):
        if getattr(c, name):
            setattr(buyer, name, getattr(c, name))
    email = _clean_email(c.email)
    if email and not buyer.email:
        buyer.email = email
    phone = _clean_phone(c.phone, buyer.country)
    if phone:
        buyer.phone = phone
    if c.locale:
        buyer.marketplace_locale = c.locale[:35]
    if not buyer.marketplace:
        buyer.marketplace = c.marketplace
        buyer.marketplace_buyer_id = c.external_id
    buyer.search_text = buyer_search_text(buyer.name, buyer.email)
    apply_inference(buyer, given_tz, given_lang, seller_language)
    buyer.updated_at = now
    if created:  # added once complete: an autoflush must not write a buyer without its time zone
        s.add(buyer)
    flush_or_conflict(s)
    if c.external_id:
        link_identity(s, buyer, c.marketplace, c.external_id, c.locale)
    return buyer


def _spec(o: OrderIn) -> OrderCreate:
    return parse(OrderCreate, {
        "marketplace": o.marketplace, "external_id": o.external_id, "reference": o.order_ref,
        "placed_at": o.placed_at,
        "currency": o.currency, "total": str(o.total), "status": o.status[:32],
        "items": [{"title": i.title, "quantity": i.quantity, "unit_price": str(i.unit_price), "sku": i.sku}
                  for i in o.items]}, "order")


def upsert_order(s: Session, clock: Clock, seller_id: int, o: OrderIn) -> OrderResult:
    """Create or update the order and its buyer; an update older than the stored one changes nothing."""
    now = clock.now()
    spec = _spec(o)
    existing = s.scalar(select(Order).where(Order.seller_id == seller_id, Order.marketplace == spec.marketplace,
                                            Order.external_id == spec.external_id).with_for_update())
    if existing is not None and existing.source_updated_at is not None and (
            o.source_updated_at is None or o.source_updated_at <= existing.source_updated_at):
        return OrderResult(existing, False)
    buyer = upsert_customer(s, clock, seller_id, o.customer)
    fresh = order_from_spec(spec, seller_id, buyer.id, now)
    if existing is None:
        fresh.source_updated_at = o.source_updated_at
        s.add(fresh)
        # As for API orders: the moment of ordering is the buyer's activity, a likely-online signal.
        s.add(Activity(seller_id=seller_id, buyer_id=buyer.id, kind="order_placed", occurred_at=spec.placed_at,
                       source=fresh.marketplace, detail=f"order {fresh.external_id}", created_at=now))
        order = fresh
    else:
        order = existing
        order.currency, order.total_minor, order.status = fresh.currency, fresh.total_minor, fresh.status
        order.reference = fresh.reference or order.reference
        order.placed_at, order.source_updated_at, order.updated_at = fresh.placed_at, o.source_updated_at, now
        order.items = list(fresh.items)
    flush_or_conflict(s)
    refresh_stats(s, buyer)
    buyer.updated_at = now
    return OrderResult(order, True)


def record_buyer_event(s: Session, clock: Clock, seller_id: int, e: BuyerEventIn) -> Activity:
    """Log a message/review/dispute as the buyer's activity; keep the message and dispute flags current."""
    order = None
    if e.order_external_id:
        order = s.scalar(select(Order).where(Order.seller_id == seller_id, Order.marketplace == e.marketplace,
                                             Order.external_id == e.order_external_id))
    buyer = find_buyer(s, seller_id, e.marketplace, e.buyer_external_id, e.buyer_email)
    if buyer is None and order is not None:
        buyer = s.get(Buyer, order.buyer_id)
    if buyer is None:
        raise BuyerNotKnown(f"no buyer with {e.marketplace} id {e.buyer_external_id or e.buyer_email}")
    act = Activity(seller_id=seller_id, buyer_id=buyer.id, kind=e.kind, occurred_at=e.occurred_at,
                   source=e.marketplace, detail=e.detail, created_at=clock.now())
    s.add(act)
    if e.kind == "message_received" and (buyer.last_buyer_message_at is None
                                         or buyer.last_buyer_message_at < e.occurred_at):
        buyer.last_buyer_message_at = e.occurred_at
    if e.kind == "dispute" and order is not None and e.dispute_open is not None:
        order.dispute_open = e.dispute_open
    s.flush()
    return act
