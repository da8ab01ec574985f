"""Which local day each buyer is written to, and until when an offer stands for them. Pure."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from crossborder_crm.timing.localtime import localize

# Why a buyer in the audience is left out by the campaign's own rules (after the audience's).
TOO_LATE, NOT_KEPT, OFFER_ENDED = "too_late", "holiday_not_kept", "offer_ended"


@lru_cache(maxsize=1024)
def offer_end(ends_at: str, tz: str) -> datetime:
    """The sale's end ("2026-12-20T23:59", local wall clock) as the UTC instant it is for a buyer in `tz`."""
    return localize(datetime.fromisoformat(ends_at), tz)


def target_day(kind: str, details: dict, send_on: date | None, country: str, today: date
               ) -> tuple[date | None, str | None]:
    """(the buyer-local day to write on, None) or (None, why not), `today` being the buyer's."""
    if kind == "holiday":
        holiday = details["holiday"]
        kept = holiday.get("dates", {}).get(country)
        if kept is None:
            return None, NOT_KEPT
        day = date.fromisoformat(kept) - timedelta(days=holiday.get("days_before", 0))
    elif kind == "sale":
        day = max(date.fromisoformat(details["offer"]["starts_on"]), today)
    elif kind == "repurchase":
        day = today
    else:
        day = send_on or today
    if day < today:
        return None, TOO_LATE
    return day, None
