"""Chart geometry for server-rendered inline SVG (no script, no library): a donut's segments
with the point where each prints its count, and a bar's share of its track."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: the donut's ring on a 42 × 42 view box: a circumference of 100, so lengths are percents
RADIUS = 100 / (2 * math.pi)
CENTRE = 21.0


@dataclass(frozen=True)
class Segment:
    """One slice of a donut: its key (a tier), its count, and how to draw and label it."""

    key: str
    count: int
    dash: str
    offset: float
    label_x: float
    label_y: float


def donut(counts: list[tuple[str, int]]) -> list[Segment]:
    """The segments of a donut of these counts, clockwise from the top, skipping zeros; each
    label sits on the middle of its arc."""
    total = sum(c for _, c in counts)
    out: list[Segment] = []
    start = 0.0
    for key, count in counts:
        if count <= 0:
            continue
        share = 100 * count / total
        middle = (start + share / 2) / 100 * 2 * math.pi
        out.append(
            Segment(
                key=key,
                count=count,
                dash=f"{share:.3f} {100 - share:.3f}",
                # SVG draws from three o'clock: an offset of 25 starts at twelve
                offset=round(25 - start, 3),
                label_x=round(CENTRE + RADIUS * math.sin(middle), 2),
                label_y=round(CENTRE - RADIUS * math.cos(middle), 2),
            )
        )
        start += share
    return out


def share(part: int, whole: int) -> float:
    """`part` as a percent of `whole` (0 when there is nothing), for a bar's width."""
    return round(100 * part / whole, 2) if whole else 0.0
