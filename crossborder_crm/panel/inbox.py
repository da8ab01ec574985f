"""The complaint inbox: open complaints overdue first, a complaint with its drafted reply to edit (tone
checked live), approve and send, a form to draft for a complaint pasted in, and the remedy policy."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.container import current_services
from crossborder_crm.errors import Conflict, ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.outbox_queries import buyer_briefs
from crossborder_crm.panel.reasons import localize_fields, localize_reason
from crossborder_crm.replies import drafting, service
from crossborder_crm.replies.policy_service import load_policy
from crossborder_crm.replies.tone_check import check_tone

KIND_LABELS = {"review": N_("Review"), "dispute": N_("Dispute"), "message": N_("Message")}
STATUS_LABELS = {"new": N_("New draft"), "edited": N_("Edited"), "approved": N_("Approved"), "sent": N_("Sent")}
SEVERITY_LABELS = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}
CATEGORY_LABELS = {
    "not_received": N_("Not received"), "late_delivery": N_("Late delivery"), "damaged": N_("Damaged"),
    "wrong_item": N_("Wrong item"), "missing_items": N_("Missing items"), "not_as_described": N_("Not as described"),
    "poor_quality": N_("Poor quality"), "size_fit": N_("Size or fit"), "customs_duties": N_("Customs charges"),
    "seller_communication": N_("Our communication"), "other": N_("Other"),
}
REMEDY_LABELS = {
    "wait": N_("Dated promise: wait, then replace or refund"), "trace": N_("Ask the carrier to trace the parcel"),
    "reship": N_("Send a replacement"), "refund_full": N_("Full refund"), "refund_partial": N_("Partial refund, keep the item"),
    "return": N_("Return for a full refund"), "exchange": N_("Exchange (size)"),
    "refund_duties": N_("Refund the import charges"), "answer": N_("Answer the question"),
}
VIEW_LABELS = (("open", N_("Open")), ("sent", N_("Answered")), ("all", N_("All")))
TONE_KIND_LABELS = {"refusing": N_("Refusing"), "blaming": N_("Blaming"), "arguing": N_("Arguing")}
HISTORY_LABELS = {"created": N_("Drafted"), "edited": N_("Edited"), "approved": N_("Approved"),
                  "sent": N_("Sent by email"), "copied": N_("Pasted on the marketplace")}


def _actor() -> str:
    return f"user:{current_user.id}"


def due_at(received_at: datetime, sla_hours: int) -> datetime:
    """When the seller's answer is due."""
    return received_at + timedelta(hours=sla_hours)


@bp.context_processor
def _inbox_labels():
    return {"complaint_kind_labels": KIND_LABELS, "draft_status_labels": STATUS_LABELS,
            "severity_labels": SEVERITY_LABELS, "category_labels": CATEGORY_LABELS, "remedy_labels": REMEDY_LABELS,
            "tone_kind_labels": TONE_KIND_LABELS, "history_labels": HISTORY_LABELS}


@bp.get("/inbox")
def inbox():
    """Open complaints, the most overdue first; or the answered ones, or all."""
    svc = current_services()
    view = request.args.get("view") or "open"
    if view not in service.INBOX_VIEWS:
        abort(404)
    drafts, total = service.list_inbox(svc.db, current_user.seller_id, view)
    policy = load_policy(svc.db, current_user.seller_id)
    tabs = [(key, label, url_for("panel.inbox", **({"view": key} if key != "open" else {})))
            for key, label in VIEW_LABELS]
    return render_template("panel/inbox.html", drafts=drafts, total=total, view=view, tabs=tabs,
                           buyers=buyer_briefs(svc.db, current_user.seller_id, (d.buyer_id for d in drafts if d.buyer_id)),
                           sla_hours=policy.sla_hours, due_at=due_at, now=svc.clock.now())


def _form_values() -> dict[str, str]:
    return {k: (request.form.get(k) or "").strip() for k in ("kind", "text", "rating", "buyer_id", "order_ref")}


