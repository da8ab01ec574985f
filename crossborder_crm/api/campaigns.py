"""Campaign endpoints: create, list, get, change a draft, preview, sample email, launch, pause, resume,
cancel, results; and a draft campaign made from a holiday."""
from __future__ import annotations

from flask import current_app, g, jsonify, request

from crossborder_crm.api.blueprint import bp, json_body
from crossborder_crm.api.params import id_arg
from crossborder_crm.api.registry import QueryParam, operation
from crossborder_crm.buyers.serialize import iso
from crossborder_crm.campaigns import lifecycle
from crossborder_crm.campaigns.definition import CampaignCreate, HolidayChoice
from crossborder_crm.campaigns.models import CAMPAIGN_STATUSES, Campaign
from crossborder_crm.campaigns.planning import Plan
from crossborder_crm.campaigns.results import campaign_results
from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.validation import parse

BAD_CAMPAIGN_422 = ("An unknown holiday, a sale that ends before it starts, an unknown placeholder, a filter "
                    "that would mail every buyer without confirm_all, or another invalid field; nothing stored")
STATE_409 = "The campaign is not in a state that allows this (e.g. pausing a draft, launching a cancelled one)"


def campaign_json(c: Campaign) -> dict:
    """The API shape of a campaign."""
    return {"id": c.id, "name": c.name, "kind": c.kind, "status": c.status, "audience": c.audience,
            "confirm_all": c.confirm_all, **c.details, "send_on": c.send_on.isoformat() if c.send_on else None,
            "content": c.content, "attribution_days": c.attribution_days, "last_plan": c.last_plan,
            "created_at": iso(c.created_at), "updated_at": iso(c.updated_at), "launched_at": iso(c.launched_at)}


def plan_json(p: Plan) -> dict:
    """Recipients, exclusions by reason, breakdowns and the send-time chart of a preview or a launch."""
    return {"matched": p.matched, "recipients": p.recipients, "excluded": dict(p.excluded.most_common()),
            "by_country": dict(p.by_country.most_common()), "by_language": dict(p.by_language.most_common()),
            "by_segment": dict(p.by_segment.most_common()),
            "send_hours": {"utc": p.hours_utc, "seller": p.hours_seller}, "send_days": dict(sorted(p.days.items()))}


@operation(bp, "/campaigns", "POST", "Create a campaign (a draft): launch, sale, holiday, repurchase or "
           "announcement, with its audience and its text per language", body=CampaignCreate, tag="campaigns",
           responses={201: "Created", 422: BAD_CAMPAIGN_422})
def create_campaign():
    """Create a campaign."""
    svc = current_services()
    return jsonify(campaign_json(lifecycle.create_campaign(svc.db, svc.clock, g.seller_id, json_body()))), 201


@operation(bp, "/campaigns/from-holiday", "POST", "Make a draft holiday campaign from a day of the calendar, for "
           "the countries that keep it", body=HolidayChoice, tag="campaigns",
           responses={201: "Created", 422: "An unknown holiday key or days_before out of range"})
def campaign_from_holiday():
    """Draft a campaign from a holiday."""
    svc = current_services()
    choice = parse(HolidayChoice, json_body(), "holiday")
    made = lifecycle.holiday_draft(svc.db, svc.clock, g.seller_id, choice.key, choice.days_before)
    return jsonify(campaign_json(made)), 201


@operation(bp, "/campaigns", "GET", "List campaigns, newest first", tag="campaigns",
           query=(QueryParam("status", enum=CAMPAIGN_STATUSES),))
def list_campaigns():
    """List campaigns."""
    status = request.args.get("status") or None
    if status is not None and status not in CAMPAIGN_STATUSES:
        raise ValidationFailed("invalid status", {"status": f"must be one of: {', '.join(CAMPAIGN_STATUSES)}"})
    items = lifecycle.list_campaigns(current_services().db, g.seller_id, status)
    return jsonify({"items": [campaign_json(c) for c in items]})


@operation(bp, "/campaigns/<int:campaign_id>", "GET", "Get a campaign", tag="campaigns")
def get_campaign(campaign_id: int):
    """Get one campaign."""
    return jsonify(campaign_json(lifecycle.get_campaign(current_services().db, g.seller_id, campaign_id)))


@operation(bp, "/campaigns/<int:campaign_id>", "PUT", "Replace a draft's definition", body=CampaignCreate,
           tag="campaigns", responses={200: "OK", 409: "Only a draft can be changed", 422: BAD_CAMPAIGN_422})
def update_campaign(campaign_id: int):
    """Change a draft."""
    svc = current_services()
    return jsonify(campaign_json(lifecycle.update_campaign(svc.db, svc.clock, g.seller_id, campaign_id,
                                                           json_body())))


