"""Settings → Webhooks → delivery feedback: paste a provider's key or topics, make a Postmark password.

An error is shown next to the field (422) and nothing is saved; a new password is shown on the
response that made it, nowhere else.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.feedback.credentials import PASTED, new_postmark_password, save_pasted
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.delivery_events import SOURCE_LABELS
from crossborder_crm.panel.reasons import localize_reason
from crossborder_crm.panel.settings import NewWebhookSecret, load_view, settings_page


@bp.post("/settings/feedback/<provider>")
def save_feedback_credential(provider: str):
    """Store the topics or key the seller pasted for a provider (encrypted)."""
    if provider not in PASTED:
        abort(404)
    svc = current_services()
    text = request.form.get("credential") or ""
    try:
        save_pasted(svc.db, svc.clock, svc.box, current_user.seller_id, provider, text)
    except ValidationFailed as exc:
        errors = {provider: localize_reason(exc.fields.get("credential") or exc.message)}
        return settings_page(load_view(current_user.seller_id), feedback_errors=errors,
                             feedback_values={provider: text}), 422
    flash(_("%(provider)s settings saved.", provider=SOURCE_LABELS[provider]), "success")
    return redirect(url_for("panel.settings", _anchor=f"feedback-{provider}"))


@bp.post("/settings/feedback/postmark/password")
def rotate_postmark_password():
    """Make (or replace) the Postmark basic-auth password and show it on this response only."""
    svc = current_services()
    password = new_postmark_password(svc.db, svc.clock, svc.box, current_user.seller_id)
    return settings_page(load_view(current_user.seller_id),
                         new_webhook=NewWebhookSecret("postmark", SOURCE_LABELS["postmark"], password))
