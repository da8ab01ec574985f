"""Shipments → Buyer notifications: which milestones buyers hear about, delay notices, follow-up, help link."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.reasons import localize_fields
from crossborder_crm.shipments.milestones import MILESTONES
from crossborder_crm.shipments.notify_settings import load_notify_settings, save_notify_settings
from crossborder_crm.shipments.settings import DEFAULT_NOTIFY


@bp.route("/shipments/notifications", methods=["GET", "POST"])
def notify_settings():
    """Show and save the seller's buyer-notification choices; a bad field saves nothing (422)."""
    svc = current_services()
    seller_id = current_user.seller_id
    current = load_notify_settings(svc.db, seller_id)
    values = {"notify": set(current.notify), "delay_notices": current.delay_notices,
              "follow_up": current.follow_up, "help_url": current.help_url or ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {"notify": request.form.getlist("notify"), "delay_notices": request.form.get("delay_notices") == "on",
                "follow_up": request.form.get("follow_up") == "on", "help_url": request.form.get("help_url", "")}
        try:
            save_notify_settings(svc.db, seller_id, data)
        except ValidationFailed as exc:
            errors = localize_fields(exc.fields)
            values = {**data, "notify": set(data["notify"])}
        else:
            flash(_("Notification settings saved."), "success")
            return redirect(url_for("panel.notify_settings"))
    body = render_template("panel/notify_settings.html", values=values, errors=errors, milestones=MILESTONES,
                           defaults=set(DEFAULT_NOTIFY), follow_up_days=svc.settings.get("SHIPMENT_FOLLOW_UP_DAYS", 5))
    return body, 422 if errors else 200