@operation(bp, "/campaigns/<int:campaign_id>/preview", "POST", "Preview a launch now: recipients, exclusions by "
           "reason (the audience's, already planned, frequency cap, holiday not kept, too late, offer ended), "
           "breakdowns and send times by hour in UTC and the seller's time", tag="campaigns")
def preview_campaign(campaign_id: int):
    """Preview a campaign."""
    svc = current_services()
    return jsonify(plan_json(lifecycle.preview_campaign(svc.db, svc.clock, g.seller_id, campaign_id)))


@operation(bp, "/campaigns/<int:campaign_id>/email", "GET", "The email one buyer would get, in their language, "
           "in the campaign frame", tag="campaigns", query=(QueryParam("buyer_id", "integer", "required"),),
           responses={200: "OK", 404: "No such campaign or buyer", 422: "buyer_id missing"})
def campaign_email(campaign_id: int):
    """Render a campaign email for one buyer."""
    buyer_id = id_arg("buyer_id")
    if buyer_id is None:
        raise ValidationFailed("buyer_id is required", {"buyer_id": "is required"})
    svc = current_services()
    mail = lifecycle.sample_email(svc.db, svc.clock, g.seller_id, campaign_id, buyer_id)
    return jsonify({"subject": mail.subject, "text": mail.text, "html": mail.html})


@operation(bp, "/campaigns/<int:campaign_id>/launch", "POST", "Plan one email per recipient at their best local "
           "time (languages without a version are machine-translated first); a relaunch plans only new "
           "recipients", tag="campaigns", responses={200: "Planned", 409: STATE_409})
def launch_campaign(campaign_id: int):
    """Launch a campaign."""
    svc = current_services()
    plan = lifecycle.launch_campaign(svc.db, svc.clock, g.seller_id, campaign_id,
                                     mail_domain=current_app.config["MAIL_FROM_DOMAIN"], translator=svc.translator)
    return jsonify({"campaign": campaign_json(lifecycle.get_campaign(svc.db, g.seller_id, campaign_id)),
                    "plan": plan_json(plan)})


def _state_change(action, campaign_id: int, key: str):
    svc = current_services()
    n = action(svc.db, svc.clock, g.seller_id, campaign_id)
    return jsonify({"campaign": campaign_json(lifecycle.get_campaign(svc.db, g.seller_id, campaign_id)), key: n})


@operation(bp, "/campaigns/<int:campaign_id>/pause", "POST", "Hold every email not yet sent", tag="campaigns",
           responses={200: "Paused", 409: STATE_409})
def pause_campaign(campaign_id: int):
    """Pause a campaign."""
    return _state_change(lifecycle.pause_campaign, campaign_id, "held")


@operation(bp, "/campaigns/<int:campaign_id>/resume", "POST", "Release the held emails (those whose time passed go "
           "at the buyer's next good hour)", tag="campaigns", responses={200: "Resumed", 409: STATE_409})
def resume_campaign(campaign_id: int):
    """Resume a campaign."""
    return _state_change(lifecycle.resume_campaign, campaign_id, "released")


@operation(bp, "/campaigns/<int:campaign_id>/cancel", "POST", "Cancel every email not yet sent and stop planning",
           tag="campaigns", responses={200: "Cancelled", 409: STATE_409})
def cancel_campaign(campaign_id: int):
    """Cancel a campaign."""
    return _state_change(lifecycle.cancel_campaign, campaign_id, "cancelled")


def _breakdown(parts: dict, tracking: bool) -> dict:
    out = {}
    for key, part in sorted(parts.items()):
        out[key] = {"sent": part.sent, "orders": part.orders, "revenue_minor": dict(part.revenue)}
        if tracking:
            out[key].update(opened=part.opened, clicked=part.clicked)
    return out


@operation(bp, "/campaigns/<int:campaign_id>/results", "GET", "Planned, sent, failed, suppressed, unsubscribed, and "
           "orders and revenue attributed within the campaign's window, by country and language", tag="campaigns")
def campaign_results_view(campaign_id: int):
    """A campaign's results."""
    svc = current_services()
    campaign = lifecycle.get_campaign(svc.db, g.seller_id, campaign_id)
    found = campaign_results(svc.db, campaign)
    tracking = found.tracking
    return jsonify({"planned": found.planned, "statuses": dict(found.statuses), "unsubscribed": found.unsubscribed,
                    "attribution_days": campaign.attribution_days, "orders": found.orders,
                    "revenue_minor": dict(found.revenue),
                    "by_country": _breakdown(found.by_country, tracking),
                    "by_language": _breakdown(found.by_language, tracking),
                    "ab": ({**campaign.details["ab"], "groups": _breakdown(found.by_variant, tracking)}
                           if campaign.details.get("ab") else None),
                    "sent_by_day": dict(sorted(found.sent_by_day.items())),
                    "tracking": {"on": tracking, "opened": found.opened if tracking else None,
                                 "clicked": found.clicked if tracking else None,
                                 "machine_events": found.machine_events if tracking else None}})
