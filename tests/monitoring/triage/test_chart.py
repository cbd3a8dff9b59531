"""The activity chart's numbers and geometry: each day against the days before it, the
threshold from the median and MAD, the y axis's round top, bars inside the view box."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crownjewels.monitoring.triage import chart

DAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("median", "mad", "expected"),
    [
        (0.0, 0.0, 3.5),  # a silent history: the spread floors at one event
        (2.0, 0.0, 5.5),
        (10.0, 2.0, 10 + 3.5 * 1.4826 * 2),
    ],
)
def test_threshold(median: float, mad: float, expected: float) -> None:
    assert chart.threshold(median, mad) == pytest.approx(expected)


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7.2, 10), (48, 50), (51, 100)])
def test_the_axis_top_is_round(value: float, top: int) -> None:
    assert chart._ceiling(value) == top


def test_each_day_is_judged_against_the_days_before_it() -> None:
    counts = {DAY - timedelta(days=k): 2 for k in range(1, 31)} | {DAY: 48}
    shown = [DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]
    before, burst, after = chart.activity_days(counts, shown, flagged={DAY})
    assert (before.count, before.median, before.flagged) == (2, 2.0, False)
    assert (burst.count, burst.median, burst.mad, burst.flagged) == (48, 2.0, 0.0, True)
    assert burst.count > burst.threshold
    # the burst is one day of thirty: the median it raises the next day against stays 2
    assert after.median == 2.0 and after.count == 0


def test_the_geometry_stays_inside_the_view_box() -> None:
    days = chart.activity_days({DAY: 9}, [DAY - timedelta(days=k) for k in (2, 1, 0)], {DAY})
    drawn = chart.geometry(days)
    assert drawn.top == 10 and len(drawn.bars) == 3
    tall = drawn.bars[-1]
    assert tall.flagged and tall.count == 9
    assert tall.y >= chart.TOP and tall.y + tall.height == pytest.approx(drawn.baseline_y)
    assert all(b.x >= chart.LEFT and b.x + b.width <= chart.WIDTH - chart.RIGHT for b in drawn.bars)
    assert [t.text for t in drawn.y_ticks] == ["0", "5", "10"]
    assert len(drawn.median_points.split()) == 3
    assert chart.geometry([]).bars == []
