"""Buyer pages: the searchable list, the profile, and the edit form."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.buyers import service
from crossborder_crm.buyers.activity import list_activity
from crossborder_crm.buyers.listing import BuyerFilter, count_buyers, list_buyers, parse_filter
from crossborder_crm.buyers.models import CONSENT_STATUSES
from crossborder_crm.buyers.orders import list_orders
from crossborder_crm.container import current_services
from crossborder_crm.errors import Conflict, ValidationFailed
from crossborder_crm.feedback.queries import events_for_buyer
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.choices import country_choices, timezone_choices
from crossborder_crm.panel.explain import consent_source
from crossborder_crm.panel.forms import form_values, place_errors, submitted_values, update_from_form
from crossborder_crm.panel.inferred import language_provenance, timezone_provenance
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.paging import Trail, page_size, page_size_error
from crossborder_crm.panel.queries import filter_choices
from crossborder_crm.panel.reasons import localize_fields
from crossborder_crm.validation import ID_IN_PATH

SORT_CHOICES = (
    ("name", N_("Name, A to Z")),
    ("-name", N_("Name, Z to A")),
    ("-updated_at", N_("Recently updated")),
    ("-created_at", N_("Newest first")),
    ("created_at", N_("Oldest first")),
    ("-order_count", N_("Most orders")),
)
FILTER_KEYS = ("q", "country", "language", "tag", "consent", "has_orders", "segment", "sort")
CONSENT_LABELS = {
    "unknown": N_("Unknown"),
    "granted": N_("Granted"),
    "denied": N_("Denied"),
    "withdrawn": N_("Withdrawn"),
}

ACTIVITY_LABELS = {
    "order_placed": N_("Order placed"),
    "message_received": N_("Message received"),
    "email_open": N_("Email opened"),
    "email_click": N_("Email link clicked"),
    "visit": N_("Store visit"),
    "review": N_("Review"),
    "dispute": N_("Dispute"),
    "unsubscribe": N_("Unsubscribed"),
}
ORDER_STATUS_LABELS = {
    "placed": N_("Placed"),
    "paid": N_("Paid"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "refunded": N_("Refunded"),
}


@bp.get("/buyers")
def buyers():
    """Search, filter, sort; keyset pages with next and previous."""
    svc = current_services()
    args = request.args
    sort = args.get("sort") or "name"
    limit = page_size(args.get("limit"))
    cursor = args.get("cursor") or None
    trail = Trail.parse(args.get("trail"))
    errors: dict[str, str] = {}
    items, next_cursor, status = [], None, 200
    matched = total = None
    if sort not in dict(SORT_CHOICES):
        errors["sort"] = _("Choose one of the listed sort orders.")
    if limit is None:
        errors["limit"] = page_size_error()
    if not errors:
        try:
            page = list_buyers(svc.db, current_user.seller_id, parse_filter(args),
                                       sort=sort, limit=limit, cursor=cursor)
            items, next_cursor = page.items, page.next_cursor
            total = count_buyers(svc.db, current_user.seller_id, BuyerFilter())
            flt = parse_filter(args)
            matched = count_buyers(svc.db, current_user.seller_id, flt) if flt != BuyerFilter() else total
        except ValidationFailed as exc:
            errors = localize_fields(exc.fields)
    if errors:
        status = 422
    kept = {k: args[k] for k in FILTER_KEYS if args.get(k)}
    if args.get("limit") and limit is not None:
        kept["limit"] = limit
    nav = {
        "next": url_for("panel.buyers", **kept, cursor=next_cursor,
                        trail=trail.push(cursor).encode()) if next_cursor else None,
        "prev": (url_for("panel.buyers", **kept, cursor=trail.top(),
                         trail=trail.pop().encode() or None) if trail else None),
        "first": url_for("panel.buyers", **kept) if cursor else None,
        "number": len(trail) + 1,
    }
    countries, languages = filter_choices(svc.db, current_user.seller_id)
    body = render_template("panel/buyers.html", items=items, args=args, sort=sort, errors=errors,
                           pages=nav, filtered=any(args.get(k) for k in FILTER_KEYS if k != "sort"),
                           countries=countries, languages=languages, sort_choices=SORT_CHOICES,
                           consent_labels=CONSENT_LABELS, now=svc.clock.now(), total=total, matched=matched,
                           export_args={k: args[k] for k in FILTER_KEYS if args.get(k) and k != "sort"})
    return body, status


@bp.get(f"/buyers/<{ID_IN_PATH}:buyer_id>")
def buyer(buyer_id: int):
    """The buyer's profile with where each inferred value came from, stats, orders and activity."""
    svc = current_services()
    seller_id = current_user.seller_id
    record = service.get_buyer(svc.db, seller_id, buyer_id)
    orders = list_orders(svc.db, seller_id, buyer_id)
    activity = list_activity(svc.db, seller_id, buyer_id, limit=50)
    return render_template("panel/buyer.html", buyer=record, orders=orders, activity=activity,
                           delivery_events=events_for_buyer(svc.db, seller_id, buyer_id),
                           consent_labels=CONSENT_LABELS, activity_labels=ACTIVITY_LABELS,
                           order_status_labels=ORDER_STATUS_LABELS, now=svc.clock.now(),
                           timezone_provenance=timezone_provenance,
                           language_provenance=language_provenance, consent_source_text=consent_source)


@bp.route(f"/buyers/<{ID_IN_PATH}:buyer_id>/edit", methods=["GET", "POST"])
def buyer_edit(buyer_id: int):
    """Edit the profile; errors are shown next to the fields they are about."""
    svc = current_services()
    seller_id = current_user.seller_id
    if request.method == "POST":
        try:
            service.update_buyer(svc.db, svc.clock, seller_id, buyer_id, update_from_form(request.form))
        except (ValidationFailed, Conflict) as exc:
            record = service.get_buyer(svc.db, seller_id, buyer_id)
            field_errors, general = place_errors(exc.fields)
            return _edit_page(record, submitted_values(request.form), field_errors, general,
                              consent_was=request.form.get("consent_status_was")), exc.status
        flash(_("Buyer saved."), "success")
        return redirect(url_for("panel.buyer", buyer_id=buyer_id))
    record = service.get_buyer(svc.db, seller_id, buyer_id)
    return _edit_page(record, form_values(record), {}, [], consent_was=record.consent_status)


def _edit_page(record, values: dict, errors: dict, general: list, consent_was: str | None) -> str:
    return render_template("panel/buyer_edit.html", buyer=record, values=values, errors=errors,
                           general_errors=general, consent_was=consent_was,
                           consent_statuses=CONSENT_STATUSES, consent_labels=CONSENT_LABELS,
                           countries=country_choices(),
                           timezones=timezone_choices(current_services().clock.now()))
