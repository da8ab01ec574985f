"""Reply-draft endpoints: draft a reply to a review, dispute or message; read, edit, approve, send."""
from __future__ import annotations

from flask import current_app, g, jsonify, request

from crossborder_crm.api.blueprint import bp, json_body
from crossborder_crm.api.messages import message_json
from crossborder_crm.api.params import id_arg, int_arg
from crossborder_crm.api.registry import QueryParam, operation
from crossborder_crm.buyers.serialize import iso
from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.replies import drafting, service
from crossborder_crm.replies.models import DRAFT_STATUSES, DraftEvent, ReplyDraft
from crossborder_crm.replies.policy_service import load_policy, save_policy
from crossborder_crm.replies.remedy import CHOOSABLE, NUMBER_FIELDS, Policy
from crossborder_crm.replies.schemas import DraftCreate, DraftEdit

NOT_SENDABLE_409 = "The draft is not approved yet (approve it first), or it was already sent"


def _version(locale: str, subject: str, body: str) -> dict:
    return {"locale": locale, "subject": subject, "body": body}


def draft_json(d: ReplyDraft, events: list[DraftEvent] | None = None) -> dict:
    """The API shape of a draft (with its audit trail when given)."""
    out = {
        "id": d.id, "kind": d.kind, "status": d.status, "buyer_id": d.buyer_id, "order_id": d.order_id,
        "text": d.text, "rating": d.rating, "language": d.language, "category": d.category,
        "categories": d.categories, "evidence": d.evidence, "severity": d.severity,
        "severity_reasons": d.severity_reasons, "facts": d.facts, "remedy": d.remedy,
        "reply": {"buyer_language": _version(d.buyer_locale, d.buyer_subject, d.buyer_body),
                  "seller_language": _version(d.seller_locale, d.seller_subject, d.seller_body)},
        "public_reply": ({"buyer_language": {"locale": d.buyer_locale, "text": d.buyer_public_reply},
                          "seller_language": {"locale": d.seller_locale, "text": d.seller_public_reply}}
                         if d.kind == "review" else None),
        "tone_warnings": d.tone_warnings, "machine_translated": d.machine_translated,
        "translation_note": d.translation_note, "message_id": d.message_id,
        "created_at": iso(d.created_at), "updated_at": iso(d.updated_at),
    }
    if events is not None:
        out["history"] = [{"action": e.action, "actor": e.actor, "detail": e.detail, "at": iso(e.at)}
                          for e in events]
    return out


@operation(bp, "/drafts", "POST", "Draft the reply to a review, dispute or buyer message, in the buyer's language "
           "and the seller's", body=DraftCreate, tag="drafts",
           responses={201: "Drafted", 404: "buyer_id is not one of the seller's buyers",
                      422: "Empty or over-long text, a rating outside 1-5, an unknown order_ref, an order of "
                           "another buyer, or another invalid field; nothing stored"})
def create_draft():
    """Draft a reply."""
    svc = current_services()
    draft = drafting.create_draft(svc.db, svc.clock, g.seller_id, json_body(), translator=svc.translator)
    return jsonify(draft_json(draft)), 201


@operation(bp, "/drafts", "GET", "List drafts, newest first", tag="drafts", query=(
    QueryParam("status", enum=DRAFT_STATUSES), QueryParam("buyer_id", "integer"),
    QueryParam("limit", "integer", "1-100, default 50")))
def list_drafts():
    """List drafts."""
    status = request.args.get("status") or None
    if status is not None and status not in DRAFT_STATUSES:
        raise ValidationFailed("invalid status", {"status": f"must be one of: {', '.join(DRAFT_STATUSES)}"})
    items = service.list_drafts(current_services().db, g.seller_id, status=status, buyer_id=id_arg("buyer_id"),
                                limit=int_arg("limit", 50, (1, 100)))
    return jsonify({"items": [draft_json(d) for d in items], "next_cursor": None})


@operation(bp, "/drafts/<int:draft_id>", "GET", "Get a draft with its history", tag="drafts")
def get_draft(draft_id: int):
    """Get one draft."""
    draft, events = service.get_draft(current_services().db, g.seller_id, draft_id)
    return jsonify(draft_json(draft, events))


@operation(bp, "/drafts/<int:draft_id>", "PATCH", "Edit the reply in the buyer's language (tone checked again)",
           body=DraftEdit, tag="drafts", responses={409: "Already sent"})
def edit_draft(draft_id: int):
    """Edit a draft."""
    svc = current_services()
    draft = service.edit_draft(svc.db, svc.clock, g.seller_id, draft_id, json_body())
    return jsonify(draft_json(draft))


@operation(bp, "/drafts/<int:draft_id>/approve", "POST", "Approve the reply", tag="drafts",
           responses={409: "Already sent"})
def approve_draft(draft_id: int):
    """Approve a draft."""
    svc = current_services()
    return jsonify(draft_json(service.approve_draft(svc.db, svc.clock, g.seller_id, draft_id)))


@operation(bp, "/drafts/<int:draft_id>/send", "POST", "Send the approved reply through the outbox at the buyer's "
           "likely-online time", tag="drafts",
           responses={409: NOT_SENDABLE_409, 422: "The buyer cannot be written to (no address, suppressed)"})
def send_draft(draft_id: int):
    """Send a draft."""
    svc = current_services()
    draft, message = service.send_draft(svc.db, svc.clock, g.seller_id, draft_id,
                                        mail_domain=current_app.config["MAIL_FROM_DOMAIN"])
    return jsonify({**draft_json(draft), "message": message_json(message)})


@operation(bp, "/drafts/<int:draft_id>/copied", "POST", "Record that the approved reply was pasted into the "
           "marketplace's message box (counts as sent)", tag="drafts", responses={409: NOT_SENDABLE_409})
def copied_draft(draft_id: int):
    """Mark a draft copied out."""
    svc = current_services()
    return jsonify(draft_json(service.mark_copied(svc.db, svc.clock, g.seller_id, draft_id)))


def policy_json(policy: Policy) -> dict:
    """The API shape of a remedy policy."""
    return {"rules": {c: {"low_value": low, "higher_value": high} for c, (low, high) in policy.rules.items()},
            "low_value": dict(policy.low_value), "remedies": list(CHOOSABLE),
            **{name: getattr(policy, name) for name in NUMBER_FIELDS}}


@operation(bp, "/reply-policy", "GET", "The remedy policy drafts follow: a remedy per category for low and higher "
           "value orders, and the numbers promised", tag="drafts")
def get_reply_policy():
    """Get the remedy policy."""
    return jsonify(policy_json(load_policy(current_services().db, g.seller_id)))


@operation(bp, "/reply-policy", "PUT", "Change the remedy policy: {\"rules\": {\"damaged\": [low, higher]}, "
           "\"sla_hours\": 12, …}; what is not given keeps the default", tag="drafts",
           responses={422: "An unknown category or remedy, or a number out of range (named); nothing stored"})
def put_reply_policy():
    """Replace the seller's changes to the policy."""
    svc = current_services()
    return jsonify(policy_json(save_policy(svc.db, svc.clock, g.seller_id, json_body())))
