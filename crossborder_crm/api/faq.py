"""FAQ endpoints: repeated buyer questions with a drafted answer, and the seller's saved replies."""
from __future__ import annotations

from flask import g, jsonify

from crossborder_crm.api.blueprint import bp, json_body
from crossborder_crm.api.params import int_arg
from crossborder_crm.api.registry import QueryParam, operation
from crossborder_crm.buyers.serialize import iso
from crossborder_crm.container import current_services
from crossborder_crm.replies import faq_service
from crossborder_crm.replies.faq_service import SavedReplyCreate, Suggestion
from crossborder_crm.replies.models import SavedReply

MAX_DAYS = 365


def suggestion_json(item: Suggestion) -> dict:
    """The API shape of one suggestion."""
    c = item.cluster
    return {"size": c.size, "label": c.label, "examples": list(c.examples), "language": c.language,
            "terms": list(c.terms), "title": item.title, "body": item.body, "translated": item.translated}


def saved_reply_json(reply: SavedReply) -> dict:
    """The API shape of a saved reply."""
    return {"id": reply.id, "title": reply.title, "body": reply.body, "language": reply.language,
            "source": reply.source, "created_at": iso(reply.created_at)}


@operation(bp, "/faq/suggestions", "GET", "Questions buyers ask again and again, each with a drafted answer "
           "(a template to complete) in the seller's language", tag="faq",
           responses={200: "OK", 422: "days outside 1-365"},
           query=(QueryParam("days", "integer", f"1-{MAX_DAYS}, default 90: messages received this many days back"),))
def list_faq_suggestions():
    """List FAQ suggestions."""
    svc = current_services()
    items = faq_service.faq_suggestions(svc.db, g.seller_id, svc.clock.now(), days=int_arg("days", 90, (1, MAX_DAYS)),
                                        translator=svc.translator)
    return jsonify({"items": [suggestion_json(i) for i in items]})


@operation(bp, "/saved-replies", "GET", "List saved replies, newest first", tag="faq")
def list_saved_replies():
    """List saved replies."""
    items = faq_service.list_saved_replies(current_services().db, g.seller_id)
    return jsonify({"items": [saved_reply_json(r) for r in items]})


@operation(bp, "/saved-replies", "POST", "Save a reply (approved from an FAQ suggestion, or typed)",
           body=SavedReplyCreate, tag="faq",
           responses={201: "Created", 422: "Empty or over-long title or body, a bad language tag or source; "
                                            "nothing stored"})
def create_saved_reply():
    """Save a reply."""
    svc = current_services()
    reply = faq_service.save_reply(svc.db, svc.clock, g.seller_id, json_body())
    return jsonify(saved_reply_json(reply)), 201


@operation(bp, "/saved-replies/<int:reply_id>", "DELETE", "Delete a saved reply", tag="faq",
           responses={204: "Deleted", 404: "No such saved reply (or another seller's)"})
def delete_saved_reply(reply_id: int):
    """Delete a saved reply."""
    faq_service.delete_saved_reply(current_services().db, g.seller_id, reply_id)
    return "", 204
