"""Inbox → Remedy policy: which remedy a draft offers per category and order value, the numbers it
promises and the response time. A bad field is shown next to it (422) and nothing is saved."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.reasons import localize_fields
from crossborder_crm.replies.policy_service import load_policy, save_policy
from crossborder_crm.replies.remedy import CHOOSABLE, DEFAULT_LOW_VALUE, NUMBER_FIELDS

NUMBER_LABELS = {
    "sla_hours": N_("Answer every complaint within (hours)"),
    "partial_refund_percent": N_("Partial refund (percent of the order)"),
    "coupon_percent": N_("Coupon with a late parcel (percent off the next order, 0 for none)"),
    "grace_days": N_("Days added to the expected date before replacing"),
    "ship_days": N_("Working days to send a replacement"),
    "refund_days": N_("Working days for a refund to arrive"),
    "answer_hours": N_("Hours to answer a question in full"),
}


def _submitted() -> dict:
    rules = {}
    for category in load_policy(current_services().db, current_user.seller_id).rules:
        low, high = request.form.get(f"low-{category}"), request.form.get(f"high-{category}")
        if low or high:
            rules[category] = [low or "", high or ""]
    return {"rules": rules, **{name: request.form.get(name, "") for name in NUMBER_FIELDS}}


@bp.route("/inbox/policy", methods=["GET", "POST"])
def reply_policy():
    """Show and change the remedy policy."""
    svc = current_services()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            save_policy(svc.db, svc.clock, current_user.seller_id, _submitted())
        except ValidationFailed as exc:
            errors = localize_fields(exc.fields)
        else:
            flash(_("Remedy policy saved."), "success")
            return redirect(url_for("panel.reply_policy"))
    policy = load_policy(svc.db, current_user.seller_id)
    body = render_template("panel/reply_policy.html", policy=policy, remedies=CHOOSABLE, numbers=NUMBER_FIELDS,
                           number_labels=NUMBER_LABELS, errors=errors, low_value=DEFAULT_LOW_VALUE,
                           form=request.form if errors else None)
    return body, 422 if errors else 200
