"""What complaints teach: counts by category, product, carrier, route and month, with the trend against
the window before, so quality problems go to the supplier and delivery problems to the forwarder."""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, distinct, extract, func, select
from sqlalchemy.orm import aliased

from crossborder_crm.buyers.models import Order, OrderItem
from crossborder_crm.db import Database
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.replies.models import ReplyDraft
from crossborder_crm.shipments.models import Shipment
from crossborder_crm.validation import check_date_window

GROUPS = ("category", "product", "carrier", "route", "month")
NONE = "—"  # the group value of a complaint without an order, a shipment or a known country
DEFAULT_DAYS = 30
MAX_WINDOW = timedelta(days=400)
# Far enough back for any real complaint; the previous window of the longest one stays a valid date.
EARLIEST, LATEST = date(1970, 1, 1), date(2099, 12, 31)
OPEN_STATUSES = ("new", "edited", "approved")
TOP = 3

# Who can fix the cause: the supplier (the goods), the forwarder (the delivery) or the seller.
PROBLEM_OF = {
    "damaged": "supplier", "wrong_item": "supplier", "missing_items": "supplier",
    "not_as_described": "supplier", "poor_quality": "supplier", "size_fit": "supplier",
    "not_received": "forwarder", "late_delivery": "forwarder", "customs_duties": "forwarder",
    "seller_communication": "seller", "other": "seller",
}
SUPPLIER_CATEGORIES = tuple(c for c, who in PROBLEM_OF.items() if who == "supplier")
FORWARDER_CATEGORIES = tuple(c for c, who in PROBLEM_OF.items() if who == "forwarder")


def problem_of(category: str | None) -> str | None:
    """"supplier", "forwarder" or "seller" for a category; None for none or an unknown one."""
    return PROBLEM_OF.get(category) if category else None


@dataclass(frozen=True)
class InsightRow:
    """One group: its values (in group_by order), complaints in the window and in the one before."""

    values: dict[str, str]
    count: int
    previous_count: int
    share: float  # of all complaints in the window (0.0 when there were none)

    @property
    def change(self) -> float | None:
        """(count - previous) / previous; None when the previous window had none."""
        if not self.previous_count:
            return None
        return (self.count - self.previous_count) / self.previous_count

    @property
    def problem_of(self) -> str | None:
        """Who should hear about it, when the rows are grouped by category."""
        return problem_of(self.values.get("category"))


@dataclass(frozen=True)
class Insights:
    """The window, the one of the same length before it, the totals and the rows by count, largest first."""

    start: date
    end: date
    previous_start: date
    previous_end: date
    group_by: tuple[str, ...]
    total: int
    previous_total: int
    rows: list[InsightRow]


@dataclass(frozen=True)
class Digest:
    """The week's complaints against the week before, what to send where, and what is still unanswered."""

    start: date
    end: date
    total: int
    previous_total: int
    top_categories: list[InsightRow]
    supplier_products: list[InsightRow]
    forwarder_routes: list[InsightRow]  # values: carrier and route
    open_count: int
    overdue_count: int
    sla_hours: int

    @property
    def change(self) -> float | None:
        """The week's change in complaints as a ratio; None when the week before had none."""
        return (self.total - self.previous_total) / self.previous_total if self.previous_total else None


