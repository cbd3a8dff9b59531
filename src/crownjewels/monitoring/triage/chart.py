"""The person's activity by day against their baseline, as numbers and as the geometry of an
inline SVG chart (no script, no library; web/charts.py draws the dashboard the same way).

Each day's baseline is the median and MAD of the `HISTORY` days before it (monitoring.stats):
robust to the bursts being looked for, so a day of 48 downloads does not raise the bar the
next day is judged against. The threshold drawn is the median plus `Z` robust standard
deviations, the usual point past which a day reads as unusual."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from crownjewels.monitoring.stats import MAD_SCALE, median_mad
from crownjewels.monitoring.triage.schemas import ActivityDay

#: days of history each day's baseline is computed over
HISTORY = 30
#: robust standard deviations above the median where the drawn threshold sits
Z = 3.5

#: the view box and the plot's margins (left for the axis labels, bottom for the dates)
WIDTH, HEIGHT = 640.0, 220.0
LEFT, RIGHT, TOP, BOTTOM = 36.0, 8.0, 10.0, 22.0


def threshold(median: float, mad: float) -> float:
    """The median plus Z robust standard deviations (the spread floored at one event)."""
    return median + Z * max(MAD_SCALE * mad, 1.0)


def activity_days(
    counts: Mapping[date, int], shown: Sequence[date], flagged: set[date]
) -> list[ActivityDay]:
    """Each shown day's count and the baseline of the HISTORY days before it (days with no
    event count as zero: a quiet day is part of a person's habit)."""
    out = []
    for day in shown:
        history = [float(counts.get(day - timedelta(days=k), 0)) for k in range(1, HISTORY + 1)]
        centre, mad = median_mad(history)
        out.append(
            ActivityDay(
                day=day,
                count=counts.get(day, 0),
                median=centre,
                mad=mad,
                threshold=round(threshold(centre, mad), 2),
                flagged=day in flagged,
            )
        )
    return out


@dataclass(frozen=True)
class Bar:
    """One day's bar: where it is drawn, and what its tooltip says."""

    x: float
    y: float
    width: float
    height: float
    day: date
    count: int
    flagged: bool


@dataclass(frozen=True)
class Tick:
    """A label on an axis and where it sits."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    """Everything the template draws: bars, the median and threshold lines, the axes."""

    width: float
    height: float
    bars: list[Bar]
    median_points: str
    threshold_points: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    baseline_y: float
    top: float


def _ceiling(value: float) -> int:
    """A round top for the y axis at or above `value` (1, 2, 5, 10, 20, 50 …)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def geometry(days: Sequence[ActivityDay]) -> Chart:
    """The chart of these days: one bar per day, the median and the threshold as lines."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _ceiling(max([1.0, *(d.count for d in days), *(d.threshold for d in days)]))
    slot = plot_w / max(len(days), 1)

    def y_of(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top), 2)

    bars, median_pts, threshold_pts = [], [], []
    for i, d in enumerate(days):
        centre = LEFT + slot * (i + 0.5)
        y = y_of(d.count)
        bars.append(
            Bar(
                x=round(centre - slot * 0.35, 2),
                y=y,
                width=round(slot * 0.7, 2),
                height=round(TOP + plot_h - y, 2),
                day=d.day,
                count=d.count,
                flagged=d.flagged,
            )
        )
        median_pts.append(f"{centre:.2f},{y_of(d.median)}")
        threshold_pts.append(f"{centre:.2f},{y_of(d.threshold)}")
    y_ticks = [Tick(x=LEFT - 4, y=y_of(v), text=str(v)) for v in sorted({0, top // 2, top})]
    picks = sorted({0, len(days) // 2, len(days) - 1}) if days else []
    x_ticks = [
        Tick(x=round(LEFT + slot * (i + 0.5), 2), y=HEIGHT - 6, text=days[i].day.strftime("%d %b"))
        for i in picks
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        median_points=" ".join(median_pts),
        threshold_points=" ".join(threshold_pts),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        baseline_y=round(TOP + plot_h, 2),
        top=top,
    )
