"""Settings → Sending → Your own relay: save it, go back to the service's relay, send a test email.

The password field is never filled in: a blank one keeps the saved password (outbox.relays says
when it must be typed again). Errors are shown next to their fields (422) and nothing is saved; the
test email's outcome is the relay's own answer, in a success or an error box. Past the test emails a
seller may send in a window, the page says when to try again (429) and nothing is sent.
"""
from __future__ import annotations

import math
from typing import Mapping

from flask import flash, redirect, request, url_for
from flask_login import current_user

from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.i18n import ngettext
from crossborder_crm.outbox.relay_check import TooManyTestEmails, send_seller_test_email
from crossborder_crm.outbox.relays import RelayView, clear_relay, save_relay
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.reasons import localize_reason
from crossborder_crm.panel.settings import load_view, settings_page

# save_relay's fields; the form names them "relay_<field>" so their ids stay apart from the others'.
FIELDS = ("host", "port", "security", "username", "password", "max_connections", "per_second",
          "per_domain_per_minute")
SECURITY_LABELS = {
    "starttls": N_("STARTTLS (usually port 587)"),
    "tls": N_("TLS from the first byte (usually port 465)"),
    "plain": N_("None (only for a relay on this server)"),
}


def relay_form(view: RelayView | None) -> dict[str, str]:
    """What the form shows for the saved relay: every field but the password."""
    if view is None:
        return {"relay_security": "starttls"}
    values = {"host": view.host, "port": view.port, "security": view.security, "username": view.username,
              "max_connections": view.limits.max_connections, "per_second": view.limits.per_second,
              "per_domain_per_minute": view.limits.per_domain_per_minute}
    return {f"relay_{k}": "" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for k, v in values.items()}


def submitted(form: Mapping[str, str]) -> dict[str, str]:
    """The posted values as typed, to show again after an error (never the password)."""
    return {f"relay_{name}": form.get(f"relay_{name}", "") for name in FIELDS if name != "password"}


def refused_test_message(exc: TooManyTestEmails) -> str:
    """Which limit refused the test email and when to try again, in the panel's language."""
    minutes = max(1, math.ceil(exc.retry_after / 60))
    return ngettext("You can send at most %(limit)d test emails every %(window)d minutes. "
                    "Try again in %(num)d minute.",
                    "You can send at most %(limit)d test emails every %(window)d minutes. "
                    "Try again in %(num)d minutes.", minutes, limit=exc.limit, window=exc.window_seconds // 60)


def place_errors(fields: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """save_relay's errors → a message next to each form field ("relay_host"), the rest as general."""
    per_field: dict[str, str] = {}
    general: list[str] = []
    for key, message in fields.items():
        head = key.split(".")[0]
        if head in FIELDS:
            per_field.setdefault(f"relay_{head}", localize_reason(message))
        else:
            general.append(localize_reason(message))
    return per_field, general


@bp.post("/settings/relay")
def save_relay_settings():
    """Save the seller's own relay; on an error nothing is saved and the fields say why (422)."""
    svc = current_services()
    seller_id = current_user.seller_id
    data = {name: request.form.get(f"relay_{name}", "") for name in FIELDS}
    try:
        save_relay(svc.db, svc.clock, svc.box, seller_id, data)
    except ValidationFailed as exc:
        errors, general = place_errors(exc.fields)
        return settings_page(load_view(seller_id), relay_values=submitted(request.form), relay_errors=errors,
                             relay_general=general), 422
    flash(_("Your relay was saved. Your email now goes out through it."), "success")
    return redirect(url_for("panel.settings", _anchor="relay"))


@bp.post("/settings/relay/clear")
def clear_relay_settings():
    """Forget the seller's relay and its password: their email goes through the service's relay again."""
    clear_relay(current_services().db, current_user.seller_id)
    flash(_("Your relay was removed. Your email goes out through the service's relay."), "success")
    return redirect(url_for("panel.settings", _anchor="relay"))


@bp.post("/settings/relay/test")
def send_relay_test():
    """Send a short test email through the relay in use and show its answer on this page."""
    svc = current_services()
    seller_id = current_user.seller_id
    to = (request.form.get("to") or "").strip()
    try:
        outcome = send_seller_test_email(svc.db, svc.clock, svc.box, svc.settings, seller_id, to, limited=True)
    except ValidationFailed as exc:
        error = localize_reason(exc.fields.get("to") or exc.message)
        return settings_page(load_view(seller_id), relay_test_to=to, relay_test_error=error), 422
    except TooManyTestEmails as exc:
        body = settings_page(load_view(seller_id), relay_test_to=to, relay_test_refused=refused_test_message(exc))
        return body, 429, {"Retry-After": str(exc.retry_after)}
    return settings_page(load_view(seller_id), relay_test_to=to, relay_test=outcome)


@bp.context_processor
def _relay_helpers():
    """Settings gets the relay form's saved values and the security choices."""
    return {"relay_form": relay_form, "relay_security_labels": SECURITY_LABELS}
