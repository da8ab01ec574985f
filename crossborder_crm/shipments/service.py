"""Applying what sources report about parcels: create or update the shipment, merge its
checkpoints, move it forward only, and tell the buyer by the seller's rules.

Session-level, so a webhook applies one delivery in one transaction; api/panel use queries.py.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Order
from crossborder_crm.clock import Clock
from crossborder_crm.errors import N_, Reason, ValidationFailed
from crossborder_crm.shipments import eta
from crossborder_crm.shipments.events import CheckpointIn, ShipmentIn
from crossborder_crm.shipments.milestones import ENDED, MILESTONES, PROGRESS_RANK, Position, step
from crossborder_crm.shipments.models import Checkpoint, Shipment
from crossborder_crm.shipments.notices import (
    DELAY,
    INCIDENT,
    MILESTONE_TEMPLATES,
    STALE_AFTER,
    cancel_notices,
    enqueue_notice,
    notice_context,
    pending_notices,
)
from crossborder_crm.shipments.settings import seller_shipment_settings


class OrderNotYetKnown(Exception):
    """The order (or, for a tracking-only update, the shipment) is not there yet."""


def _check(event: ShipmentIn) -> None:
    errors: dict[str, str] = {}
    if not (event.tracking_number or "").strip():
        errors["tracking_number"] = N_("is required")
    elif len(event.tracking_number.strip()) > 100:
        errors["tracking_number"] = Reason(N_("is longer than %(num)s characters"), num=100)
    if event.milestone is not None and event.milestone not in MILESTONES:
        errors["milestone"] = _one_of_milestones()
    for name in ("shipped_at", "source_updated_at"):
        value = getattr(event, name)
        if value is not None and value.utcoffset() is None:
            errors[name] = N_("needs a UTC offset")
    for i, cp in enumerate(event.checkpoints):
        if cp.milestone not in MILESTONES:
            errors[f"checkpoints.{i}.milestone"] = _one_of_milestones()
        if cp.at.utcoffset() is None:
            errors[f"checkpoints.{i}.at"] = N_("needs a UTC offset")
    if errors:
        raise ValidationFailed("invalid shipment", errors)


def _one_of_milestones() -> Reason:
    return Reason(N_("must be one of: %(choices)s"), choices=", ".join(MILESTONES))


def _find(s: Session, seller_id: int, event: ShipmentIn) -> Shipment | None:
    if event.external_id:
        found = s.scalar(select(Shipment).where(Shipment.seller_id == seller_id, Shipment.source == event.source,
                                                Shipment.external_id == event.external_id).with_for_update())
        if found is not None:
            return found
    return s.scalar(select(Shipment).where(Shipment.seller_id == seller_id,
                                           Shipment.tracking_number == event.tracking_number.strip())
                    .with_for_update())


def _order_for(s: Session, seller_id: int, event: ShipmentIn) -> Order:
    if not event.order_external_id:
        raise OrderNotYetKnown(f"no shipment with tracking number {event.tracking_number} yet")
    marketplace = event.order_marketplace or event.source
    order = s.scalar(select(Order).where(Order.seller_id == seller_id, Order.marketplace == marketplace,
                                         Order.external_id == event.order_external_id))
    if order is None:
        raise OrderNotYetKnown(f"order {marketplace}:{event.order_external_id} is not known yet")
    return order


def _new_shipment(seller_id: int, order: Order, event: ShipmentIn, now: datetime) -> Shipment:
    return Shipment(seller_id=seller_id, order_id=order.id, buyer_id=order.buyer_id, source=event.source,
                    external_id=event.external_id, tracking_number=event.tracking_number.strip(),
                    milestone="info_received", stalled=False, late=False, delay_episode=0,
                    created_at=now, updated_at=now)


_FIELDS = ("carrier_name", "carrier_code", "tracking_url", "origin_country", "destination_country", "shipped_at")


def _update_fields(shipment: Shipment, event: ShipmentIn, fresh: bool) -> None:
    if not fresh:
        return
    for name in _FIELDS:
        value = getattr(event, name)
        if value is not None:
            setattr(shipment, name, value)
    if event.external_id and shipment.external_id is None and shipment.source == event.source:
        shipment.external_id = event.external_id
    if event.expected_delivery is not None:
        shipment.expected_delivery, shipment.expected_delivery_source = event.expected_delivery, "given"
    if event.source_updated_at is not None:
        shipment.source_updated_at = event.source_updated_at


def _renumber(s: Session, shipment: Shipment, number: str) -> None:
    """A fulfilment whose tracking number was corrected keeps its history under the new number."""
    if number == shipment.tracking_number:
        return
    taken = s.scalar(select(Shipment.id).where(Shipment.seller_id == shipment.seller_id,
                                               Shipment.tracking_number == number))
    if taken is None:
        shipment.tracking_number = number


def _merge_checkpoints(s: Session, shipment: Shipment, event: ShipmentIn, now: datetime) -> list[CheckpointIn]:
    """Insert the checkpoints not seen before; returns them, oldest first."""
    seen = {(at.astimezone(timezone.utc), m, loc) for at, m, loc in s.execute(
        select(Checkpoint.at, Checkpoint.milestone, Checkpoint.location)
        .where(Checkpoint.shipment_id == shipment.id))} if shipment.id else set()
    added = []
    for cp in sorted(event.checkpoints, key=lambda c: c.at):
        key = (cp.at.astimezone(timezone.utc), cp.milestone, (cp.location or "")[:200])
        if key in seen:
            continue
        seen.add(key)
        s.add(Checkpoint(shipment_id=shipment.id, at=cp.at, milestone=cp.milestone,
                         raw_status=(cp.raw_status or cp.milestone)[:100], location=key[2],
                         country=cp.country, description=(cp.description or None) and cp.description[:500],
                         source=event.source, created_at=now))
        added.append(cp)
    return added


def _reached(s: Session, shipment: Shipment) -> int:
    ranks = [PROGRESS_RANK.get(m, 0) for m, in s.execute(
        select(Checkpoint.milestone).where(Checkpoint.shipment_id == shipment.id).distinct())]
    return max(ranks + [PROGRESS_RANK.get(shipment.milestone, 0)])


def _advance(shipment: Shipment, pos: Position, added: list[CheckpointIn], event: ShipmentIn,
             fresh: bool, now: datetime) -> list[tuple[str, datetime]]:
    """Move the shipment through the new reports; returns the milestones it entered, in order."""
    entered: list[tuple[str, datetime]] = []
    reports = [(cp.milestone, cp.at) for cp in added]
    if event.milestone is not None and fresh:
        latest = max((cp.at for cp in event.checkpoints), default=None)
        reports.append((event.milestone, max(filter(None, (latest, event.source_updated_at)), default=now)))
    for milestone, at in reports:
        moved = step(pos, milestone, at)
        if moved is not pos:
            entered.append((milestone, at))
            pos = moved
    if pos.milestone is None:
        pos = Position("in_transit" if shipment.shipped_at else "info_received", shipment.shipped_at or now)
        entered.append((pos.milestone, pos.at))
    shipment.milestone, shipment.milestone_at = pos.milestone, pos.at
    if pos.milestone == "delivered" and shipment.delivered_at is None:
        shipment.delivered_at = pos.at
    return entered


def _latest_scan(shipment: Shipment, added: list[CheckpointIn]) -> None:
    newest = max(added, key=lambda c: c.at, default=None)
    if newest is None or (shipment.last_checkpoint_at is not None and newest.at <= shipment.last_checkpoint_at):
        return
    shipment.last_checkpoint_at = newest.at
    shipment.last_location = (newest.location or newest.country or shipment.last_location)
    shipment.stalled = False  # news: whatever stalled it is over


def apply_shipment(s: Session, clock: Clock, seller_id: int, event: ShipmentIn, settings: Mapping[str, Any]) -> Shipment:
    """Create or update a shipment from a source's report and enqueue/cancel notices by the rules.

    Raises OrderNotYetKnown when it cannot be attached to an order yet, ValidationFailed on bad data.
    """
    _check(event)
    now = clock.now()
    shipment = _find(s, seller_id, event)
    created = shipment is None
    if created:
        shipment = _new_shipment(seller_id, _order_for(s, seller_id, event), event, now)
        s.add(shipment)
    fresh = created or event.source_updated_at is None or shipment.source_updated_at is None \
        or event.source_updated_at >= shipment.source_updated_at
    shipped_before = shipment.shipped_at
    _update_fields(shipment, event, fresh)
    if fresh and not created:
        _renumber(s, shipment, event.tracking_number.strip())
    s.flush()
    pos = Position(None) if created else Position(shipment.milestone, shipment.milestone_at, _reached(s, shipment))
    added = _merge_checkpoints(s, shipment, event, now)
    if shipment.shipped_at is None:
        # No shipping time given: the first scan of the parcel moving is when it left.
        moving = [cp.at for cp in added if PROGRESS_RANK.get(cp.milestone, 0) >= PROGRESS_RANK["in_transit"]]
        shipment.shipped_at = min(moving, default=None)
    entered = _advance(shipment, pos, added, event, fresh, now)
    _latest_scan(shipment, added)
    if shipment.expected_delivery_source != "given" and (shipment.expected_delivery is None
                                                          or shipment.shipped_at != shipped_before):
        shipment.expected_delivery, shipment.expected_delivery_source = eta.estimate(s, settings, shipment, now)
    if shipment.milestone in ENDED:
        shipment.stalled = shipment.late = False
    shipment.updated_at = now
    s.flush()
    if entered:
        _notify(s, clock, settings, shipment, entered)
    return shipment


def _notify(s: Session, clock: Clock, settings: Mapping[str, Any], shipment: Shipment,
            entered: list[tuple[str, datetime]]) -> None:
    """Enqueue the newest notifiable milestone just entered; cancel the unsent notices it overtakes."""
    seller = s.get(Seller, shipment.seller_id)
    choices = seller_shipment_settings(seller.settings)
    now = clock.now()
    news = [(m, at) for m, at in entered if m in choices.notify and now - at <= STALE_AFTER]
    if not news:
        return
    milestone = news[-1][0]
    order = s.get(Order, shipment.order_id)
    duties = _duties_note(s, shipment) if milestone == "customs_held" else None
    result = enqueue_notice(s, clock, settings, shipment, f"shipment_{milestone}",
                            f"shipment:{shipment.id}:{milestone}",
                            notice_context(order, shipment, choices.help_url, duties_note=duties))
    overtaken = MILESTONE_TEMPLATES + (DELAY,) + ((INCIDENT,) if milestone in ENDED else ())
    cancel_notices(s, now, pending_notices(s, shipment, overtaken), f"superseded by {milestone}",
                   keep=result.message.id)


def _duties_note(s: Session, shipment: Shipment) -> str | None:
    return s.scalar(select(Checkpoint.description).where(Checkpoint.shipment_id == shipment.id,
                                                         Checkpoint.milestone == "customs_held")
                    .order_by(Checkpoint.at.desc()).limit(1))
