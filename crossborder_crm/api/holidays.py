"""The holiday calendar endpoint: days in a window, each country's date, the seller's buyers there."""
from __future__ import annotations

from flask import g, jsonify, request

from crossborder_crm.api.blueprint import bp
from crossborder_crm.api.params import date_arg
from crossborder_crm.api.registry import QueryParam, operation
from crossborder_crm.campaigns.service import (
    CalendarDay,
    check_countries,
    check_window,
    holiday_calendar,
)
from crossborder_crm.container import current_services


def calendar_day_json(item: CalendarDay) -> dict:
    """The API shape of one day."""
    return {"key": item.day.key, "name": item.day.name, "kind": item.day.kind,
            "dates": [{"country": d.country, "date": d.date.isoformat(), "buyers": item.buyers.get(d.country, 0)}
                      for d in item.day.dates],
            "buyers": item.total}


@operation(bp, "/holidays", "GET", "Public holidays and shopping days per country, with the seller's buyers there",
           tag="holidays", responses={200: "OK", 422: "Bad date, `to` before `from`, a window over 400 days, "
                                                      "or an unknown country"},
           query=(QueryParam("from", "string", "YYYY-MM-DD, default today (UTC)"),
                  QueryParam("to", "string", "YYYY-MM-DD, inclusive, at most 400 days after from; default from + 60"),
                  QueryParam("country", "string", "ISO 3166-1 alpha-2, repeatable; default the countries of the "
                                                  "seller's buyers and the main markets")))
def list_holidays():
    """List the holiday calendar."""
    svc = current_services()
    start, end = check_window(date_arg("from"), date_arg("to"), svc.clock.now().date())
    countries = check_countries([c for c in request.args.getlist("country") if c])
    items = holiday_calendar(svc.db, g.seller_id, start, end, countries or None)
    return jsonify({"items": [calendar_day_json(i) for i in items]})
