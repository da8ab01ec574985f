"""Bar charts as plain SVG geometry (the panel's CSP allows no inline style, and no chart library is
loaded): send times across the 24 hours, emails sent per day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Iterable

PLOT_HEIGHT = 100  # the tallest bar, in SVG units
BAR, GAP = 16, 4
LABEL_SPACE = 16  # under the bars, for the axis labels


@dataclass(frozen=True)
class Bar:
    """One bar: where it is drawn, its axis label (empty when skipped) and the tooltip."""

    x: int
    y: int
    width: int
    height: int
    label: str
    title: str
    value: int


@dataclass(frozen=True)
class Chart:
    """A bar chart's bars and its SVG size."""

    bars: list[Bar]
    width: int
    height: int
    total: int

    @property
    def label_y(self) -> int:
        return PLOT_HEIGHT + LABEL_SPACE - 4


def bar_chart(points: Iterable[tuple[str, int, str]], label_every: int = 1) -> Chart:
    """(axis label, value, tooltip) per bar → a chart scaled to its highest bar."""
    points = list(points)
    peak = max((value for _, value, _ in points), default=0)
    bars = []
    for i, (label, value, title) in enumerate(points):
        # A non-zero bar is at least 2 units tall so that one email still shows.
        height = 0 if not peak or not value else max(2, round(value / peak * PLOT_HEIGHT))
        bars.append(Bar(i * (BAR + GAP), PLOT_HEIGHT - height, BAR, height,
                        label if i % label_every == 0 else "", title, value))
    width = max(len(points) * (BAR + GAP) - GAP, BAR)
    return Chart(bars, width, PLOT_HEIGHT + LABEL_SPACE, sum(v for _, v, _ in points))


def hours_chart(hours: list[int], title: Callable[[str, int], str]) -> Chart:
    """24 bars, one per hour; title(hour, count) is each bar's tooltip."""
    return bar_chart(((f"{h:02d}", n, title(f"{h:02d}:00", n)) for h, n in enumerate(hours)), label_every=3)


def days_chart(days: dict[str, int], title: Callable[[str, int], str]) -> Chart:
    """One bar per day from the first to the last with a count (days between shown empty)."""
    if not days:
        return bar_chart([])
    first, last = date.fromisoformat(min(days)), date.fromisoformat(max(days))
    span = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    every = max(1, len(span) // 10)
    return bar_chart(((d[5:], days.get(d, 0), title(d, days.get(d, 0))) for d in span),
                     label_every=every)
