"""Inbox → Insights: this week's digest, and complaints counted by category, product, carrier, route or
month with the change against the window before, so quality problems go to the supplier and delivery
problems to the forwarder."""
from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_login import current_user

from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.reasons import localize_fields
from crossborder_crm.replies.insights import GROUPS, check_window, complaint_insights, weekly_digest
from crossborder_crm.replies.policy_service import load_policy

GROUP_LABELS = {"category": N_("Problem"), "product": N_("Product"), "carrier": N_("Carrier"), "route": N_("Route"),
                "month": N_("Month")}
PROBLEM_OF_LABELS = {"supplier": N_("for the supplier"), "forwarder": N_("for the forwarder"),
                     "seller": N_("for you")}
# The breakdowns offered on the page (the API takes any combination).
VIEWS = (("category",), ("product", "category"), ("carrier", "route"), ("month", "category"))


def _day(name: str) -> date | None:
    raw = request.args.get(name) or ""
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


@bp.get("/inbox/insights")
def complaint_insights_page():
    """The weekly digest and one breakdown of the chosen window."""
    svc = current_services()
    now = svc.clock.now()
    view = tuple(request.args.get("by", "category").split(","))
    if view not in VIEWS:
        view = VIEWS[0]
    errors: dict[str, str] = {}
    try:
        start, end = check_window(_day("from"), _day("to"), now.date())
    except ValidationFailed as exc:
        errors = localize_fields(exc.fields)
        start, end = check_window(None, None, now.date())
    found = complaint_insights(svc.db, current_user.seller_id, start=start, end=end, group_by=view)
    digest = weekly_digest(svc.db, current_user.seller_id, now.date(), now=now,
                           sla_hours=load_policy(svc.db, current_user.seller_id).sla_hours)
    body = render_template("panel/complaint_insights.html", found=found, digest=digest, view=view, views=VIEWS,
                           group_labels=GROUP_LABELS, problem_of_labels=PROBLEM_OF_LABELS, groups=GROUPS,
                           errors=errors)
    return body, 422 if errors else 200
