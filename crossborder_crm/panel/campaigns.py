"""Campaigns: the seller's campaigns, the holidays ahead weighted by how many of the seller's buyers keep
them (each country's own date, each a button to draft a campaign for it), and the buyers per segment."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.campaigns import lifecycle
from crossborder_crm.campaigns.segments import SEGMENT_MEANINGS, SEGMENTS
from crossborder_crm.campaigns.segments_service import segment_counts
from crossborder_crm.campaigns.service import holiday_calendar
from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.reasons import localize_reason

AHEAD = timedelta(days=90)
SHOWN = 20  # the holidays touching the most buyers
LISTED = 20  # campaigns listed before "show all"


@bp.get("/campaigns")
def campaigns():
    """The campaigns, the holidays ahead by the buyers they touch, and the segments."""
    svc = current_services()
    today = svc.clock.now().date()
    days = holiday_calendar(svc.db, current_user.seller_id, today, today + AHEAD)
    # Most buyers first; then the soonest date among the countries where the seller has buyers.
    touching = sorted((d for d in days if d.total),
                      key=lambda d: (-d.total, min(cd.date for cd in d.day.dates if d.buyers.get(cd.country))))
    touching = touching[:SHOWN]
    items = lifecycle.list_campaigns(svc.db, current_user.seller_id)
    show_all = request.args.get("all") == "1"
    return render_template("panel/campaigns.html", holidays=touching, today=today, ahead_days=AHEAD.days,
                           segments=SEGMENTS, meanings=SEGMENT_MEANINGS,
                           counts=segment_counts(svc.db, current_user.seller_id),
                           items=items if show_all else items[:LISTED], total=len(items))


@bp.post("/campaigns/from-holiday")
def campaign_from_holiday():
    """A draft holiday campaign for the countries that keep the day; then its page."""
    svc = current_services()
    try:
        made = lifecycle.holiday_draft(svc.db, svc.clock, current_user.seller_id, request.form.get("key", ""))
    except ValidationFailed as exc:
        flash("; ".join(localize_reason(r) for r in exc.fields.values()) or localize_reason(exc.message), "error")
        return redirect(url_for("panel.campaigns"))
    flash(_("Draft made with a starting text: edit it, check the preview, then launch."), "success")
    return redirect(url_for("panel.campaign", campaign_id=made.id))
