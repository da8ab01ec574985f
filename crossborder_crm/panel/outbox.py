"""The outbox pages: the seller's messages by status (and buyer), and the retry and cancel actions."""
from __future__ import annotations

from typing import Any, Mapping

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.buyers import service as buyers_service
from crossborder_crm.container import current_services
from crossborder_crm.errors import Conflict, NotFound
from crossborder_crm.i18n import gettext as _
from crossborder_crm.outbox import service
from crossborder_crm.panel.auth import safe_next
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.explain import held_reason, send_reason
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.outbox_queries import buyer_briefs, status_counts
from crossborder_crm.panel.paging import PAGE_SIZE, Trail, page_link_error, page_size, page_size_error
from crossborder_crm.validation import ID_IN_PATH, row_id

# The outbox tabs, in order; "all" lists every status (sending included).
STATUS_TABS = (
    ("all", N_("All")),
    ("scheduled", N_("Scheduled")),
    ("sent", N_("Sent")),
    ("failed", N_("Failed")),
    ("suppressed", N_("Suppressed")),
    ("cancelled", N_("Cancelled")),
)
STATUS_LABELS = {
    "scheduled": N_("Scheduled"),
    "paused": N_("Paused"),
    "waiting": N_("Waiting for the A/B test"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
    "suppressed": N_("Suppressed"),
    "cancelled": N_("Cancelled"),
}
KIND_LABELS = {
    "conversation": N_("Conversation"),
    "marketing": N_("Marketing"),
    "transactional": N_("Transactional"),
}


@bp.context_processor
def _message_labels():
    """Panel templates get the message status and kind labels."""
    return {"message_status_labels": STATUS_LABELS, "message_kind_labels": KIND_LABELS,
            "send_reason": send_reason, "held_reason": held_reason}


@bp.get("/outbox")
def outbox():
    """The seller's messages by status (and buyer), newest first, in keyset pages."""
    svc = current_services()
    seller_id = current_user.seller_id
    args = request.args
    errors: dict[str, str] = {}
    status = args.get("status") or "all"
    if status not in dict(STATUS_TABS):
        errors["status"] = _("Choose one of the listed statuses.")
        status = "all"
    for_buyer = None
    raw_buyer = args.get("buyer") or ""
    if raw_buyer:
        buyer_id = row_id(raw_buyer)  # not isdigit(): it takes '²', which int() refuses
        if buyer_id is None:
            raise NotFound("no such buyer")
        for_buyer = buyers_service.get_buyer(svc.db, seller_id, buyer_id)  # 404 if not theirs
    cursor = None
    if args.get("cursor"):
        cursor = row_id(args["cursor"])
        if cursor is None:
            errors["cursor"] = page_link_error()
    trail = Trail.parse(args.get("trail"))
    limit = page_size(args.get("limit"))
    if limit is None:
        errors["limit"], limit = page_size_error(), PAGE_SIZE
    rows, next_cursor = service.list_messages(
        svc.db, seller_id, status=None if status == "all" else status,
        buyer_id=for_buyer.id if for_buyer else None, limit=limit, cursor=cursor)
    briefs = buyer_briefs(svc.db, seller_id, (m.buyer_id for m in rows))
    counts = status_counts(svc.db, seller_id, for_buyer.id if for_buyer else None)
    counts["all"] = sum(counts.values())
    kept: dict[str, Any] = {}
    if status != "all":
        kept["status"] = status
    if for_buyer:
        kept["buyer"] = for_buyer.id
    if args.get("limit") and "limit" not in errors:
        kept["limit"] = limit
    current = str(cursor) if cursor else None
    pages = {
        "next": url_for("panel.outbox", **kept, cursor=next_cursor,
                        trail=trail.push(current).encode()) if next_cursor else None,
        "prev": (url_for("panel.outbox", **kept, cursor=trail.top(),
                         trail=trail.pop().encode() or None) if trail else None),
        "first": url_for("panel.outbox", **kept) if cursor else None,
        "number": len(trail) + 1,
    }
    tabs = [(key, label, url_for("panel.outbox", **{k: v for k, v in kept.items() if k != "status"},
                                 **({"status": key} if key != "all" else {})))
            for key, label in STATUS_TABS]
    body = render_template("panel/outbox.html", messages=rows, buyers=briefs, status=status,
                           tabs=tabs, counts=counts, for_buyer=for_buyer, pages=pages,
                           errors=errors, here=request.full_path.rstrip("?"),
                           seller_tz=current_user.seller_timezone, now=svc.clock.now())
    return body, 422 if errors else 200


def _back() -> str:
    target = request.form.get("next")
    return safe_next(target) if target else url_for("panel.outbox")


def _status_name(fields: Mapping[str, str]) -> str:
    raw = fields.get("status", "")
    return _(STATUS_LABELS[raw]) if raw in STATUS_LABELS else raw


def _act(action, message_id: int, refused: str, done: str):
    """Run one outbox action; a status that does not allow it changes nothing and says why."""
    svc = current_services()
    try:
        action(svc.db, svc.clock, current_user.seller_id, message_id)
    except Conflict as exc:
        flash(_(refused, status=_status_name(exc.fields)), "error")
    else:
        flash(_(done), "success")
    return redirect(_back())


@bp.post(f"/outbox/<{ID_IN_PATH}:message_id>/retry")
def outbox_retry(message_id: int):
    """Put a failed message back in the queue, due now."""
    return _act(service.retry_message, message_id,
                N_("Only failed messages can be retried; this one is: %(status)s."),
                N_("The message is queued again and goes out within a few minutes."))


@bp.post(f"/outbox/<{ID_IN_PATH}:message_id>/cancel")
def outbox_cancel(message_id: int):
    """Cancel a message that has not gone out."""
    return _act(service.cancel_message, message_id,
                N_("This message can no longer be cancelled; it is: %(status)s."),
                N_("Message cancelled; it will not be sent."))
