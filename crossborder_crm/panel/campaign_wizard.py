"""The campaign wizard: one page in steps (kind, audience with a live preview and saved audiences, the kind's
details, the text per language and an A/B test of the subject, attribution), to create a campaign or change a
draft; and the preview's JSON endpoint."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.campaigns import lifecycle
from crossborder_crm.campaigns.audiences import EXCLUSIONS, parse_filter, preview
from crossborder_crm.campaigns.definition import AB_METRICS, NEEDS, PLACEHOLDERS
from crossborder_crm.campaigns.models import CAMPAIGN_KINDS
from crossborder_crm.campaigns.segments import SEGMENTS
from crossborder_crm.campaigns.service import holiday_calendar
from crossborder_crm.container import current_services
from crossborder_crm.errors import Conflict, ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.campaign_ab import seller_tracks
from crossborder_crm.panel.campaign_audiences import NAME_FIELD, saved_choices
from crossborder_crm.panel.campaign_form import SEND_ON_KINDS, CampaignForm
from crossborder_crm.panel.campaign_labels import (
    AB_METRIC_LABELS,
    EXCLUSION_LABELS,
    KIND_HINTS,
    PLACEHOLDER_LABELS,
)
from crossborder_crm.panel.campaign_launch import launch_state
from crossborder_crm.panel.campaign_queries import audience_choices, seller_language
from crossborder_crm.panel.formatting import country_name, language_name, number
from crossborder_crm.panel.segment_labels import SEGMENT_LABELS
from crossborder_crm.validation import ID_IN_PATH

HOLIDAYS_AHEAD = timedelta(days=90)  # as the campaigns page shows


@bp.route("/campaigns/new", methods=["GET", "POST"])
def campaign_new():
    """The wizard for a new campaign; saved as a draft, then its page."""
    svc = current_services()
    seller_id = current_user.seller_id
    if request.method == "GET":
        return _wizard(CampaignForm.blank(seller_language(svc.db, seller_id), request.args.get("kind")))
    form = CampaignForm.posted(request.form)
    data = form.service_data(current_user.seller_timezone)
    if not form.errors:
        try:
            made = lifecycle.create_campaign(svc.db, svc.clock, seller_id, data)
        except ValidationFailed as exc:
            form.place(exc.fields)
        else:
            flash(_("Campaign saved as a draft. Check the preview, then launch it."), "success")
            return redirect(url_for("panel.campaign", campaign_id=made.id))
    return _wizard(form), 422


@bp.route(f"/campaigns/<{ID_IN_PATH}:campaign_id>/edit", methods=["GET", "POST"])
def campaign_edit(campaign_id: int):
    """The wizard prefilled with a draft's definition; a launched campaign cannot change."""
    svc = current_services()
    seller_id = current_user.seller_id
    campaign = lifecycle.get_campaign(svc.db, seller_id, campaign_id)
    if campaign.status != "draft" or launch_state(campaign, svc.clock.now()).running:
        flash(_("Only a draft can be changed: this campaign has been launched."), "error")
        return redirect(url_for("panel.campaign", campaign_id=campaign_id))
    if request.method == "GET":
        return _wizard(CampaignForm.of(campaign, current_user.seller_timezone), campaign)
    form = CampaignForm.posted(request.form)
    data = form.service_data(current_user.seller_timezone)
    if not form.errors:
        try:
            lifecycle.update_campaign(svc.db, svc.clock, seller_id, campaign_id, data)
        except Conflict:
            flash(_("Only a draft can be changed: this campaign has been launched."), "error")
            return redirect(url_for("panel.campaign", campaign_id=campaign_id))
        except ValidationFailed as exc:
            form.place(exc.fields)
        else:
            flash(_("Campaign saved."), "success")
            return redirect(url_for("panel.campaign", campaign_id=campaign_id))
    return _wizard(form, campaign), 422


