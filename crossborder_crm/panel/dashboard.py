"""The dashboard: how many buyers, where they are, who was touched last, and whether mail is going out."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from babel.dates import format_timedelta
from flask import render_template
from flask_login import current_user

from crossborder_crm.buyers.listing import list_buyers
from crossborder_crm.container import current_services
from crossborder_crm.ops.health import STALLED_AFTER, outbox_backlog
from crossborder_crm.panel.attention import attention
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.formatting import ui_locale
from crossborder_crm.panel.queries import dashboard_summary
from crossborder_crm.timing import localize, to_local


@bp.get("/")
def dashboard():
    """Counts, top countries and languages, recently updated buyers; a warning when sending stalled."""
    svc = current_services()
    now = svc.clock.now()
    summary = dashboard_summary(svc.db, current_user.seller_id)
    recent = list_buyers(svc.db, current_user.seller_id, sort="-updated_at", limit=5).items
    # Due for minutes and not sent: the worker is not running (it ticks every few seconds).
    stalled = outbox_backlog(svc.db, now, seller_id=current_user.seller_id, waiting_longer_than=STALLED_AFTER)
    stalled_for = format_timedelta(stalled.age(now), threshold=2, locale=ui_locale()) if stalled.count else ""
    return render_template("panel/dashboard.html", summary=summary, recent=recent, now=now,
                           stalled=stalled, stalled_for=stalled_for,
                           attention=attention(svc.db, current_user.seller_id, *_seller_today(now)))


def _seller_today(now: datetime) -> tuple[datetime, datetime]:
    """The seller's current calendar day as a UTC interval [start, end)."""
    tz = current_user.seller_timezone
    day = to_local(now, tz).date()
    return (localize(datetime.combine(day, time()), tz),
            localize(datetime.combine(day + timedelta(days=1), time()), tz))
