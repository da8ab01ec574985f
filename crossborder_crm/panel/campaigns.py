"""Campaigns (so far): the holidays ahead weighted by how many of the seller's buyers keep them, each
country's own date, and the buyers per segment. Planning and sending campaigns are still to come."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_login import current_user

from crossborder_crm.campaigns.segments import SEGMENT_MEANINGS, SEGMENTS
from crossborder_crm.campaigns.segments_service import segment_counts
from crossborder_crm.campaigns.service import holiday_calendar
from crossborder_crm.container import current_services
from crossborder_crm.panel.blueprint import bp

AHEAD = timedelta(days=90)
SHOWN = 20  # the holidays touching the most buyers


@bp.get("/campaigns")
def campaigns():
    """The holidays ahead by the buyers they touch, and the segments."""
    svc = current_services()
    today = svc.clock.now().date()
    days = holiday_calendar(svc.db, current_user.seller_id, today, today + AHEAD)
    # Most buyers first; then the soonest date among the countries where the seller has buyers.
    touching = sorted((d for d in days if d.total),
                      key=lambda d: (-d.total, min(cd.date for cd in d.day.dates if d.buyers.get(cd.country))))
    touching = touching[:SHOWN]
    return render_template("panel/campaigns.html", holidays=touching, today=today, ahead_days=AHEAD.days,
                           segments=SEGMENTS, meanings=SEGMENT_MEANINGS,
                           counts=segment_counts(svc.db, current_user.seller_id))
