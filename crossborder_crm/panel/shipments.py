"""The shipment pages: parcels with their flags, one parcel's timeline and notices, incidents."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.buyers import service as buyers_service
from crossborder_crm.container import current_services
from crossborder_crm.errors import NotFound, ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.outbox_queries import buyer_briefs
from crossborder_crm.panel.paging import PAGE_SIZE, Trail, page_link_error, page_size, page_size_error
from crossborder_crm.panel.reasons import localize_reason
from crossborder_crm.shipments import queries
from crossborder_crm.shipments.incidents import declare_incident, list_incidents
from crossborder_crm.shipments.milestones import MILESTONES
from crossborder_crm.validation import ID_IN_PATH, row_id

MILESTONE_LABELS = {
    "info_received": N_("Label created"),
    "in_transit": N_("In transit"),
    "arrived_destination": N_("Arrived in the buyer's country"),
    "customs_held": N_("Held at customs"),
    "customs_cleared": N_("Cleared customs"),
    "out_for_delivery": N_("Out for delivery"),
    "failed_attempt": N_("Delivery attempt failed"),
    "available_for_pickup": N_("Ready for pickup"),
    "delivered": N_("Delivered"),
    "exception_lost": N_("Lost"),
    "exception_damaged": N_("Damaged"),
    "exception_returned": N_("Returned to sender"),
    "exception_other": N_("Delivery problem"),
    "expired": N_("Tracking stopped"),
}
NOTICE_LABELS = {
    **{f"shipment_{m}": label for m, label in MILESTONE_LABELS.items()},
    "shipment_in_transit": N_("Shipped"),
    "shipment_delay": N_("Delay notice"),
    "shipment_incident": N_("Incident notice"),
    "shipment_follow_up": N_("Follow-up after delivery"),
}
FLAGS = (("all", N_("All parcels")), ("stalled", N_("Stalled")), ("late", N_("Late")))


def _buyer_parcels(buyer_id: int) -> list:
    return queries.shipments_of_buyer(current_services().db, current_user.seller_id, buyer_id)


@bp.context_processor
def _shipment_helpers():
    """Panel templates get the milestone and notice labels, and a buyer's parcels (the buyer page)."""
    return {"milestone_labels": MILESTONE_LABELS, "notice_labels": NOTICE_LABELS, "buyer_parcels": _buyer_parcels}


@bp.get("/shipments")
def shipments():
    """Parcels newest first, filtered by milestone, flag and buyer, in keyset pages."""
    svc = current_services()
    seller_id = current_user.seller_id
    args = request.args
    errors: dict[str, str] = {}
    milestone = args.get("milestone") or None
    if milestone is not None and milestone not in MILESTONES:
        errors["milestone"], milestone = _("Choose one of the listed milestones."), None
    flag = args.get("flag") or "all"
    if flag not in dict(FLAGS):
        errors["flag"], flag = _("Choose all, stalled or late."), "all"
    for_buyer = None
    if args.get("buyer"):
        buyer_id = row_id(args["buyer"])
        if buyer_id is None:
            raise NotFound("no such buyer")
        for_buyer = buyers_service.get_buyer(svc.db, seller_id, buyer_id)
    cursor = None
    if args.get("cursor"):
        cursor = row_id(args["cursor"])
        if cursor is None:
            errors["cursor"] = page_link_error()
    limit = page_size(args.get("limit"))
    if limit is None:
        errors["limit"], limit = page_size_error(), PAGE_SIZE
    rows, next_cursor = queries.list_shipments(
        svc.db, seller_id, milestone=milestone, stalled=True if flag == "stalled" else None,
        late=True if flag == "late" else None, buyer_id=for_buyer.id if for_buyer else None,
        limit=limit, cursor=cursor)
    kept = {k: v for k, v in (("milestone", milestone), ("flag", None if flag == "all" else flag),
                              ("buyer", for_buyer.id if for_buyer else None)) if v}
    trail = Trail.parse(args.get("trail"))
    current = str(cursor) if cursor else None
    pages = {
        "next": url_for("panel.shipments", **kept, cursor=next_cursor,
                        trail=trail.push(current).encode()) if next_cursor else None,
        "prev": url_for("panel.shipments", **kept, cursor=trail.top(), trail=trail.pop().encode() or None)
        if trail else None,
        "first": url_for("panel.shipments", **kept) if cursor else None,
        "number": len(trail) + 1,
    }
    tabs = [(key, label, url_for("panel.shipments", **{k: v for k, v in kept.items() if k != "flag"},
                                 **({"flag": key} if key != "all" else {}))) for key, label in FLAGS]
    body = render_template("panel/shipments.html", shipments=rows, buyers=buyer_briefs(
        svc.db, seller_id, (sh.buyer_id for sh in rows)), milestone=milestone, flag=flag, tabs=tabs,
        milestones=MILESTONES, for_buyer=for_buyer, pages=pages, errors=errors, now=svc.clock.now())
    return body, 422 if errors else 200


@bp.get(f"/shipments/<{ID_IN_PATH}:shipment_id>")
def shipment(shipment_id: int):
    """One parcel: its details, the timeline of scans and the notices sent or scheduled."""
    svc = current_services()
    detail = queries.get_shipment(svc.db, current_user.seller_id, shipment_id)
    buyer = buyers_service.get_buyer(svc.db, current_user.seller_id, detail.shipment.buyer_id)
    return render_template("panel/shipment.html", detail=detail, sh=detail.shipment, buyer=buyer,
                           now=svc.clock.now())


INCIDENT_FIELDS = ("carriers", "origin", "destination", "starts_on", "ends_on", "reason")


def _incident_data(form) -> dict:
    data: dict = {"carriers": [c for c in (form.get("carriers") or "").split(",") if c.strip()],
                  "starts_on": form.get("starts_on") or None, "ends_on": form.get("ends_on") or None,
                  "reason": form.get("reason") or ""}
    origin, destination = (form.get("origin") or "").strip(), (form.get("destination") or "").strip()
    if origin or destination:
        data["routes"] = [{k: v for k, v in (("origin", origin), ("destination", destination)) if v}]
    return data


def _incident_errors(fields: dict) -> dict[str, str]:
    """Place service errors, translated, next to the form's fields (a route's ends on origin/destination)."""
    placed: dict[str, str] = {}
    for key, reason in fields.items():
        name = key.rsplit(".", 1)[-1] if key.startswith("routes") else key.split(".", 1)[0]
        placed.setdefault(name if name in INCIDENT_FIELDS else "general", localize_reason(reason))
    return placed


@bp.route("/shipments/incidents", methods=["GET", "POST"])
def incidents():
    """Declare a disruption (carriers and/or a route, a period, a reason) and see the past ones."""
    svc = current_services()
    seller_id = current_user.seller_id
    values: dict = {"starts_on": svc.clock.now().date().isoformat()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in INCIDENT_FIELDS}
        try:
            incident = declare_incident(svc.db, svc.clock, svc.settings, seller_id, _incident_data(request.form))
        except ValidationFailed as exc:
            errors = _incident_errors(exc.fields)
        else:
            flash(_("Incident saved: %(num)s buyers with a parcel on it will hear from you.",
                    num=incident.notified_count), "success")
            return redirect(url_for("panel.incidents"))
    body = render_template("panel/incidents.html", values=values, errors=errors,
                           incidents=list_incidents(svc.db, seller_id))
    return body, 422 if errors else 200
