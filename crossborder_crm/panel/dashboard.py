"""The dashboard: how many buyers, where they are, who was touched last."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from crossborder_crm.buyers.listing import list_buyers
from crossborder_crm.container import current_services
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.queries import dashboard_summary


@bp.get("/")
def dashboard():
    """Counts, top countries and languages, recently updated buyers."""
    svc = current_services()
    summary = dashboard_summary(svc.db, current_user.seller_id)
    recent = list_buyers(svc.db, current_user.seller_id, sort="-updated_at", limit=5).items
    return render_template("panel/dashboard.html", summary=summary, recent=recent,
                           now=svc.clock.now())
