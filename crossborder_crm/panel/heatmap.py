"""The buyer page's week-by-hour activity heatmap and the line saying where its pattern comes from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import get_day_names
from babel.numbers import format_percent

from crossborder_crm.i18n import gettext as _
from crossborder_crm.i18n import ngettext
from crossborder_crm.outbox.send_timing import BuyerTiming
from crossborder_crm.panel.formatting import country_name, ui_locale
from crossborder_crm.panel.outbox_queries import QuietHours


def day_names() -> list[str]:
    """Abbreviated weekday names, Monday first, in the panel language."""
    names = get_day_names("abbreviated", locale=ui_locale())
    return [names[i] for i in range(7)]


@dataclass(frozen=True)
class HeatCell:
    """One local hour of one weekday: shade (0..10), quiet-hours state, whether it is the next moment,
    inside the reply deadline's window from now, or the hour it is now."""

    hour: int
    level: int
    quiet: str
    next: bool
    title: str
    window: bool = False
    now: bool = False


@dataclass(frozen=True)
class HeatRow:
    """One weekday of the heatmap: its name and its 24 hour cells."""

    day: str
    cells: list[HeatCell]


def window_hours(now_local: datetime | None, span: timedelta | None) -> set[tuple[int, int]]:
    """(weekday, hour) of every local hour from now until now + span (all of them past a week)."""
    if now_local is None or not span:
        return set()
    start = now_local.replace(minute=0, second=0, microsecond=0)
    hours = min(168, int((now_local + span - start) / timedelta(hours=1)) + 1)
    return {((start + timedelta(hours=i)).weekday(), (start + timedelta(hours=i)).hour) for i in range(hours)}


def heat_rows(heatmap: list[list[float]], quiet: QuietHours, next_local: datetime | None,
              now_local: datetime | None = None, deadline: timedelta | None = None) -> list[HeatRow]:
    """The 7×24 weights as table rows: a shade class per cell and a title saying what it means."""
    loc = ui_locale()
    names = day_names()
    states = [quiet.hour_state(h) for h in range(24)]
    window = window_hours(now_local, deadline)
    rows = []
    for d, weights in enumerate(heatmap):
        cells = []
        for h, weight in enumerate(weights):
            title = _("%(day)s %(start)s–%(end)s: %(percent)s of this buyer's peak activity",
                      day=names[d], start=f"{h:02d}:00", end=f"{(h + 1) % 24:02d}:00",
                      percent=format_percent(weight, locale=loc))
            if states[h] == "quiet":
                title += " · " + _("quiet hours")
            elif states[h] == "partly":
                title += " · " + _("partly in quiet hours")
            is_next = bool(next_local and next_local.weekday() == d and next_local.hour == h)
            is_now = bool(now_local and now_local.weekday() == d and now_local.hour == h)
            if is_next:
                title += " · " + _("next good moment")
            if is_now:
                title += " · " + _("now")
            elif (d, h) in window:
                title += " · " + _("within your reply deadline")
            cells.append(HeatCell(h, max(0, min(10, round(weight * 10))), states[h], is_next, title,
                                  (d, h) in window, is_now))
        rows.append(HeatRow(names[d], cells))
    return rows


def source_line(timing: BuyerTiming, country: str) -> str:
    """Where the online pattern comes from, in the panel language."""
    if timing.source == "learned":
        phrase = ngettext("Learned from %(num)d activity event of this buyer",
                          "Learned from %(num)d activity events of this buyer", timing.event_count)
    elif timing.source == "country_default":
        phrase = _("Country default for %(country)s: no activity from this buyer yet",
                   country=country_name(country) or country)
    else:
        phrase = _("Your default pattern: no activity from this buyer yet")
    flat = [w for row in timing.heatmap for w in row]
    if max(flat, default=0) > 0:
        d, h = divmod(flat.index(max(flat)), 24)
        phrase += _("; most active around %(day)s %(hour)s (buyer's time)",
                    day=day_names()[d], hour=f"{h:02d}:00")
    return phrase
