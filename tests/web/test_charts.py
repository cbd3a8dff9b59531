"""The donut's geometry: segments in order from twelve o'clock, each as long as its share,
zeros left out, each count printed on the middle of its arc."""

from __future__ import annotations

import pytest

from crownjewels.web.charts import CENTRE, RADIUS, donut, share


def test_one_segment_is_the_whole_ring_labelled_at_six_oclock() -> None:
    (only,) = donut([("a", 3), ("b", 0)])
    assert only.dash == "100.000 0.000" and only.offset == 25
    assert (only.label_x, only.label_y) == (CENTRE, round(CENTRE + RADIUS, 2))


def test_segments_follow_each_other_clockwise() -> None:
    first, second = donut([("a", 1), ("b", 3)])
    assert (first.dash, first.offset) == ("25.000 75.000", 25)
    assert (second.dash, second.offset) == ("75.000 25.000", 0)
    # a quarter from twelve: its middle is at half past one, on the right of the centre
    assert first.label_x > CENTRE and first.label_y < CENTRE
    assert second.label_x < CENTRE


def test_nothing_to_draw() -> None:
    assert donut([("a", 0)]) == []


@pytest.mark.parametrize(("part", "whole", "expected"), [(0, 0, 0.0), (1, 4, 25.0), (2, 3, 66.67)])
def test_share(part: int, whole: int, expected: float) -> None:
    assert share(part, whole) == expected
