"""The campaign screens' words: kinds, statuses, why a buyer is left out, what each placeholder says, the
A/B test's metrics and groups."""
from __future__ import annotations

from datetime import datetime

from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.formatting import (
    country_name,
    date,
    language_name,
    money,
    number,
)
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.segment_labels import SEGMENT_LABELS

KIND_LABELS = {
    "launch": N_("Product launch"), "sale": N_("Sale"), "holiday": N_("Holiday"),
    "repurchase": N_("Time to buy again"), "announcement": N_("Announcement"),
}
KIND_HINTS = {
    "launch": N_("A new product, on a day you choose, to the buyers of its category when you give one."),
    "sale": N_("A discount or coupon, written from the start day and never after the sale ends for the buyer."),
    "holiday": N_("A few days before a holiday, on each country's own date; buyers elsewhere are left out."),
    "repurchase": N_("Each day, the buyers whose next purchase is due soon and who have not ordered since."),
    "announcement": N_("News for your buyers, on a day you choose."),
}
STATUS_LABELS = {"draft": N_("Draft"), "launched": N_("Launched"), "paused": N_("Paused"),
                 "cancelled": N_("Cancelled")}
# What decides an A/B test, and its groups (campaigns.ab_test).
AB_METRIC_LABELS = {"orders": N_("Orders"), "opens": N_("Opens"), "clicks": N_("Clicks")}
AB_GROUP_LABELS = {"a": N_("Subject A"), "b": N_("Subject B"), "rest": N_("The rest")}
# Why a buyer matching the filter gets no email (campaigns.audiences.EXCLUSIONS, then planning's own).
EXCLUSION_LABELS = {
    "no_address": N_("No email address"),
    "unsubscribed": N_("Unsubscribed"),
    "bounced": N_("Address bounced"),
    "complained": N_("Marked an email as spam"),
    "suppressed": N_("On your do-not-mail list"),
    "no_consent": N_("No marketing consent where their country requires it"),
    "open_dispute": N_("Has an open dispute"),
    "negative_review": N_("Left a bad review in the last 60 days"),
    "already_planned": N_("Already planned by this campaign"),
    "frequency_cap": N_("Would exceed your marketing email limit"),
    "holiday_not_kept": N_("Their country does not keep this holiday"),
    "too_late": N_("Their day to write has passed"),
    "offer_ended": N_("The sale would have ended for them"),
}
PLACEHOLDER_LABELS = {
    "name": N_("the buyer's name"),
    "shop": N_("your shop's name"),
    "product": N_("the launched product's name"),
    "product_url": N_("the launched product's link"),
    "price": N_("the product's price in the buyer's currency and number format"),
    "discount": N_("the sale's discount, as you wrote it"),
    "coupon": N_("the sale's coupon code"),
    "ends": N_("the end of the sale in the buyer's local time and date format"),
    "holiday": N_("the holiday's name"),
    "holiday_date": N_("the holiday's date in the buyer's country, in their date format"),
    "pick": N_("the product the buyer has bought most often"),
}


def audience_lines(audience: dict, seller_tz: str) -> list[tuple[str, str]]:
    """(what, which) lines saying whom a stored filter picks, in the panel's language; [] for everyone."""
    a, lines = audience or {}, []
    if a.get("countries"):
        lines.append((_("Countries"), ", ".join(f"{country_name(c)} ({c})" for c in a["countries"])))
    if a.get("languages"):
        lines.append((_("Languages"), ", ".join(f"{language_name(t)} ({t})" for t in a["languages"])))
    if a.get("segments"):
        lines.append((_("Segments"), ", ".join(_(SEGMENT_LABELS.get(s, s)) for s in a["segments"])))
    if a.get("tags"):
        lines.append((_("Tags"), ", ".join(a["tags"])))
    if a.get("consent"):
        lines.append((_("Consent"), ", ".join(a["consent"])))
    low, high = a.get("min_orders"), a.get("max_orders")
    if low is not None or high is not None:
        lines.append((_("Orders"), _("%(low)s to %(high)s", low=number(low or 0), high=number(high))
                      if high is not None else _("at least %(num)s", num=number(low))))
    currency = a.get("spend_currency")
    if currency and (a.get("min_spend_minor") is not None or a.get("max_spend_minor") is not None):
        low, high = a.get("min_spend_minor"), a.get("max_spend_minor")
        lines.append((_("Spent"), _("%(low)s to %(high)s", low=money(low or 0, currency), high=money(high, currency))
                      if high is not None else _("at least %(num)s", num=money(low, currency))))
    for key, label in (("last_order_after", _("Last order on or after")), ("last_order_before", _("Last order before"))):
        if a.get(key):
            lines.append((label, date(datetime.fromisoformat(a[key]), seller_tz)))
    if a.get("bought_product"):
        lines.append((_("Bought"), a["bought_product"]))
    return lines


@bp.context_processor
def _campaign_labels():
    return {"campaign_kind_labels": KIND_LABELS, "campaign_status_labels": STATUS_LABELS,
            "exclusion_labels": EXCLUSION_LABELS, "audience_lines": audience_lines,
            "ab_metric_labels": AB_METRIC_LABELS, "ab_group_labels": AB_GROUP_LABELS}
