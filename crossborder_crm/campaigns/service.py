"""The holiday calendar for one seller: each day with how many of the seller's buyers it touches."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from crossborder_crm.buyers.codes import validate_country
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.campaigns.holidays import HolidayDay, max_window, upcoming
from crossborder_crm.campaigns.shopping_days import MARKETS
from crossborder_crm.db import Database
from crossborder_crm.errors import ValidationFailed, reason_of
from crossborder_crm.validation import check_date_window

DEFAULT_WINDOW = timedelta(days=60)
# The Umm al-Qura tables (hijridate) cover 1924-2077; outside this range a date is refused.
EARLIEST, LATEST = date(1970, 1, 1), date(2075, 12, 31)


@dataclass(frozen=True)
class CalendarDay:
    """A holiday and the seller's buyer count in each country that keeps it."""

    day: HolidayDay
    buyers: dict[str, int]

    @property
    def total(self) -> int:
        """Buyers in every country that keeps the day."""
        return sum(self.buyers.get(d.country, 0) for d in self.day.dates)


def check_window(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The window asked for, defaulted (today, +60 days) and checked; a 422 naming `from` or `to`."""
    start = start or today
    return check_date_window(start, end or start + DEFAULT_WINDOW, EARLIEST, LATEST, max_window())


def check_countries(raw: list[str]) -> list[str]:
    """ISO 3166-1 alpha-2 codes, upper-cased; a 422 naming `country` for any unknown one."""
    codes = []
    for value in raw:
        try:
            codes.append(validate_country(value))
        except ValueError as exc:
            raise ValidationFailed("invalid country", {"country": reason_of(exc)}) from None
    return codes


def buyers_by_country(db: Database, seller_id: int) -> dict[str, int]:
    """How many buyers the seller has in each country (one grouped query)."""
    with db.reading() as s:
        rows = s.execute(select(Buyer.country, func.count()).where(Buyer.seller_id == seller_id)
                         .group_by(Buyer.country))
        return {country: n for country, n in rows}


def holiday_calendar(db: Database, seller_id: int, start: date, end: date,
                     countries: list[str] | None = None) -> list[CalendarDay]:
    """Days from `start` to `end` in `countries` (default: the seller's buyers' countries and MARKETS)."""
    counts = buyers_by_country(db, seller_id)
    wanted = countries if countries else sorted(set(MARKETS) | set(counts))
    return [CalendarDay(day, counts) for day in upcoming(start, end, wanted)]
