"""Audiences: preview who a campaign with a filter would reach, who it leaves out and why; saved audiences."""
from __future__ import annotations

from flask import g, jsonify

from crossborder_crm.api.blueprint import bp, json_body
from crossborder_crm.api.registry import operation
from crossborder_crm.buyers.serialize import iso
from crossborder_crm.campaigns.audiences import EXCLUSIONS, AudienceFilter, parse_filter, preview
from crossborder_crm.campaigns.models import SavedAudience
from crossborder_crm.campaigns.saved_audiences import (
    SavedAudienceIn,
    delete_audience,
    get_audience,
    list_audiences,
    save_audience,
)
from crossborder_crm.container import current_services


@operation(bp, "/audiences/preview", "POST", "Preview an audience: recipients, exclusions by reason (no address, "
           "unsubscribed, bounced, complained, suppressed, no consent where the country needs it, an open dispute, "
           "a recent bad review), and the recipients by country, language and segment", body=AudienceFilter,
           tag="campaigns", responses={200: "OK", 422: "An unknown country, segment or consent value, a spend range "
                                                        "without its currency, min_orders above max_orders"})
def preview_audience():
    """Preview an audience."""
    svc = current_services()
    return jsonify(_preview_json(preview(svc.db, g.seller_id, parse_filter(json_body()), svc.clock.now())))


def _preview_json(found) -> dict:
    return {"matched": found.recipients + sum(found.excluded.values()), "recipients": found.recipients,
                    "excluded": {reason: found.excluded.get(reason, 0) for reason in EXCLUSIONS},
                    "by_country": dict(found.by_country.most_common()),
                    "by_language": dict(found.by_language.most_common()),
                    "by_segment": dict(found.by_segment.most_common())}


def saved_json(a: SavedAudience) -> dict:
    """The API shape of a saved audience."""
    return {"id": a.id, "name": a.name, "filter": a.filter, "created_at": iso(a.created_at),
            "updated_at": iso(a.updated_at)}


@operation(bp, "/audiences", "POST", "Save an audience: a name and its filter", body=SavedAudienceIn,
           tag="campaigns", responses={201: "Saved", 409: "The name is taken", 422: "A bad filter field"})
def create_saved_audience():
    """Save an audience."""
    svc = current_services()
    return jsonify(saved_json(save_audience(svc.db, svc.clock, g.seller_id, json_body()))), 201


@operation(bp, "/audiences", "GET", "List saved audiences by name", tag="campaigns")
def list_saved_audiences():
    """List saved audiences."""
    return jsonify({"items": [saved_json(a) for a in list_audiences(current_services().db, g.seller_id)]})


@operation(bp, "/audiences/<int:audience_id>", "GET", "Get a saved audience", tag="campaigns")
def get_saved_audience(audience_id: int):
    """Get one saved audience."""
    return jsonify(saved_json(get_audience(current_services().db, g.seller_id, audience_id)))


@operation(bp, "/audiences/<int:audience_id>", "PUT", "Replace a saved audience's name and filter",
           body=SavedAudienceIn, tag="campaigns", responses={200: "OK", 409: "The name is taken"})
def update_saved_audience(audience_id: int):
    """Change a saved audience."""
    svc = current_services()
    return jsonify(saved_json(save_audience(svc.db, svc.clock, g.seller_id, json_body(), audience_id)))


@operation(bp, "/audiences/<int:audience_id>", "DELETE", "Forget a saved audience (campaigns keep their copy)",
           tag="campaigns", responses={204: "Deleted"})
def delete_saved_audience(audience_id: int):
    """Delete a saved audience."""
    delete_audience(current_services().db, g.seller_id, audience_id)
    return "", 204


@operation(bp, "/audiences/<int:audience_id>/preview", "POST", "Preview a saved audience", tag="campaigns")
def preview_saved_audience(audience_id: int):
    """Preview a saved audience."""
    svc = current_services()
    saved = get_audience(svc.db, g.seller_id, audience_id)
    return jsonify(_preview_json(preview(svc.db, g.seller_id, AudienceFilter.model_validate(saved.filter),
                                         svc.clock.now())))
