"""Shipment and order endpoints: list with cursors, one shipment with its timeline, add by API."""
from __future__ import annotations

from flask import g, jsonify, request

from crossborder_crm.api.blueprint import bp, json_body
from crossborder_crm.api.params import id_arg, int_arg
from crossborder_crm.api.registry import QueryParam, operation
from crossborder_crm.buyers.serialize import iso, order_json
from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.shipments import queries
from crossborder_crm.shipments.milestones import MILESTONES
from crossborder_crm.shipments.models import Checkpoint, Shipment
from crossborder_crm.shipments.schemas import ShipmentCreate


def shipment_json(sh: Shipment) -> dict:
    """The API shape of a shipment."""
    return {
        "id": sh.id, "order_id": sh.order_id, "buyer_id": sh.buyer_id, "source": sh.source,
        "external_id": sh.external_id, "carrier_name": sh.carrier_name, "carrier_code": sh.carrier_code,
        "tracking_number": sh.tracking_number, "tracking_url": sh.tracking_url,
        "origin_country": sh.origin_country, "destination_country": sh.destination_country,
        "shipped_at": iso(sh.shipped_at),
        "expected_delivery": sh.expected_delivery.isoformat() if sh.expected_delivery else None,
        "expected_delivery_source": sh.expected_delivery_source, "milestone": sh.milestone,
        "milestone_at": iso(sh.milestone_at), "last_checkpoint_at": iso(sh.last_checkpoint_at),
        "last_location": sh.last_location, "delivered_at": iso(sh.delivered_at), "stalled": sh.stalled,
        "late": sh.late, "created_at": iso(sh.created_at), "updated_at": iso(sh.updated_at),
    }


def checkpoint_json(c: Checkpoint) -> dict:
    """The API shape of a checkpoint."""
    return {"at": iso(c.at), "milestone": c.milestone, "raw_status": c.raw_status, "location": c.location or None,
            "country": c.country, "description": c.description, "source": c.source}


def _bool_arg(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise ValidationFailed(f"invalid {name}", {name: "must be true or false"})


PAGING = (QueryParam("limit", "integer", "1–500, default 50"),
          QueryParam("cursor", description="next_cursor of the previous page"))


@operation(bp, "/shipments", "GET", "List shipments, newest first", tag="shipments", query=(
    QueryParam("milestone", enum=MILESTONES), QueryParam("stalled", "boolean"), QueryParam("late", "boolean"),
    QueryParam("buyer_id", "integer"), QueryParam("order_id", "integer")) + PAGING)
def list_shipments():
    """List shipments."""
    milestone = request.args.get("milestone") or request.args.get("status") or None
    items, nxt = queries.list_shipments(
        current_services().db, g.seller_id, milestone=milestone, stalled=_bool_arg("stalled"),
        late=_bool_arg("late"), buyer_id=id_arg("buyer_id"), order_id=id_arg("order_id"),
        limit=int_arg("limit", 50, (1, 500)), cursor=id_arg("cursor"))
    return jsonify({"items": [shipment_json(sh) for sh in items], "next_cursor": str(nxt) if nxt else None})


@operation(bp, "/shipments/<int:shipment_id>", "GET", "Get a shipment with its checkpoints (newest first)",
           tag="shipments")
def get_shipment(shipment_id: int):
    """Get one shipment."""
    detail = queries.get_shipment(current_services().db, g.seller_id, shipment_id)
    return jsonify({**shipment_json(detail.shipment), "checkpoints": [checkpoint_json(c) for c in detail.checkpoints]})


@operation(bp, "/shipments", "POST", "Add a parcel to an order, or checkpoints to a parcel (by tracking number)",
           body=ShipmentCreate, tag="shipments", responses={201: "Created", 200: "Updated"})
def create_shipment():
    """Add or update a shipment; buyers hear about its milestones by the seller's rules."""
    svc = current_services()
    shipment, created = queries.record_shipment(svc.db, svc.clock, svc.settings, g.seller_id, json_body())
    detail = queries.get_shipment(svc.db, g.seller_id, shipment.id)
    body = {**shipment_json(detail.shipment), "checkpoints": [checkpoint_json(c) for c in detail.checkpoints]}
    return jsonify(body), 201 if created else 200


@operation(bp, "/orders", "GET", "List orders, newest first", tag="orders", query=(
    QueryParam("buyer_id", "integer"), QueryParam("marketplace")) + PAGING)
def list_all_orders():
    """List orders."""
    items, nxt = queries.list_orders(
        current_services().db, g.seller_id, buyer_id=id_arg("buyer_id"),
        marketplace=request.args.get("marketplace") or None, limit=int_arg("limit", 50, (1, 500)),
        cursor=id_arg("cursor"))
    return jsonify({"items": [order_json(o) for o in items], "next_cursor": str(nxt) if nxt else None})
