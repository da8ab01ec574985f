"""Buyer use cases: one transaction each, every query scoped to the seller."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers import inference
from crossborder_crm.buyers.models import (Activity, Buyer, BuyerIdentity, BuyerSpend, BuyerTag,
                                           Order, OrderItem)
from crossborder_crm.buyers.schemas import (ActivityCreate, BuyerCreate, BuyerFields, OrderCreate)
from crossborder_crm.buyers.stats import OrderFact, compute_stats
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import Conflict, NotFound, ValidationFailed
from crossborder_crm.money import to_minor
from crossborder_crm.validation import parse

MAX_PAGE = 500
SORTS = {"id": Buyer.id, "name": Buyer.name, "created_at": Buyer.created_at,
         "updated_at": Buyer.updated_at, "order_count": Buyer.order_count}


def get_buyer_row(s: Session, seller_id: int, buyer_id: int) -> Buyer:
    """The buyer if it belongs to this seller; NotFound otherwise (another seller's id included)."""
    buyer = s.scalar(select(Buyer).where(Buyer.id == buyer_id, Buyer.seller_id == seller_id))
    if buyer is None:
        raise NotFound(f"buyer {buyer_id} not found")
    return buyer


def _seller_default_language(s: Session, seller_id: int) -> str:
    return s.scalar(select(Seller.default_language).where(Seller.id == seller_id)) or "en"


def apply_inference(buyer: Buyer, given_timezone: str | None, given_language: str | None,
                    seller_language: str) -> None:
    """Fill timezone and language, given or inferred, recording where each came from."""
    tz = inference.infer_timezone(buyer.country, buyer.region, buyer.postal_code, buyer.city,
                                  given=given_timezone)
    buyer.timezone, buyer.timezone_source = tz.value, tz.source
    buyer.timezone_confidence, buyer.timezone_explanation = tz.confidence, tz.explanation[:500]
    lang = inference.infer_language(buyer.country, given=given_language,
                                    marketplace_locale=buyer.marketplace_locale,
                                    seller_default=seller_language)
    buyer.language, buyer.language_source, buyer.language_explanation = (
        lang.value, lang.source, lang.explanation[:500])


def _set_tags(s: Session, buyer: Buyer, tags: list[str]) -> None:
    buyer.tags = list(tags)
    if buyer.id is not None:
        s.execute(delete(BuyerTag).where(BuyerTag.buyer_id == buyer.id))
    for tag in tags:
        s.add(BuyerTag(buyer_id=buyer.id, tag=tag, seller_id=buyer.seller_id))


def _link_identity(s: Session, buyer: Buyer, marketplace: str, external_id: str,
                   locale: str | None) -> None:
    taken = s.scalar(select(BuyerIdentity.buyer_id).where(
        BuyerIdentity.seller_id == buyer.seller_id, BuyerIdentity.marketplace == marketplace,
        BuyerIdentity.external_id == external_id))
    if taken is not None and taken != buyer.id:
        raise Conflict("another buyer has this marketplace id",
                       {"marketplace_buyer_id": f"already used by buyer {taken}"})
    if taken is None:
        s.add(BuyerIdentity(seller_id=buyer.seller_id, buyer_id=buyer.id, marketplace=marketplace,
                            external_id=external_id, locale=locale))


def _email_taken(s: Session, seller_id: int, email: str, except_id: int | None = None) -> int | None:
    q = select(Buyer.id).where(Buyer.seller_id == seller_id, func.lower(Buyer.email) == email.lower())
    if except_id is not None:
        q = q.where(Buyer.id != except_id)
    return s.scalar(q)


def create_buyer(db: Database, clock: Clock, seller_id: int, data: Mapping[str, Any]) -> Buyer:
    """Validate, infer what is missing, and store a new buyer."""
    spec = parse(BuyerCreate, data, "buyer")
    now = clock.now()
    with db.transaction() as s:
        if spec.email and (other := _email_taken(s, seller_id, spec.email)):
            raise Conflict("a buyer with this email already exists", {"email": f"already used by buyer {other}"})
        buyer = Buyer(seller_id=seller_id, created_at=now, updated_at=now, tags=[])
        _assign(buyer, spec, now)
        apply_inference(buyer, spec.timezone, spec.language, _seller_default_language(s, seller_id))
        s.add(buyer)
        _flush(s)
        _set_tags(s, buyer, spec.tags or [])
        if spec.marketplace and spec.marketplace_buyer_id:
            _link_identity(s, buyer, spec.marketplace, spec.marketplace_buyer_id, spec.marketplace_locale)
        return _loaded(s, buyer)


def _loaded(s: Session, buyer: Buyer) -> Buyer:
    """Flush and load the relationships, so the returned buyer is complete outside the session."""
    _flush(s)
    s.refresh(buyer, ["identities", "spend"])
    return buyer


_PLAIN_FIELDS = ("name", "email", "phone", "country", "region", "city", "postal_code", "marketplace",
                 "marketplace_buyer_id", "marketplace_locale", "notes")


def _assign(buyer: Buyer, spec: BuyerFields, now: datetime) -> None:
    for name in spec.model_fields_set & set(_PLAIN_FIELDS):
        setattr(buyer, name, getattr(spec, name))
    if spec.consent is not None:
        buyer.consent_status = spec.consent.status
        buyer.consent_source = spec.consent.source
        buyer.consent_at = spec.consent.at or now
    elif buyer.consent_status is None:
        buyer.consent_status = "unknown"


def update_buyer(db: Database, clock: Clock, seller_id: int, buyer_id: int,
                 data: Mapping[str, Any]) -> Buyer:
    """Partial update: only the fields present change; inference reruns when its inputs change."""
    spec = parse(BuyerFields, data, "buyer")
    fields = spec.model_fields_set
    for required in ("name", "country"):
        if required in fields and getattr(spec, required) is None:
            raise ValidationFailed(f"invalid buyer: {required} cannot be removed", {required: "is required"})
    now = clock.now()
    with db.transaction() as s:
        buyer = get_buyer_row(s, seller_id, buyer_id)
        if spec.email and (other := _email_taken(s, seller_id, spec.email, buyer.id)):
            raise Conflict("a buyer with this email already exists", {"email": f"already used by buyer {other}"})
        _assign(buyer, spec, now)
        given_tz = spec.timezone if "timezone" in fields else (
            buyer.timezone if buyer.timezone_source == "given" else None)
        given_lang = spec.language if "language" in fields else (
            buyer.language if buyer.language_source == "given" else None)
        apply_inference(buyer, given_tz, given_lang, _seller_default_language(s, seller_id))
        if "tags" in fields:
            _set_tags(s, buyer, spec.tags or [])
        if spec.marketplace and spec.marketplace_buyer_id:
            _link_identity(s, buyer, spec.marketplace, spec.marketplace_buyer_id, spec.marketplace_locale)
        buyer.updated_at = now
        return _loaded(s, buyer)


def _flush(s: Session) -> None:
    try:
        s.flush()
    except IntegrityError as exc:
        raise Conflict("duplicate value", {"body": str(exc.orig).splitlines()[0][:200]}) from None


def delete_buyer(db: Database, seller_id: int, buyer_id: int) -> None:
    """Remove a buyer with their orders, activity and messages."""
    with db.transaction() as s:
        buyer = get_buyer_row(s, seller_id, buyer_id)
        s.delete(buyer)


def get_buyer(db: Database, seller_id: int, buyer_id: int) -> Buyer:
    """One buyer of this seller."""
    with db.reading() as s:
        return get_buyer_row(s, seller_id, buyer_id)


@dataclass(frozen=True)
class BuyerFilter:
    """The list filters shared by the API and the panel."""

    country: str | None = None
    language: str | None = None
    tag: str | None = None
    consent: str | None = None
    has_orders: bool | None = None
    q: str | None = None


def parse_filter(args: Mapping[str, str]) -> BuyerFilter:
    """Query-string filters, validated with the same rules as the fields they filter."""
    fields: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, check in (("country", inference.validate_country), ("language", inference.normalize_language)):
        if args.get(name):
            try:
                out[name] = check(args[name])
            except ValueError as exc:
                fields[name] = str(exc)
    if args.get("tag"):
        out["tag"] = args["tag"].strip().lower()
    if args.get("consent"):
        from crossborder_crm.buyers.models import CONSENT_STATUSES
        if args["consent"] not in CONSENT_STATUSES:
            fields["consent"] = f"must be one of {', '.join(CONSENT_STATUSES)}"
        out["consent"] = args["consent"]
    if args.get("has_orders") not in (None, ""):
        value = args["has_orders"].lower()
        if value not in ("true", "false", "1", "0"):
            fields["has_orders"] = "must be true or false"
        out["has_orders"] = value in ("true", "1")
    if args.get("q"):
        out["q"] = args["q"].strip()[:200]
    if fields:
        raise ValidationFailed("invalid filter", fields)
    return BuyerFilter(**out)


def _encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError
        return values
    except (ValueError, TypeError):
        raise ValidationFailed("invalid cursor", {"cursor": "not a cursor this API issued"}) from None


@dataclass(frozen=True)
class Page:
    """One page of a keyset-paginated list."""

    items: list
    next_cursor: str | None


def list_buyers(db: Database, seller_id: int, flt: BuyerFilter = BuyerFilter(), *,
                sort: str = "id", limit: int = 50, cursor: str | None = None) -> Page:
    """Buyers of one seller, filtered, in a stable order, by keyset pagination."""
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        raise ValidationFailed("invalid sort", {"sort": f"one of {', '.join(SORTS)} (prefix - for descending)"})
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed("invalid limit", {"limit": f"between 1 and {MAX_PAGE}"})
    col = SORTS[key]
    q = select(Buyer).where(Buyer.seller_id == seller_id)
    if flt.country:
        q = q.where(Buyer.country == flt.country)
    if flt.language:
        q = q.where(or_(Buyer.language == flt.language, Buyer.language.like(flt.language + "-%")))
    if flt.tag:
        q = q.where(exists().where(BuyerTag.buyer_id == Buyer.id, BuyerTag.seller_id == seller_id,
                                   BuyerTag.tag == flt.tag))
    if flt.consent:
        q = q.where(Buyer.consent_status == flt.consent)
    if flt.has_orders is not None:
        q = q.where(Buyer.order_count > 0 if flt.has_orders else Buyer.order_count == 0)
    if flt.q:
        like = f"%{flt.q.lower()}%"
        q = q.where(or_(func.lower(Buyer.name).like(like), func.lower(Buyer.email).like(like)))
    if cursor:
        value, last_id = _decode_cursor(cursor)
        if key in ("created_at", "updated_at"):
            value = datetime.fromisoformat(value)
        if key == "id":
            q = q.where(Buyer.id < last_id if desc else Buyer.id > last_id)
        elif desc:
            q = q.where(or_(col < value, (col == value) & (Buyer.id < last_id)))
        else:
            q = q.where(or_(col > value, (col == value) & (Buyer.id > last_id)))
    order = [col.desc(), Buyer.id.desc()] if desc else [col.asc(), Buyer.id.asc()]
    if key == "id":
        order = order[:1]
    q = q.order_by(*order).limit(limit + 1)
    with db.reading() as s:
        rows = list(s.scalars(q))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor([getattr(rows[-1], key), rows[-1].id]) if more else None
    return Page(rows, next_cursor)


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
            fields[f"items.{i}.unit_price"] = str(exc)
            continue
        items.append(OrderItem(sku=item.sku, title=item.title, category=item.category,
                               quantity=item.quantity, unit_price_minor=price))
    total = None
    if spec.total is not None:
        try:
            total = to_minor(spec.total, spec.currency)
        except ValueError as exc:
            fields["total"] = str(exc)
    if fields:
        raise ValidationFailed(f"invalid order: {next(iter(fields))}: {next(iter(fields.values()))}", fields)
    if total is None:
        total = sum(it.unit_price_minor * it.quantity for it in items)
    return Order(seller_id=seller_id, buyer_id=buyer_id, marketplace=spec.marketplace.lower(),
                 external_id=spec.external_id, placed_at=spec.placed_at, currency=spec.currency,
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
                           {"external_id": f"already recorded for marketplace {order.marketplace}"})
        s.add(order)
        s.add(Activity(seller_id=seller_id, buyer_id=buyer.id, kind="order_placed",
                       occurred_at=spec.placed_at, source=order.marketplace,
                       detail=f"order {order.external_id}", created_at=now))
        _flush(s)
        refresh_stats(s, buyer)
        buyer.updated_at = now
        return order


def list_orders(db: Database, seller_id: int, buyer_id: int) -> list[Order]:
    """A buyer's orders, newest first."""
    with db.reading() as s:
        get_buyer_row(s, seller_id, buyer_id)
        return list(s.scalars(select(Order).where(Order.buyer_id == buyer_id, Order.seller_id == seller_id)
                              .order_by(Order.placed_at.desc(), Order.id.desc())))


def add_activity(db: Database, clock: Clock, seller_id: int, buyer_id: int, data: Mapping[str, Any]) -> Activity:
    """Log something the buyer did (an open, a click, a visit, a message)."""
    spec = parse(ActivityCreate, data, "activity")
    with db.transaction() as s:
        get_buyer_row(s, seller_id, buyer_id)
        act = Activity(seller_id=seller_id, buyer_id=buyer_id, kind=spec.kind, occurred_at=spec.occurred_at,
                       source=spec.source, detail=spec.detail, created_at=clock.now())
        s.add(act)
        s.flush()
        return act


def list_activity(db: Database, seller_id: int, buyer_id: int, limit: int = 100) -> list[Activity]:
    """The buyer's latest activity, newest first."""
    with db.reading() as s:
        get_buyer_row(s, seller_id, buyer_id)
        return list(s.scalars(select(Activity).where(Activity.buyer_id == buyer_id, Activity.seller_id == seller_id)
                              .order_by(Activity.occurred_at.desc()).limit(limit)))