def _wizard(form: CampaignForm, campaign=None) -> str:
    svc = current_services()
    seller_id = current_user.seller_id
    today = svc.clock.now().date()
    countries, languages = audience_choices(svc.db, seller_id)
    saved = saved_choices(svc.db, seller_id, current_user.seller_timezone)
    # What the campaign (or a saved audience) asks for stays choosable even when no buyer has it.
    for asked in [form.values, *(a["fields"] for a in saved)]:
        countries, languages = set(countries) | set(asked["countries"]), set(languages) | set(asked["languages"])
    countries, languages = sorted(countries), sorted(languages)
    tracking = seller_tracks(svc.db, seller_id)
    holidays = holiday_calendar(svc.db, seller_id, today, today + HOLIDAYS_AHEAD)
    return render_template("panel/campaign_form.html", form=form, v=form.values, errors=form.errors,
                           campaign=campaign, kinds=CAMPAIGN_KINDS, kind_hints=KIND_HINTS,
                           send_on_kinds=SEND_ON_KINDS, holidays=holidays, holidays_days=HOLIDAYS_AHEAD.days,
                           country_options=sorted(((c, f"{country_name(c)} ({c})") for c in countries),
                                                  key=lambda option: option[1]),
                           language_options=[(t, f"{language_name(t)} ({t})") for t in languages],
                           segment_options=[(s, _(SEGMENT_LABELS.get(s, s))) for s in SEGMENTS],
                           placeholders=[(name, PLACEHOLDER_LABELS.get(name, PLACEHOLDERS[name]), NEEDS.get(name))
                                         for name in PLACEHOLDERS],
                           saved_audiences=saved, saved_name_field=NAME_FIELD, tracking=tracking,
                           ab_metrics=_ab_metrics(tracking, form.values["ab_metric"]))


def _ab_metrics(tracking: bool, chosen: str) -> list[tuple[str, str, bool]]:
    """(metric, label, choosable), orders first: opens and clicks need tracking on (a draft's own choice stays)."""
    return [(m, _(AB_METRIC_LABELS[m]), tracking or m == "orders" or m == chosen)
            for m in sorted(AB_METRICS, key=lambda m: m != "orders")]


def _counted(counter, label) -> list[dict]:
    return [{"key": key, "label": label(key), "count": n, "shown": number(n)} for key, n in counter.most_common()]


@bp.post("/campaigns/audience-preview")
def campaign_audience_preview():
    """The wizard's live preview: who the audience filter reaches, who is left out and why (JSON)."""
    svc = current_services()
    form = CampaignForm.posted(request.form)
    audience = form.audience(current_user.seller_timezone)
    if not form.errors:
        try:
            flt = parse_filter(audience)
        except ValidationFailed as exc:
            form.place({f"audience.{key}": reason for key, reason in exc.fields.items()})
    if form.errors or form.general:
        return jsonify({"errors": form.errors, "general": form.general,
                        "message": _("Check the audience fields marked in the form.")}), 422
    found = preview(svc.db, current_user.seller_id, flt, svc.clock.now())
    excluded = [{"key": key, "label": _(EXCLUSION_LABELS[key]), "count": found.excluded[key],
                 "shown": number(found.excluded[key])} for key in EXCLUSIONS if found.excluded.get(key)]
    matched = found.recipients + sum(found.excluded.values())
    return jsonify({
        "matched": matched, "recipients": found.recipients, "recipients_shown": number(found.recipients),
        "summary": _("%(recipients)s of %(matched)s matching buyers would get it",
                     recipients=number(found.recipients), matched=number(matched)),
        "excluded": excluded,
        "by_country": _counted(found.by_country, lambda c: f"{country_name(c)} ({c})"),
        "by_language": _counted(found.by_language, lambda t: f"{language_name(t)} ({t})"),
        "by_segment": _counted(found.by_segment, lambda s: _(SEGMENT_LABELS[s]) if s in SEGMENT_LABELS
                               else _("Not scored yet")),
    })

