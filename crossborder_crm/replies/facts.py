"""The facts a reply is specific about, as plain data: the order, its parcel, the buyer's history."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from crossborder_crm.replies.classify import ShipmentState
from crossborder_crm.replies.remedy import Parcel


@dataclass(frozen=True)
class OrderFacts:
    """The order complained about."""

    id: int
    reference: str | None
    placed_at: datetime
    items: tuple[str, ...]
    total_minor: int
    currency: str
    dispute_open: bool = False


@dataclass(frozen=True)
class ParcelFacts:
    """The order's latest parcel as the tracking tells it."""

    id: int
    carrier: str | None
    tracking_number: str
    tracking_url: str | None
    milestone: str
    milestone_at: datetime | None
    last_location: str | None
    last_checkpoint_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    expected: date | None
    stalled: bool
    late: bool
    usual_days: int | None  # the route's median days in transit, when there is enough history

    def days_in_transit(self, now: datetime) -> int | None:
        """Whole days since it was shipped (to delivery when delivered)."""
        if self.shipped_at is None:
            return None
        end = self.delivered_at or now
        return max(0, (end - self.shipped_at).days)

    def days_late(self, today: date) -> int | None:
        """Days past the expected date (negative: still early), None without one."""
        if self.expected is None:
            return None
        reference = self.delivered_at.date() if self.delivered_at else today
        return (reference - self.expected).days


@dataclass(frozen=True)
class Facts:
    """Everything the database says around one complaint."""

    buyer_id: int | None
    buyer_name: str | None
    buyer_language: str | None
    buyer_email: str | None
    order: OrderFacts | None
    parcel: ParcelFacts | None
    earlier_complaints: int = 0

    def shipment_state(self, today: date) -> ShipmentState | None:
        """What the classifier weighs: the milestone and how late it is."""
        if self.parcel is None:
            return None
        return ShipmentState(self.parcel.milestone, self.parcel.days_late(today))

    def remedy_parcel(self) -> Parcel:
        """What the remedy rules weigh."""
        if self.parcel is None:
            return Parcel(None)
        return Parcel(self.parcel.milestone, self.parcel.expected, self.parcel.stalled, self.parcel.late)


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def plain_fields(obj: Any) -> dict[str, Any]:
    """A dataclass's fields as JSON-ready values (a shallow copy: asdict's deep copy is slow and not needed)."""
    return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}


def facts_json(facts: Facts, now: datetime) -> dict:
    """The facts as JSON-ready data (ISO dates), with days in transit computed at `now`."""
    out: dict[str, Any] = {"buyer_id": facts.buyer_id, "buyer_name": facts.buyer_name,
                           "buyer_language": facts.buyer_language, "earlier_complaints": facts.earlier_complaints,
                           "order": None, "shipment": None}
    if facts.order is not None:
        out["order"] = plain_fields(facts.order)
    if facts.parcel is not None:
        shipment = plain_fields(facts.parcel)
        shipment["days_in_transit"] = facts.parcel.days_in_transit(now)
        out["shipment"] = shipment
    return out