def check_group_by(raw: str | None) -> tuple[str, ...]:
    """Comma-separated group names, deduplicated in order; ("category",) when empty; a 422 naming group_by."""
    names = [n.strip() for n in (raw or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        raise ValidationFailed("invalid group_by", {"group_by": f"unknown {unknown[0]!r}; "
                                                                f"use some of: {', '.join(GROUPS)}"})
    return tuple(dict.fromkeys(names)) or ("category",)


def check_window(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The window asked for, defaulted to the 30 days ending today, and checked; a 422 naming from or to."""
    end = end or today
    return check_date_window(start or end - timedelta(days=DEFAULT_DAYS - 1), end, EARLIEST, LATEST, MAX_WINDOW)


def previous_window(start: date, end: date) -> tuple[date, date]:
    """The window of the same number of days just before [start, end]."""
    days = end - start + timedelta(days=1)
    return start - days, start - timedelta(days=1)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _route(origin: str | None, destination: str | None) -> str:
    if not origin and not destination:
        return NONE
    return f"{origin or '?'}→{destination or '?'}"


def _trimmed(column):
    """The column without surrounding spaces, NULL when that leaves nothing."""
    return func.nullif(func.trim(column), "")


def _per_group(seller_id: int, since: datetime, split: datetime, until: datetime, group_by: tuple[str, ...],
               categories: Collection[str] | None):
    """One row per complaint and group value (several per complaint only with product), from both windows."""
    columns = [ReplyDraft.id.label("id"), case((ReplyDraft.received_at >= split, 1), else_=0).label("current")]
    query = select().select_from(ReplyDraft)
    if "category" in group_by:
        columns.append(ReplyDraft.category.label("category"))
    if "product" in group_by:
        query = (query.outerjoin(Order, and_(Order.id == ReplyDraft.order_id, Order.seller_id == seller_id))
                 .outerjoin(OrderItem, OrderItem.order_id == Order.id))
        columns.append(func.coalesce(_trimmed(OrderItem.sku), _trimmed(OrderItem.title)).label("product"))
    if "carrier" in group_by or "route" in group_by:
        # The order's latest shipment: a reshipment replaces the first parcel's carrier and route.
        other = aliased(Shipment)
        latest = (select(other.id).where(other.order_id == ReplyDraft.order_id, other.seller_id == seller_id)
                  .order_by(other.created_at.desc(), other.id.desc()).limit(1).scalar_subquery())
        query = query.outerjoin(Shipment, Shipment.id == latest)
        columns += [func.coalesce(_trimmed(Shipment.carrier_name), _trimmed(Shipment.carrier_code)).label("carrier"),
                    Shipment.origin_country.label("origin"), Shipment.destination_country.label("destination")]
    if "month" in group_by:
        # extract() compiles on both SQLite and PostgreSQL; received_at is stored as UTC.
        columns += [extract("year", ReplyDraft.received_at).label("year"),
                    extract("month", ReplyDraft.received_at).label("month")]
    wanted = [ReplyDraft.seller_id == seller_id, ReplyDraft.received_at >= since, ReplyDraft.received_at < until]
    if categories is not None:
        wanted.append(ReplyDraft.category.in_(tuple(categories)))
    return query.add_columns(*columns).where(*wanted).subquery()


def _values(row, group_by: tuple[str, ...]) -> tuple[str, ...]:
    found = {"category": lambda: row.category, "product": lambda: row.product or NONE,
             "carrier": lambda: row.carrier or NONE, "route": lambda: _route(row.origin, row.destination),
             "month": lambda: f"{int(row.year):04d}-{int(row.month):02d}"}
    return tuple(found[g]() for g in group_by)


def complaint_insights(db: Database, seller_id: int, *, start: date, end: date, group_by: tuple[str, ...],
                       categories: Collection[str] | None = None) -> Insights:
    """Complaints received from start to end (UTC days, inclusive) counted once per group, with the trend.

    `categories` keeps only complaints of those primary categories (the totals count only those too).
    """
    group_by = tuple(dict.fromkeys(group_by))
    if any(g not in GROUPS for g in group_by):
        raise ValueError(f"unknown group in {group_by!r}")
    previous_start, previous_end = previous_window(start, end)
    since, split, until = _midnight(previous_start), _midnight(start), _midnight(end + timedelta(days=1))
    sub = _per_group(seller_id, since, split, until, group_by, categories)
    # Grouped over the subquery's columns, so PostgreSQL sees the same expressions in SELECT and GROUP BY.
    keys = [c for c in sub.c if c.name not in ("id", "current")]
    once = func.count(distinct(sub.c.id))  # a complaint counts once per group, whatever its order's lines
    with db.reading() as s:
        totals = dict(s.execute(select(sub.c.current, once).group_by(sub.c.current)).all())
        grouped = s.execute(select(*keys, sub.c.current, once.label("n")).group_by(*keys, sub.c.current)).all()
    current: Counter[tuple[str, ...]] = Counter()
    previous: Counter[tuple[str, ...]] = Counter()
    for row in grouped:
        # Each value comes from one SQL group, so adding never counts a complaint twice.
        (current if row.current else previous)[_values(row, group_by)] += row.n
    total, previous_total = totals.get(1, 0), totals.get(0, 0)
    # Groups only the previous window had stay in, at 0: a problem that went away is news too.
    rows = [InsightRow(dict(zip(group_by, key)), current[key], previous[key],
                       current[key] / total if total else 0.0)
            for key in set(current) | set(previous)]
    rows.sort(key=lambda r: (-r.count, -r.previous_count, tuple(r.values.values())))
    return Insights(start, end, previous_start, previous_end, group_by, total, previous_total, rows)


def _top(insights: Insights) -> list[InsightRow]:
    # "—" is no product, carrier or route anyone can be told about; a row gone to 0 is no top problem.
    return [r for r in insights.rows if r.count and NONE not in r.values.values()][:TOP]


def weekly_digest(db: Database, seller_id: int, today: date, *, now: datetime, sla_hours: int) -> Digest:
    """The last 7 full days (before today) against the 7 before, and the open and overdue complaints at `now`."""
    start, end = today - timedelta(days=7), today - timedelta(days=1)
    by_category = complaint_insights(db, seller_id, start=start, end=end, group_by=("category",))
    supplier = complaint_insights(db, seller_id, start=start, end=end, group_by=("product",),
                                  categories=SUPPLIER_CATEGORIES)
    forwarder = complaint_insights(db, seller_id, start=start, end=end, group_by=("carrier", "route"),
                                   categories=FORWARDER_CATEGORIES)
    with db.reading() as s:
        mine = ReplyDraft.seller_id == seller_id
        open_count = s.scalar(select(func.count()).select_from(ReplyDraft).where(mine, ReplyDraft.status.in_(OPEN_STATUSES)))
        overdue = s.scalar(select(func.count()).select_from(ReplyDraft).where(
            mine, ReplyDraft.status != "sent", ReplyDraft.received_at < now - timedelta(hours=sla_hours)))
    return Digest(start, end, by_category.total, by_category.previous_total,
                  [r for r in by_category.rows if r.count][:TOP], _top(supplier), _top(forwarder),
                  open_count or 0, overdue or 0, sla_hours)
