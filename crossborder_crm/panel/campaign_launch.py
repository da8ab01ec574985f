"""Launching from the panel: planning a big campaign takes a while, so it runs in a background thread and
the page returns at once. The thread stores its progress in the campaign (last_plan) after each batch, so
whichever web process serves the campaign page can show it; the page polls the progress endpoint."""
from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import flash, jsonify, redirect, url_for
from flask_login import current_user

from crossborder_crm.campaigns import lifecycle
from crossborder_crm.campaigns.models import Campaign
from crossborder_crm.clock import Clock
from crossborder_crm.container import current_services
from crossborder_crm.db import Database
from crossborder_crm.errors import CrmError
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.formatting import number
from crossborder_crm.panel.reasons import localize_reason
from crossborder_crm.validation import ID_IN_PATH

log = logging.getLogger(__name__)
LAUNCHABLE = ("draft", "launched")


@dataclass(frozen=True)
class LaunchState:
    """What the campaign's last_plan says about a launch: running (seen of total), failed, or neither."""

    running: bool = False
    seen: int = 0
    total: int = 0
    error: str | None = None
    stale: bool = False  # marked running but older than the planning lock: the process running it died

    @property
    def percent(self) -> int:
        return min(100, round(self.seen * 100 / self.total)) if self.total else 0


def launch_state(campaign: Campaign, now: datetime) -> LaunchState:
    """The launch state of a campaign at `now`."""
    plan = campaign.last_plan or {}
    if plan.get("running"):
        at = datetime.fromisoformat(plan["at"]) if plan.get("at") else now
        stale = now - at > lifecycle.PLAN_LOCK_TTL
        return LaunchState(running=not stale, seen=plan.get("seen", 0), total=plan.get("total", 0), stale=stale)
    return LaunchState(error=plan.get("error"))


def _plan_in_background(db: Database, clock: Clock, translator, mail_domain: str, seller_id: int,
                        campaign_id: int, total: int) -> None:
    """The thread's work. It needs no app context: the services were captured by the view, and the
    campaign services use no Flask globals. A failure is logged and stored, never lost."""
    holder = f"panel:{secrets.token_hex(4)}"

    def progress(seen: int) -> None:
        lifecycle.record_progress(db, seller_id, campaign_id, seen, total, clock.now())

    try:
        lifecycle.launch_campaign(db, clock, seller_id, campaign_id, mail_domain=mail_domain,
                                  translator=translator, holder=holder, progress=progress)
    except Exception as exc:  # noqa: BLE001 - the page must show it: a thread's exception goes nowhere
        log.exception("launching campaign %s of seller %s failed", campaign_id, seller_id)
        reason = exc.message if isinstance(exc, CrmError) else f"{type(exc).__name__}: {exc}"
        try:
            lifecycle.record_launch_failure(db, seller_id, campaign_id, reason, clock.now())
        except Exception:  # noqa: BLE001 - e.g. the database is gone; the log has both
            log.exception("could not record the failed launch of campaign %s", campaign_id)


def start_launch(campaign_id: int) -> threading.Thread:
    """Mark the campaign as being planned (0 of its audience) and plan it in a daemon thread."""
    svc = current_services()
    seller_id = current_user.seller_id
    campaign = lifecycle.get_campaign(svc.db, seller_id, campaign_id)
    total = lifecycle.audience_size(svc.db, seller_id, campaign)
    lifecycle.record_progress(svc.db, seller_id, campaign_id, 0, total, svc.clock.now())
    thread = threading.Thread(target=_plan_in_background, name=f"campaign-launch-{campaign_id}", daemon=True,
                              args=(svc.db, svc.clock, svc.translator, svc.settings["MAIL_FROM_DOMAIN"],
                                    seller_id, campaign_id, total))
    thread.start()
    return thread


@bp.post(f"/campaigns/<{ID_IN_PATH}:campaign_id>/launch")
def campaign_launch(campaign_id: int):
    """Start planning the campaign's emails (a relaunch plans only new recipients) and show its page."""
    svc = current_services()
    campaign = lifecycle.get_campaign(svc.db, current_user.seller_id, campaign_id)
    state = launch_state(campaign, svc.clock.now())
    if campaign.status == "paused":
        flash(_("This campaign is paused: resume it to send its emails."), "error")
    elif campaign.status not in LAUNCHABLE:
        flash(_("This campaign is cancelled: make a new one to write to these buyers again."), "error")
    elif state.running:
        flash(_("This campaign is being planned already."), "info")
    else:
        start_launch(campaign_id)
        flash(_("Planning the emails: each buyer gets theirs at their best local time."), "info")
    return redirect(url_for("panel.campaign", campaign_id=campaign_id))


@bp.get(f"/campaigns/<{ID_IN_PATH}:campaign_id>/progress")
def campaign_progress(campaign_id: int):
    """How far the launch has got (JSON, polled by the campaign page)."""
    svc = current_services()
    campaign = lifecycle.get_campaign(svc.db, current_user.seller_id, campaign_id)
    state = launch_state(campaign, svc.clock.now())
    return jsonify({"running": state.running, "seen": state.seen, "total": state.total, "percent": state.percent,
                    "shown": _("%(seen)s of %(total)s matching buyers gone through", seen=number(state.seen),
                               total=number(state.total)),
                    "status": campaign.status, "error": localize_reason(state.error) if state.error else None})
