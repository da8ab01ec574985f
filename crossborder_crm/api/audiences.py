"""Audience preview: who a campaign with this filter would reach, who it leaves out and why."""
from __future__ import annotations

from flask import g, jsonify

from crossborder_crm.api.blueprint import bp, json_body
from crossborder_crm.api.registry import operation
from crossborder_crm.campaigns.audiences import EXCLUSIONS, AudienceFilter, parse_filter, preview
from crossborder_crm.container import current_services


@operation(bp, "/audiences/preview", "POST", "Preview an audience: recipients, exclusions by reason (no address, "
           "unsubscribed, bounced, complained, suppressed, no consent where the country needs it, an open dispute, "
           "a recent bad review), and the recipients by country, language and segment", body=AudienceFilter,
           tag="campaigns", responses={200: "OK", 422: "An unknown country, segment or consent value, a spend range "
                                                        "without its currency, min_orders above max_orders"})
def preview_audience():
    """Preview an audience."""
    svc = current_services()
    found = preview(svc.db, g.seller_id, parse_filter(json_body()), svc.clock.now())
    return jsonify({"matched": found.recipients + sum(found.excluded.values()), "recipients": found.recipients,
                    "excluded": {reason: found.excluded.get(reason, 0) for reason in EXCLUSIONS},
                    "by_country": dict(found.by_country.most_common()),
                    "by_language": dict(found.by_language.most_common()),
                    "by_segment": dict(found.by_segment.most_common())})
