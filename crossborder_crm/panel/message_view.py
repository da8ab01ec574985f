"""One message of the outbox: its rendered body (text and a sandboxed HTML preview), headers,
timeline and why it goes when it goes; and the reschedule form."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.buyers import service as buyers_service
from crossborder_crm.container import current_services
from crossborder_crm.errors import Conflict, NotFound, ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.i18n.machine_catalog import refresh_machine_catalogs
from crossborder_crm.outbox import service
from crossborder_crm.outbox.chosen_time import IN_QUIET_HOURS
from crossborder_crm.outbox.render import clear_caches
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.explain import held_reason, quiet_hours_warning, send_reason
from crossborder_crm.panel.message_preview import message_preview
from crossborder_crm.panel.write_form import horizon_days
from crossborder_crm.timing import to_local
from crossborder_crm.validation import ID_IN_PATH

RESCHEDULABLE = ("scheduled", "failed")
# The HTML part is the buyer's email, not our page: no script, no network, no navigation from it.
PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
               "sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


def _preview(msg):
    svc = current_services()
    if refresh_machine_catalogs(svc.translator):  # as the dispatcher would word it now
        clear_caches()
    return message_preview(svc.db, msg, public_url=current_app.config.get("PUBLIC_URL") or "",
                           mail_domain=current_app.config["MAIL_FROM_DOMAIN"])


def _page(message_id: int, form: dict | None = None, errors: dict | None = None, status: int = 200):
    svc = current_services()
    seller_id = current_user.seller_id
    msg = service.get_message(svc.db, seller_id, message_id)
    buyer = buyers_service.get_buyer(svc.db, seller_id, msg.buyer_id)
    if form is None:
        local = to_local(msg.scheduled_at, buyer.timezone)
        form = {"when": "local", "local": f"{local:%Y-%m-%dT%H:%M}"}
    body = render_template(
        "panel/message.html", m=msg, buyer=buyer, preview=_preview(msg),
        why=send_reason(msg.explanation_data, buyer.name), held=held_reason(msg.last_error),
        can_reschedule=msg.status in RESCHEDULABLE, form=form, errors=errors or {},
        seller_tz=current_user.seller_timezone, now=svc.clock.now(), back=request.full_path.rstrip("?"))
    return body, status


@bp.get(f"/outbox/<{ID_IN_PATH}:message_id>")
def outbox_message(message_id: int):
    """A message as the buyer will read it, with its headers, timeline and reasons."""
    return _page(message_id)


@bp.get(f"/outbox/<{ID_IN_PATH}:message_id>/preview")
def outbox_message_preview(message_id: int):
    """The HTML part alone, for the message page's sandboxed frame."""
    msg = service.get_message(current_services().db, current_user.seller_id, message_id)
    preview = _preview(msg)
    if preview.rendered is None:
        raise NotFound("this message cannot be rendered")
    response = make_response(preview.rendered.html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post(f"/outbox/<{ID_IN_PATH}:message_id>/reschedule")
def outbox_reschedule(message_id: int):
    """Move a scheduled or failed message to the buyer's next best moment or a local time."""
    svc = current_services()
    form = {"when": request.form.get("when") or "best", "local": (request.form.get("local") or "").strip(),
            "override_quiet_hours": "1" if request.form.get("override_quiet_hours") else ""}
    errors: dict[str, str] = {}
    if form["when"] not in ("best", "local"):
        errors["when"] = _("Choose the best moment or a time in the buyer's time zone.")
    elif form["when"] == "local" and not form["local"]:
        errors["local"] = _("Enter a date and time in the buyer's time zone.")
    if errors:
        return _page(message_id, form, errors, 422)
    send_at = "best" if form["when"] == "best" else {"local": form["local"]}
    try:
        service.reschedule_message(svc.db, svc.clock, current_user.seller_id, message_id,
                                   {"send_at": send_at, "override_quiet_hours": send_at != "best" and
                                    bool(form["override_quiet_hours"])},
                                   horizon=timedelta(days=horizon_days()))
    except ValidationFailed as exc:
        quiet = (exc.fields or {}).get("send_at")
        if getattr(quiet, "template", None) == IN_QUIET_HOURS:
            form["quiet_hours"] = "1"  # offer "send anyway" beside the warning
            errors["local"] = quiet_hours_warning(quiet.params)
        else:
            errors["local"] = _reschedule_error(exc)
        return _page(message_id, form, errors, 422)
    except Conflict:
        flash(_("This message has already gone out or was cancelled: it can no longer be rescheduled."),
              "error")
        return redirect(url_for("panel.outbox_message", message_id=message_id))
    flash(_("Rescheduled. The new moment is shown below."), "success")
    return redirect(url_for("panel.outbox_message", message_id=message_id))


def _reschedule_error(exc: ValidationFailed) -> str:
    text = " ".join(str(v) for v in (exc.fields or {}).values())
    if "passed" in text:
        return _("That moment has already passed in the buyer's time zone.")
    if "days from now" in text:
        return _("Choose a moment within the next %(days)s days.", days=horizon_days())
    return _("Enter the date and time as YYYY-MM-DD HH:MM.")
