"""Known disruptions a seller declares (a strike, weather, a customs backlog): every buyer with a
parcel on the way through them hears about it once, at their likely-online time."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Mapping

from pydantic import AfterValidator, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Order
from crossborder_crm.buyers.codes import validate_country
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_
from crossborder_crm.shipments.milestones import ENDED
from crossborder_crm.shipments.models import Incident, Shipment
from crossborder_crm.shipments.notices import INCIDENT, enqueue_notice, notice_context
from crossborder_crm.shipments.settings import seller_shipment_settings
from crossborder_crm.validation import Schema, parse

Country = Annotated[str, AfterValidator(validate_country)]


class RouteIn(Schema):
    """A route: origin and/or destination country (absent: any)."""

    origin: Country | None = Field(default=None, description="ISO 3166 alpha-2; absent: any")
    destination: Country | None = Field(default=None, description="ISO 3166 alpha-2; absent: any")

    @model_validator(mode="after")
    def _one_end(self):
        if self.origin is None and self.destination is None:
            raise ValueError(N_("a route needs an origin or a destination"))
        return self


class IncidentCreate(Schema):
    """A disruption: carriers (codes or names) and/or routes, a period, the reason in the seller's words."""

    carriers: list[str] = Field(default_factory=list, max_length=50)
    routes: list[RouteIn] = Field(default_factory=list, max_length=50)
    starts_on: date
    ends_on: date | None = None
    reason: str = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _scope(self):
        self.carriers = [c.strip() for c in self.carriers if c and c.strip()]
        if not self.carriers and not self.routes:
            raise ValueError(N_("name at least one carrier or one route"))
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError(N_("ends_on is before starts_on"))
        return self


def affects(incident: Incident, shipment: Shipment) -> bool:
    """Whether a parcel goes with one of the incident's carriers and along one of its routes."""
    if incident.carriers:
        names = {c.lower() for c in incident.carriers}
        if not ({(shipment.carrier_code or "").lower(), (shipment.carrier_name or "").lower()} & names):
            return False
    if incident.routes:
        return any((r.get("origin") in (None, shipment.origin_country))
                   and (r.get("destination") in (None, shipment.destination_country)) for r in incident.routes)
    return True


def _in_transit(s: Session, incident: Incident) -> list[Shipment]:
    q = (select(Shipment).where(Shipment.seller_id == incident.seller_id, Shipment.delivered_at.is_(None),
                                Shipment.milestone.not_in(ENDED + ("info_received",)))
         .order_by(Shipment.id))
    shipments = [sh for sh in s.scalars(q) if affects(incident, sh)]
    if incident.ends_on is not None:
        shipments = [sh for sh in shipments if sh.shipped_at is None or sh.shipped_at.date() <= incident.ends_on]
    return shipments


def notify_incident(s: Session, clock: Clock, settings: Mapping[str, Any], incident: Incident) -> int:
    """Enqueue the incident notice for every buyer with a parcel in transit on it (once per buyer);
    returns how many notices are new."""
    choices = seller_shipment_settings(s.get(Seller, incident.seller_id).settings)
    created, seen = 0, set()
    for shipment in _in_transit(s, incident):
        if shipment.buyer_id in seen:
            continue
        seen.add(shipment.buyer_id)
        ctx = notice_context(s.get(Order, shipment.order_id), shipment, choices.help_url,
                             incident_reason=incident.reason)
        result = enqueue_notice(s, clock, settings, shipment, INCIDENT,
                                f"incident:{incident.id}:buyer:{shipment.buyer_id}", ctx, likely_online=True)
        created += result.created
    incident.notified_count += created
    return created


def declare_incident(db: Database, clock: Clock, settings: Mapping[str, Any], seller_id: int,
                     data: Mapping[str, Any]) -> Incident:
    """Store a disruption and notify the buyers it touches now (the scan catches later parcels)."""
    spec = parse(IncidentCreate, data, "incident")
    with db.transaction() as s:
        incident = Incident(seller_id=seller_id, carriers=spec.carriers,
                            routes=[r.model_dump() for r in spec.routes], starts_on=spec.starts_on,
                            ends_on=spec.ends_on, reason=spec.reason.strip(), notified_count=0,
                            created_at=clock.now())
        s.add(incident)
        s.flush()
        if spec.starts_on <= clock.now().date():
            notify_incident(s, clock, settings, incident)
        return incident


def list_incidents(db: Database, seller_id: int, limit: int = 50) -> list[Incident]:
    """This seller's incidents, newest first."""
    with db.reading() as s:
        return list(s.scalars(select(Incident).where(Incident.seller_id == seller_id)
                              .order_by(Incident.id.desc()).limit(limit)))
