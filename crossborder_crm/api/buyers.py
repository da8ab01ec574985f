"""Buyer, order and activity endpoints: parse, call a service, shape the answer."""
from __future__ import annotations

from flask import g, jsonify, request

from crossborder_crm.api.blueprint import bp, json_body
from crossborder_crm.api.params import int_arg
from crossborder_crm.api.registry import QueryParam, operation
from crossborder_crm.buyers import activity, listing, orders, service
from crossborder_crm.buyers.models import CONSENT_STATUSES, SEGMENTS
from crossborder_crm.buyers.schemas import ActivityCreate, BuyerCreate, BuyerFields, OrderCreate
from crossborder_crm.buyers.serialize import activity_json, buyer_json, order_json
from crossborder_crm.container import current_services

LIST_QUERY = (
    QueryParam("country", description="ISO 3166-1 alpha-2"),
    QueryParam("language", description="BCP 47; 'pt' also matches 'pt-BR'"),
    QueryParam("tag"),
    QueryParam("consent", enum=CONSENT_STATUSES),
    QueryParam("has_orders", "boolean"),
    QueryParam("segment", enum=SEGMENTS, description="the named segment (GET /api/v1/segments)"),
    QueryParam("q", description="search in name and email"),
    QueryParam("sort", description="id, name, created_at, updated_at, order_count; prefix - for descending"),
    QueryParam("limit", "integer", "1–500, default 50"),
    QueryParam("cursor", description="next_cursor of the previous page"),
)


@operation(bp, "/buyers", "POST", "Create a buyer (timezone and language inferred when missing)",
           body=BuyerCreate, responses={201: "Created", 409: "Duplicate email or marketplace id"})
def create_buyer():
    """Create a buyer."""
    svc = current_services()
    buyer = service.create_buyer(svc.db, svc.clock, g.seller_id, json_body())
    return jsonify(buyer_json(buyer, svc.clock.now())), 201


@operation(bp, "/buyers", "GET", "List buyers with filters and cursor pagination", query=LIST_QUERY)
def list_buyers():
    """List buyers."""
    svc = current_services()
    limit = int_arg("limit", 50, (1, listing.MAX_PAGE))
    page = listing.list_buyers(svc.db, g.seller_id, listing.parse_filter(request.args),
                               sort=request.args.get("sort", "id"), limit=limit,
                               cursor=request.args.get("cursor") or None)
    now = svc.clock.now()
    return jsonify({"items": [buyer_json(b, now) for b in page.items], "next_cursor": page.next_cursor})


@operation(bp, "/buyers/<int:buyer_id>", "GET", "Get a buyer")
def get_buyer(buyer_id: int):
    """Get one buyer."""
    svc = current_services()
    return jsonify(buyer_json(service.get_buyer(svc.db, g.seller_id, buyer_id), svc.clock.now()))


@operation(bp, "/buyers/<int:buyer_id>", "PATCH", "Update some fields of a buyer", body=BuyerFields,
           responses={200: "OK", 409: "Duplicate email or marketplace id"})
def update_buyer(buyer_id: int):
    """Partially update a buyer."""
    svc = current_services()
    buyer = service.update_buyer(svc.db, svc.clock, g.seller_id, buyer_id, json_body())
    return jsonify(buyer_json(buyer, svc.clock.now()))


@operation(bp, "/buyers/<int:buyer_id>", "DELETE", "Delete a buyer and their history",
           responses={204: "Deleted"})
def delete_buyer(buyer_id: int):
    """Delete a buyer."""
    service.delete_buyer(current_services().db, g.seller_id, buyer_id)
    return "", 204


@operation(bp, "/buyers/<int:buyer_id>/orders", "POST", "Record an order for a buyer", body=OrderCreate,
           responses={201: "Created", 409: "Order already recorded"}, tag="orders")
def create_order(buyer_id: int):
    """Record an order."""
    svc = current_services()
    order = orders.add_order(svc.db, svc.clock, g.seller_id, buyer_id, json_body())
    return jsonify(order_json(order)), 201


@operation(bp, "/buyers/<int:buyer_id>/orders", "GET", "A buyer's orders, newest first", tag="orders")
def list_orders(buyer_id: int):
    """List a buyer's orders."""
    found = orders.list_orders(current_services().db, g.seller_id, buyer_id)
    return jsonify({"items": [order_json(o) for o in found], "next_cursor": None})


@operation(bp, "/buyers/<int:buyer_id>/activity", "POST", "Log buyer activity", body=ActivityCreate,
           responses={201: "Created"}, tag="activity")
def create_activity(buyer_id: int):
    """Log an activity."""
    svc = current_services()
    act = activity.add_activity(svc.db, svc.clock, g.seller_id, buyer_id, json_body())
    return jsonify(activity_json(act)), 201


@operation(bp, "/buyers/<int:buyer_id>/activity", "GET", "A buyer's latest activity", tag="activity")
def list_activity(buyer_id: int):
    """List a buyer's activity."""
    acts = activity.list_activity(current_services().db, g.seller_id, buyer_id)
    return jsonify({"items": [activity_json(a) for a in acts], "next_cursor": None})