@bp.route("/inbox/new", methods=["GET", "POST"])
def inbox_new():
    """Paste a review, dispute or message and get the reply drafted."""
    svc = current_services()
    values = _form_values() if request.method == "POST" else {"kind": "review", "buyer_id": request.args.get("buyer", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        body = {k: v for k, v in values.items() if v}
        for number in ("rating", "buyer_id"):
            if number in body:
                body[number] = int(body[number]) if body[number].isascii() and body[number].isdigit() else body[number]
        try:
            draft = drafting.create_draft(svc.db, svc.clock, current_user.seller_id, body, translator=svc.translator,
                                         actor=_actor(), source="panel")
        except ValidationFailed as exc:
            errors = localize_fields(exc.fields) or {"text": localize_reason(exc.message)}
        else:
            flash(_("Reply drafted."), "success")
            return redirect(url_for("panel.inbox_draft", draft_id=draft.id))
    status = 422 if errors else 200
    return render_template("panel/inbox_new.html", values=values, errors=errors, kinds=KIND_LABELS), status


@bp.get("/inbox/<int:draft_id>")
def inbox_draft(draft_id: int):
    """One complaint: what it says and is about, the facts, the remedy, and the reply in both languages."""
    svc = current_services()
    draft, events = service.get_draft(svc.db, current_user.seller_id, draft_id)
    policy = load_policy(svc.db, current_user.seller_id)
    buyer = buyer_briefs(svc.db, current_user.seller_id, [draft.buyer_id]).get(draft.buyer_id) if draft.buyer_id else None
    return render_template("panel/inbox_draft.html", d=draft, events=events, buyer=buyer,
                           due=due_at(draft.received_at, policy.sla_hours), now=svc.clock.now())


def _act(draft_id: int, done: str, act) -> object:
    try:
        act()
    except (Conflict, ValidationFailed) as exc:
        reasons = [localize_reason(r) for r in exc.fields.values()] or [localize_reason(exc.message)]
        flash("; ".join(reasons), "error")
    else:
        flash(done, "success")
    return redirect(url_for("panel.inbox_draft", draft_id=draft_id))


@bp.post("/inbox/<int:draft_id>/save")
def inbox_save(draft_id: int):
    """Keep the seller's wording of the reply (the buyer's language)."""
    svc = current_services()
    data = {k: request.form[k] for k in ("subject", "body", "public_reply") if request.form.get(k, "").strip()}
    return _act(draft_id, _("Reply saved."),
                lambda: service.edit_draft(svc.db, svc.clock, current_user.seller_id, draft_id, data, _actor()))


@bp.post("/inbox/<int:draft_id>/approve")
def inbox_approve(draft_id: int):
    """Approve the reply."""
    svc = current_services()
    return _act(draft_id, _("Reply approved."),
                lambda: service.approve_draft(svc.db, svc.clock, current_user.seller_id, draft_id, _actor()))


@bp.post("/inbox/<int:draft_id>/send")
def inbox_send(draft_id: int):
    """Send the approved reply through the outbox at the buyer's likely-online time."""
    svc = current_services()
    return _act(draft_id, _("Reply scheduled in the outbox at the buyer's likely-online time."),
                lambda: service.send_draft(svc.db, svc.clock, current_user.seller_id, draft_id,
                                           mail_domain=svc.settings["MAIL_FROM_DOMAIN"], actor=_actor()))


@bp.post("/inbox/<int:draft_id>/copied")
def inbox_copied(draft_id: int):
    """The seller pasted the approved reply into the marketplace's message box."""
    svc = current_services()
    return _act(draft_id, _("Marked as answered on the marketplace."),
                lambda: service.mark_copied(svc.db, svc.clock, current_user.seller_id, draft_id, _actor()))


@bp.post("/inbox/tone")
def inbox_tone():
    """The live tone check of the editor: warnings for the text as it stands (JSON)."""
    data = request.get_json(silent=True) or {}
    text, language = str(data.get("text") or "")[:20_000], str(data.get("language") or "en")[:35]
    return jsonify({"warnings": [{"kind": w.kind, "label": _(TONE_KIND_LABELS[w.kind]), "phrase": w.phrase,
                                  "start": w.start, "end": w.end, "suggestion": w.suggestion}
                                 for w in check_tone(text, language)]})
