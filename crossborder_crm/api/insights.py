"""The complaint insights endpoint: complaints by category, product, carrier, route or month, with the trend."""
from __future__ import annotations

from flask import g, jsonify, request

from crossborder_crm.api.blueprint import bp
from crossborder_crm.api.params import date_arg
from crossborder_crm.api.registry import QueryParam, operation
from crossborder_crm.container import current_services
from crossborder_crm.replies.insights import GROUPS, InsightRow, check_group_by, check_window, complaint_insights

RATIO_DIGITS = 4  # shares and changes as 0.1234: enough for a percentage with two decimals


def insight_row_json(row: InsightRow) -> dict:
    """The API shape of one group: its values, counts, share, change and who should hear about it."""
    change = row.change
    return {**row.values, "count": row.count, "share": round(row.share, RATIO_DIGITS),
            "previous_count": row.previous_count, "change": None if change is None else round(change, RATIO_DIGITS),
            "problem_of": row.problem_of}


@operation(bp, "/insights/complaints", "GET", "Complaints counted by category, product, carrier, route or month, "
           "with the change against the window of the same length before", tag="insights",
           responses={200: "OK", 422: "Bad date, `to` before `from`, a window over 400 days, or an unknown group"},
           query=(QueryParam("from", "string", "YYYY-MM-DD (UTC day), default 29 days before to"),
                  QueryParam("to", "string", "YYYY-MM-DD, inclusive, at most 400 days after from; default today (UTC)"),
                  QueryParam("group_by", "string", f"comma-separated, some of: {', '.join(GROUPS)}; "
                                                   "default category")))
def complaint_insights_view():
    """Count complaints by group."""
    svc = current_services()
    start, end = check_window(date_arg("from"), date_arg("to"), svc.clock.now().date())
    group_by = check_group_by(request.args.get("group_by"))
    found = complaint_insights(svc.db, g.seller_id, start=start, end=end, group_by=group_by)
    return jsonify({"from": found.start.isoformat(), "to": found.end.isoformat(),
                    "previous_from": found.previous_start.isoformat(), "previous_to": found.previous_end.isoformat(),
                    "group_by": list(found.group_by), "total": found.total, "previous_total": found.previous_total,
                    "items": [insight_row_json(r) for r in found.rows]})
