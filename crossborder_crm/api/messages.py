"""Message endpoints: schedule a written message at the buyer's best moment, list, cancel, reschedule."""
from __future__ import annotations

from flask import current_app, g, jsonify, request

from crossborder_crm.api.blueprint import bp, json_body
from crossborder_crm.api.params import id_arg, int_arg, send_horizon
from crossborder_crm.api.registry import QueryParam, operation
from crossborder_crm.buyers.serialize import iso, local_time
from crossborder_crm.buyers.service import buyer_timezones
from crossborder_crm.container import current_services
from crossborder_crm.outbox import service
from crossborder_crm.outbox.models import MESSAGE_STATUSES, Message
from crossborder_crm.outbox.schemas import MessageCreate, MessageReschedule

QUIET_422 = ("send_at inside the buyer's quiet hours (the seller's quiet_start–quiet_end in the buyer's zone) "
             "without \"override_quiet_hours\": true")
UNSENDABLE_422 = ("Nothing stored: a message that could never be sent — buyer_id: the buyer has no email address, "
                  "or it is suppressed after a bounce or complaint; kind: marketing to a buyer who denied or "
                  "withdrew consent or unsubscribed, or a conversation while the seller has neither a From email "
                  "nor a Reply-To address (Settings → Sending); or " + QUIET_422)


def message_json(m: Message, buyer_tz: str | None = None) -> dict:
    """The API shape of a message, with the buyer's local wall time for its scheduled instant."""
    out = {
        "id": m.id, "buyer_id": m.buyer_id, "kind": m.kind, "origin": m.origin, "status": m.status,
        "idempotency_key": m.idempotency_key, "message_id": m.rfc_message_id, "locale": m.locale,
        "subject": m.subject, "scheduled_at": iso(m.scheduled_at), "explanation": m.explanation,
        "attempts": m.attempts, "last_error": m.last_error, "sent_at": iso(m.sent_at),
        "created_at": iso(m.created_at),
        # A machine-translated written message: the seller's own words; and what happened to a
        # written message in another language than the buyer's (None when nothing was to translate).
        "original_subject": m.original_subject, "original_body": m.original_body,
        "translation_note": m.translation_note,
    }
    if buyer_tz:
        out["scheduled_local"] = local_time(buyer_tz, m.scheduled_at)
    return out


def _one(m: Message) -> dict:
    return message_json(m, buyer_timezones(current_services().db, g.seller_id, {m.buyer_id}).get(m.buyer_id))


@operation(bp, "/messages", "POST", "Schedule a written message at the buyer's best moment (idempotent), "
           "machine-translated into the buyer's language unless `translate` is false",
           body=MessageCreate, responses={201: "Scheduled; a translated message has subject in the buyer's "
                                          "language, original_subject and original_body in the seller's, and "
                                          "translation_note (null when seller and buyer share a language)",
                                          200: "Already scheduled with this idempotency key (not translated again)",
                                          409: "Idempotency key used for another buyer",
                                          422: UNSENDABLE_422 + "; or an invalid field"}, tag="messages")
def create_message():
    """Schedule a message."""
    svc = current_services()
    result = service.schedule_message(svc.db, svc.clock, g.seller_id, json_body(),
                                      mail_domain=current_app.config["MAIL_FROM_DOMAIN"], horizon=send_horizon(),
                                      translator=svc.translator)
    return jsonify(_one(result.message)), 201 if result.created else 200


@operation(bp, "/messages", "GET", "List messages, newest first", tag="messages", query=(
    QueryParam("status", enum=MESSAGE_STATUSES), QueryParam("buyer_id", "integer"),
    QueryParam("limit", "integer", "1–500, default 50"), QueryParam("cursor")))
def list_messages():
    """List messages."""
    items, nxt = service.list_messages(
        current_services().db, g.seller_id, status=request.args.get("status") or None,
        buyer_id=id_arg("buyer_id"), limit=int_arg("limit", 50, (1, 500)), cursor=id_arg("cursor"))
    zones = buyer_timezones(current_services().db, g.seller_id, {m.buyer_id for m in items})
    return jsonify({"items": [message_json(m, zones.get(m.buyer_id)) for m in items],
                    "next_cursor": str(nxt) if nxt else None})


@operation(bp, "/messages/<int:message_id>", "GET", "Get a message", tag="messages")
def get_message(message_id: int):
    """Get one message."""
    return jsonify(_one(service.get_message(current_services().db, g.seller_id, message_id)))


@operation(bp, "/messages/<int:message_id>/cancel", "POST", "Cancel a message that has not gone out",
           tag="messages", responses={200: "Cancelled", 409: "Already sent or cancelled"})
def cancel_message(message_id: int):
    """Cancel a message."""
    svc = current_services()
    return jsonify(_one(service.cancel_message(svc.db, svc.clock, g.seller_id, message_id)))


@operation(bp, "/messages/<int:message_id>/reschedule", "POST", "Move a message to a new moment",
           body=MessageReschedule, tag="messages", responses={
               200: "Rescheduled", 409: "Already sent",
               422: QUIET_422 + "; or send_at passed, too far ahead or malformed"})
def reschedule_message(message_id: int):
    """Reschedule a message."""
    svc = current_services()
    return jsonify(_one(service.reschedule_message(svc.db, svc.clock, g.seller_id, message_id, json_body(),
                                                   horizon=send_horizon())))


@operation(bp, "/messages/<int:message_id>/retry", "POST", "Retry a failed message now", tag="messages",
           responses={200: "Queued again", 409: "Not failed"})
def retry_message(message_id: int):
    """Retry a failed message."""
    svc = current_services()
    return jsonify(_one(service.retry_message(svc.db, svc.clock, g.seller_id, message_id)))
