"""Robust statistics for baselines: the median and the median absolute deviation (MAD) of a
window of daily values, and how far a value lies from them.

Why these: a person's daily activity is skewed and bursty; the mean and standard deviation
are dragged by the very bursts we look for, the median and MAD are not (each tolerates up to
half the window being outliers). 1.4826 × MAD estimates the standard deviation of normal
data, so a robust z of 3.5 reads like "3.5 standard deviations"."""

from __future__ import annotations

from collections.abc import Iterable

#: 1 / Φ⁻¹(3/4): scales the MAD to the standard deviation of normally distributed values
MAD_SCALE = 1.4826


def median_mad(values: Iterable[float]) -> tuple[float, float]:
    """The median and the (unscaled) median absolute deviation; (0, 0) for no values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0, 0.0
    centre = _middle(ordered)
    # baselines are recomputed for every subject-day: one sort of the values and one of
    # their deviations, without the statistics module's per-call overhead
    return centre, _middle(sorted([abs(value - centre) for value in ordered]))


def _middle(ordered: list[float]) -> float:
    n = len(ordered)
    half = n // 2
    if n % 2:
        return float(ordered[half])
    return (ordered[half - 1] + ordered[half]) / 2


def robust_z(value: float, centre: float, mad: float, floor: float = 1.0) -> float:
    """How many robust standard deviations `value` lies above `centre`. The MAD is floored
    (`floor`, in the value's unit) so that a perfectly regular history (MAD 0) does not make
    every small change infinite."""
    spread = max(MAD_SCALE * mad, floor)
    return (value - centre) / spread
