"""Buyers in and out from the panel: add one, import a CSV/XLSX file (the CLI's importer, its
limits and its row-error report), export the list as CSV (the CLI's exporter and format)."""
from __future__ import annotations

import io
from dataclasses import replace

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.buyers import service
from crossborder_crm.buyers.exporter import export_buyers
from crossborder_crm.buyers.importer import ImportLimits, RowError, import_buyers
from crossborder_crm.buyers.listing import parse_filter
from crossborder_crm.buyers.models import CONSENT_STATUSES
from crossborder_crm.container import current_services
from crossborder_crm.errors import Conflict, Reason, ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.choices import country_choices
from crossborder_crm.panel.forms import place_errors, submitted_values, update_from_form
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.reasons import localize_reason

# Rows of the error report shown on the page; the rest are counted.
SHOWN_ERRORS = 200
NEW_CONSENT_LABELS = {"unknown": N_("Unknown"), "granted": N_("Granted"), "denied": N_("Denied"),
                      "withdrawn": N_("Withdrawn")}


def _new_page(values: dict, errors: dict, general: list, status: int = 200):
    return render_template("panel/buyer_new.html", values=values, errors=errors, general_errors=general,
                           countries=country_choices(), consent_statuses=CONSENT_STATUSES,
                           consent_labels=NEW_CONSENT_LABELS), status


@bp.route("/buyers/new", methods=["GET", "POST"])
def buyer_new():
    """Add one buyer; time zone and language are inferred from the address."""
    if request.method == "GET":
        return _new_page({"consent_status": "unknown"}, {}, [])
    svc = current_services()
    data = {k: v for k, v in update_from_form(request.form).items() if v not in (None, [])}
    if data.get("consent", {}).get("status") == "unknown":
        data.pop("consent")
    try:
        buyer = service.create_buyer(svc.db, svc.clock, current_user.seller_id, data)
    except (ValidationFailed, Conflict) as exc:
        field_errors, general = place_errors(exc.fields)
        return _new_page(submitted_values(request.form), field_errors, general, exc.status)
    flash(_("Buyer added."), "success")
    return redirect(url_for("panel.buyer", buyer_id=buyer.id))


@bp.route("/buyers/import", methods=["GET", "POST"])
def buyers_import():
    """Upload a CSV or XLSX file; a dry run shows what would happen, row errors are listed."""
    svc = current_services()
    limits = ImportLimits.from_settings(svc.settings)
    if request.method == "GET":
        return render_template("panel/buyers_import.html", report=None, limits=limits, error=None)
    # The panel's 1 MiB request limit is for forms; an import file may be as big as the importer allows.
    request.max_content_length = limits.max_bytes + 64 * 1024
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("panel/buyers_import.html", report=None, limits=limits,
                               error=_("Choose a CSV or Excel (.xlsx) file.")), 422
    dry_run = request.form.get("dry_run") == "1"
    report = import_buyers(svc.db, svc.clock, current_user.seller_id, _named(upload), dry_run=dry_run,
                           limits=limits)
    status = 422 if report.fatal else 200
    return render_template("panel/buyers_import.html", report=report, limits=limits, error=None,
                           errors=[_localized(e) for e in report.errors[:SHOWN_ERRORS]],
                           filename=upload.filename), status


def _localized(error: RowError) -> RowError:
    """The row error in the panel's language; a column named in the file stays as the file names it."""
    column = localize_reason(error.column) if isinstance(error.column, Reason) else error.column
    return replace(error, column=column, reason=localize_reason(error.reason))


def _named(upload) -> io.BytesIO:
    """The upload as a named binary stream (the importer tells CSV from XLSX by name and content)."""
    data = io.BytesIO(upload.read())
    data.name = upload.filename
    return data


@bp.get("/buyers/export.csv")
def buyers_export():
    """The buyers matching the list's filters as CSV, in the import format."""
    svc = current_services()
    try:
        flt = parse_filter(request.args)
    except ValidationFailed:
        flash(_("One of the filters is not valid; fix it and export again."), "error")
        return redirect(url_for("panel.buyers"))
    out = io.StringIO(newline="")
    export_buyers(svc.db, current_user.seller_id, out, flt)
    return Response(out.getvalue().encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="buyers.csv"'})
