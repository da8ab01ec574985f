"""One campaign's page: its status and actions, what it is, the preview of a launch now (recipients,
exclusions, breakdowns, send hours), its text per language, its A/B test, an email as one buyer gets it, and
results."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.campaigns import lifecycle
from crossborder_crm.campaigns.results import campaign_results
from crossborder_crm.container import current_services
from crossborder_crm.errors import Conflict, NotFound
from crossborder_crm.i18n import gettext as _
from crossborder_crm.i18n import ngettext
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.campaign_ab import ab_summary
from crossborder_crm.panel.campaign_charts import days_chart, hours_chart
from crossborder_crm.panel.campaign_labels import KIND_HINTS, PLACEHOLDER_LABELS
from crossborder_crm.panel.campaign_launch import LAUNCHABLE, launch_state
from crossborder_crm.panel.campaign_queries import audience_sample
from crossborder_crm.panel.formatting import country_name, language_name, number
from crossborder_crm.panel.message_view import PREVIEW_CSP
from crossborder_crm.panel.reasons import localize_reason
from crossborder_crm.panel.segment_labels import SEGMENT_LABELS
from crossborder_crm.validation import ID_IN_PATH, row_id

# The message statuses the results list, in the order a message goes through them.
RESULT_STATUSES = ("scheduled", "paused", "sending", "sent", "failed", "suppressed", "cancelled")
AB_STATUS = "waiting"  # the rest of an A/B test's audience, until the test is decided


def _hour_title(zone: str):
    return lambda hour, n: ngettext("%(hour)s %(zone)s: %(num)s email", "%(hour)s %(zone)s: %(num)s emails", n,
                                    hour=hour, zone=zone, num=n)


def _day_title(day: str, n: int) -> str:
    return ngettext("%(day)s: %(num)s email sent", "%(day)s: %(num)s emails sent", n, day=day, num=n)


def _breakdowns(plan) -> dict[str, list[tuple[str, int]]]:
    """The preview's recipients per country, language and segment as (label, count) rows, largest first."""
    return {"countries": [(f"{country_name(c)} ({c})", n) for c, n in plan.by_country.most_common()],
            "languages": [(f"{language_name(t)} ({t})", n) for t, n in plan.by_language.most_common()],
            "segments": [(_(SEGMENT_LABELS[s]) if s in SEGMENT_LABELS else _("Not scored yet"), n)
                         for s, n in plan.by_segment.most_common()]}


@bp.get(f"/campaigns/<{ID_IN_PATH}:campaign_id>")
def campaign(campaign_id: int):
    """The campaign page; while a launch runs, its progress instead of the preview."""
    svc = current_services()
    seller_id = current_user.seller_id
    c = lifecycle.get_campaign(svc.db, seller_id, campaign_id)
    state = launch_state(c, svc.clock.now())
    plan = charts = breakdowns = None
    if not state.running and c.status != "cancelled":
        plan = lifecycle.preview_campaign(svc.db, svc.clock, seller_id, campaign_id)
        charts = {"utc": hours_chart(plan.hours_utc, _hour_title("UTC")),
                  "seller": hours_chart(plan.hours_seller, _hour_title(current_user.seller_timezone))}
        breakdowns = _breakdowns(plan)
    results = sent_chart = None
    statuses = list(RESULT_STATUSES)
    if (c.details or {}).get("ab"):
        statuses.insert(1, AB_STATUS)
    if c.launched_at is not None:
        results = campaign_results(svc.db, c)
        sent_chart = days_chart(dict(results.sent_by_day), _day_title)
        statuses += sorted(set(results.statuses) - set(statuses))  # any status this page does not know yet
    ab = ab_summary(c, results, svc.clock.now())
    lp = c.last_plan or {}
    last_plan_line = ngettext(
        "Last launch: %(num)s email planned, of %(matched)s matching buyers.",
        "Last launch: %(num)s emails planned, of %(matched)s matching buyers.", lp["planned"],
        num=number(lp["planned"]), matched=number(lp.get("matched", 0))) if "planned" in lp else None
    sample = audience_sample(svc.db, seller_id, c)
    asked = request.args.get("buyer")
    buyer_id = row_id(asked) if asked else (sample[0].id if sample else None)
    email = email_error = None
    if asked and buyer_id is None:
        email_error = _("Enter a buyer number such as 42.")
    elif buyer_id is not None:
        try:
            email = lifecycle.sample_email(svc.db, svc.clock, seller_id, campaign_id, buyer_id)
        except NotFound:
            email_error = _("You have no buyer with this number.")
    return render_template("panel/campaign.html", c=c, state=state, plan=plan, charts=charts, results=results,
                           sent_chart=sent_chart, breakdowns=breakdowns, last_plan_line=last_plan_line, sample=sample, buyer_id=buyer_id, asked=asked or "",
                           email=email, email_error=email_error, kind_hints=KIND_HINTS, ab=ab,
                           placeholder_labels=PLACEHOLDER_LABELS, result_statuses=statuses,
                           can_launch=c.status in LAUNCHABLE and not state.running,
                           seller_tz=current_user.seller_timezone, now=svc.clock.now())


@bp.get(f"/campaigns/<{ID_IN_PATH}:campaign_id>/email/<{ID_IN_PATH}:buyer_id>")
def campaign_email_html(campaign_id: int, buyer_id: int):
    """The HTML of the email one buyer would get, for the campaign page's sandboxed frame (its own CSP:
    the email's inline styles apply, nothing else runs or loads)."""
    svc = current_services()
    mail = lifecycle.sample_email(svc.db, svc.clock, current_user.seller_id, campaign_id, buyer_id)
    response = make_response(mail.html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _change(campaign_id: int, action, done) -> object:
    svc = current_services()
    try:
        n = action(svc.db, svc.clock, current_user.seller_id, campaign_id)
    except Conflict as exc:
        flash(localize_reason(exc.message), "error")
    else:
        flash(done(n), "success")
    return redirect(url_for("panel.campaign", campaign_id=campaign_id))


@bp.post(f"/campaigns/<{ID_IN_PATH}:campaign_id>/pause")
def campaign_pause(campaign_id: int):
    """Hold every email not yet sent."""
    return _change(campaign_id, lifecycle.pause_campaign, lambda n: ngettext(
        "Campaign paused: %(num)s email held.", "Campaign paused: %(num)s emails held.", n, num=n))


@bp.post(f"/campaigns/<{ID_IN_PATH}:campaign_id>/resume")
def campaign_resume(campaign_id: int):
    """Release the held emails (those whose time passed go at the buyer's next good hour)."""
    return _change(campaign_id, lifecycle.resume_campaign, lambda n: ngettext(
        "Campaign resumed: %(num)s email released.", "Campaign resumed: %(num)s emails released.", n, num=n))


@bp.post(f"/campaigns/<{ID_IN_PATH}:campaign_id>/cancel")
def campaign_cancel(campaign_id: int):
    """Cancel every email not yet sent and stop planning."""
    return _change(campaign_id, lifecycle.cancel_campaign, lambda n: ngettext(
        "Campaign cancelled: %(num)s email will not be sent.", "Campaign cancelled: %(num)s emails will not be sent.",
        n, num=n))
