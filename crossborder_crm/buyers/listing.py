"""Buyer lists: filters from query strings, keyset pages and their opaque cursors."""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy import exists, func, or_, select

from crossborder_crm.buyers.codes import normalize_language, validate_country
from crossborder_crm.buyers.models import (
    CONSENT_STATUSES,
    SEGMENTS,
    Buyer,
    BuyerTag,
)
from crossborder_crm.buyers.search_text import fold
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, Reason, ValidationFailed, reason_of
from crossborder_crm.validation import MAX_ID, check_instant, check_text

MAX_PAGE = 500
SORTS = {"id": Buyer.id, "name": Buyer.name, "created_at": Buyer.created_at,
         "updated_at": Buyer.updated_at, "order_count": Buyer.order_count}


@dataclass(frozen=True)
class BuyerFilter:
    """The list filters shared by the API and the panel."""

    country: str | None = None
    language: str | None = None
    tag: str | None = None
    consent: str | None = None
    has_orders: bool | None = None
    segment: str | None = None
    q: str | None = None


def parse_filter(args: Mapping[str, str]) -> BuyerFilter:
    """Query-string filters, validated with the same rules as the fields they filter."""
    fields: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, check in (("country", validate_country), ("language", normalize_language)):
        if args.get(name):
            try:
                out[name] = check(args[name])
            except ValueError as exc:
                fields[name] = reason_of(exc)
    for name in ("tag", "q"):
        if args.get(name):
            try:
                value = check_text(args[name]).strip()
            except ValueError as exc:  # a NUL would reach the database (PostgreSQL refuses it)
                fields[name] = reason_of(exc)
                continue
            out[name] = value.lower() if name == "tag" else value[:200]
    if args.get("consent"):
        if args["consent"] not in CONSENT_STATUSES:
            fields["consent"] = Reason(N_("must be one of %(choices)s"), choices=", ".join(CONSENT_STATUSES))
        out["consent"] = args["consent"]
    if args.get("segment"):
        if args["segment"] not in SEGMENTS:
            fields["segment"] = Reason(N_("must be one of %(choices)s"), choices=", ".join(SEGMENTS))
        out["segment"] = args["segment"]
    if args.get("has_orders") not in (None, ""):
        value = args["has_orders"].lower()
        if value not in ("true", "false", "1", "0"):
            fields["has_orders"] = N_("must be true or false")
        out["has_orders"] = value in ("true", "1")
    if fields:
        raise ValidationFailed("invalid filter", fields)
    return BuyerFilter(**out)


def encode_cursor(values: list) -> str:
    """The opaque cursor for a page that starts after [sort value, id]."""
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise ValueError("not an id or count")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return check_text(value)


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not a timestamp")
    return check_instant(datetime.fromisoformat(value))


# What the sort value in a cursor must be for each sort, as the query will compare it.
CURSOR_VALUES: dict[str, Callable[[Any], Any]] = {
    "id": _whole, "name": _text, "created_at": _instant, "updated_at": _instant, "order_count": _whole}


def decode_cursor(cursor: str, key: str) -> tuple[Any, int]:
    """The (sort value, id) in a cursor issued for sort `key`; a forged or foreign one is a 422."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError("not a pair")
        return CURSOR_VALUES[key](values[0]), _whole(values[1])
    except (ValueError, TypeError, RecursionError):  # RecursionError: JSON nested past the stack
        raise ValidationFailed("invalid cursor", {"cursor": N_("not a cursor this API issued")}) from None


@dataclass(frozen=True)
class Page:
    """One page of a keyset-paginated list."""

    items: list
    next_cursor: str | None


def filtered_query(seller_id: int, flt: BuyerFilter):
    """SELECT of the seller's buyers matching the filter (no order, no page)."""
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
    if flt.segment:
        q = q.where(Buyer.segment == flt.segment)
    if flt.q:
        # Every write fills search_text (service, sync, the bulk importer; the 0006 migration for
        # older rows). "%" and "_" typed by the seller are literal characters, not wildcards.
        literal = re.sub(r"([\\%_])", r"\\\1", fold(flt.q))
        q = q.where(Buyer.search_text.like(f"%{literal}%", escape="\\"))
    return q


def count_buyers(db: Database, seller_id: int, flt: BuyerFilter = BuyerFilter()) -> int:
    """How many of the seller's buyers match the filter."""
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(filtered_query(seller_id, flt).subquery()))


def list_buyers(db: Database, seller_id: int, flt: BuyerFilter = BuyerFilter(), *,
                sort: str = "id", limit: int = 50, cursor: str | None = None) -> Page:
    """Buyers of one seller, filtered, in a stable order, by keyset pagination."""
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        raise ValidationFailed("invalid sort", {"sort": Reason(N_("one of %(choices)s (prefix - for descending)"),
                                                               choices=", ".join(SORTS))})
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed("invalid limit", {"limit": Reason(N_("between 1 and %(max)s"), max=MAX_PAGE)})
    col = SORTS[key]
    q = filtered_query(seller_id, flt)
    if cursor:
        value, last_id = decode_cursor(cursor, key)
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
    next_cursor = encode_cursor([getattr(rows[-1], key), rows[-1].id]) if more else None
    return Page(rows, next_cursor)
