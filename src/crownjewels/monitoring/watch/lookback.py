"""The departure look-back, pure: a person's daily activity over the window (90 days to the
watch's opening) judged against their own baseline (the 90 days before the window) and their
peers' (the same organisation and kind of person, the same window), with the robust figures
of `monitoring.stats`. A day is unusual when it is far above both (robust z ≥ 3.5) and large
enough to matter (the measure's floor); with no peers, their own baseline alone decides."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from crownjewels.monitoring import stats
from crownjewels.monitoring.schemas import Action
from crownjewels.monitoring.watch.schemas import Lookback, MeasureFigures, UnusualDay

#: the look-back reaches this far before the watch opens, and the baseline as far again
WINDOW_DAYS = 90
#: robust standard deviations above a median that make a day unusual
Z_LIMIT = 3.5
#: actions that take something away (a copy leaves with the person)
TAKE_ACTIONS = frozenset(
    {Action.DOWNLOAD, Action.COPY, Action.PRINT, Action.CLONE, Action.EXPORT, Action.SHARE}
)
#: what a day is measured by, in words
MEASURE_WORDS = {
    "events": "actions",
    "taken": "downloads, copies, prints and exports",
    "documents": "distinct documents",
    "bytes": "bytes taken",
}
#: the least a day must reach to be called unusual, and the MAD floor (the measure's unit)
MINIMUM = {"events": 10.0, "taken": 5.0, "documents": 5.0, "bytes": 50e6}
FLOOR = {"events": 1.0, "taken": 1.0, "documents": 1.0, "bytes": 1e6}
MEASURES = tuple(MEASURE_WORDS)
#: which measure tells a day best in words, most telling first
TELLING = ("taken", "documents", "bytes", "events")


@dataclass(frozen=True)
class DayTotals:
    """One person's day: their events, those that took something, the bytes taken and the
    distinct documents taken."""

    events: int = 0
    taken: int = 0
    bytes: int = 0
    documents: int = 0

    def value(self, measure: str) -> float:
        """The day's figure for one measure."""
        return float(getattr(self, measure))


#: (occurred_at, action, bytes, document or resource)
Row = tuple[datetime, str, int | None, str | None]


def daily(rows: Iterable[Row]) -> dict[date, DayTotals]:
    """Events summed per UTC day (what `repository.daily_totals` does in the database)."""
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    things: dict[date, set[str]] = defaultdict(set)
    for at, action, size, thing in rows:
        day = counts[at.date()]
        day[0] += 1
        if action in TAKE_ACTIONS:
            day[1] += 1
            day[2] += size or 0
            if thing:
                things[at.date()].add(thing)
    return {d: DayTotals(c[0], c[1], c[2], len(things[d])) for d, c in counts.items()}


def _series(days: Mapping[date, DayTotals], start: date, end: date, measure: str) -> list[float]:
    """Every day from start to end inclusive, a day without activity counting zero."""
    out: list[float] = []
    day = start
    while day <= end:
        found = days.get(day)
        out.append(found.value(measure) if found else 0.0)
        day += timedelta(days=1)
    return out


def _figure(value: float, measure: str) -> str:
    if measure == "bytes":
        return f"{value / 1e6:,.1f} MB"
    return f"{value:g}"


def _words(value: float, measure: str) -> str:
    if measure == "bytes":
        return f"{_figure(value, measure)} taken"
    return f"{value:g} {MEASURE_WORDS[measure]}"


def assess(
    name: str,
    own: Mapping[date, DayTotals],
    peers: Mapping[str, Mapping[date, DayTotals]],
    *,
    end: date,
    notice_on: date,
) -> Lookback:
    """The look-back of one person: the window is the WINDOW_DAYS days up to `end` (the day
    the watch opens, or the notice if later), their baseline the WINDOW_DAYS days before it."""
    start = end - timedelta(days=WINDOW_DAYS - 1)
    base_start = start - timedelta(days=WINDOW_DAYS)
    base_end = start - timedelta(days=1)
    history = any(base_start <= d <= base_end for d in own)
    figures: list[MeasureFigures] = []
    unusual: list[UnusualDay] = []
    for measure in MEASURES:
        window = _series(own, start, end, measure)
        # no history before the window (new, or past retention): the window is its own
        # baseline; the median and MAD still hold against a burst of up to half of it
        baseline = _series(own, base_start, base_end, measure) if history else window
        own_mid, own_mad = stats.median_mad(baseline)
        pooled = [v for days in peers.values() for v in _series(days, start, end, measure)]
        peer_mid, peer_mad = stats.median_mad(pooled)
        figures.append(
            MeasureFigures(
                measure=measure,
                own_median=own_mid,
                own_mad=own_mad,
                peer_median=peer_mid,
                peer_mad=peer_mad,
                window_total=sum(window),
                window_median=stats.median_mad(window)[0],
            )
        )
        for offset, value in enumerate(window):
            if value < MINIMUM[measure]:
                continue
            z_own = stats.robust_z(value, own_mid, own_mad, FLOOR[measure])
            z_peers = stats.robust_z(value, peer_mid, peer_mad, FLOOR[measure]) if pooled else 0.0
            if z_own >= Z_LIMIT and (not pooled or z_peers >= Z_LIMIT):
                unusual.append(
                    UnusualDay(
                        day=start + timedelta(days=offset),
                        measure=measure,
                        value=value,
                        own_median=own_mid,
                        peer_median=peer_mid,
                        z_own=round(z_own, 1),
                        z_peers=round(z_peers, 1),
                    )
                )
    unusual.sort(key=lambda u: (u.day, MEASURES.index(u.measure)))
    events = int(sum(own[d].events for d in own if start <= d <= end))
    return Lookback(
        start=start,
        end=end,
        baseline_days=WINDOW_DAYS if history else 0,
        peers=len(peers),
        events=events,
        measures=figures,
        unusual_days=unusual,
        summary=_summary(name, unusual, start, end, notice_on, len(peers), history),
    )


def _summary(
    name: str,
    unusual: list[UnusualDay],
    start: date,
    end: date,
    notice_on: date,
    peers: int,
    history: bool,
) -> str:
    """The look-back in words, with its numbers."""
    basis = "their own baseline" if history else "their own window (no earlier history)"
    against = f"{basis} and {peers} peer(s)" if peers else f"{basis} (no peers recorded)"
    head = f"{name}, {start} to {end}, against {against}"
    if not unusual:
        return f"{head}: no unusual day; notice of departure given on {notice_on}."
    days = sorted({u.day for u in unusual})
    # the day furthest above their own baseline, told by what was taken when anything was
    top = max(unusual, key=lambda u: u.z_own).day
    worst = min((u for u in unusual if u.day == top), key=lambda u: TELLING.index(u.measure))
    peers_part = f", their peers' {_figure(worst.peer_median, worst.measure)}" if peers else ""
    return (
        f"{head}: {len(days)} unusual day(s) ({', '.join(str(d) for d in days[:5])}"
        f"{' …' if len(days) > 5 else ''}); the largest on {worst.day}: "
        f"{_words(worst.value, worst.measure)} (their daily median "
        f"{_figure(worst.own_median, worst.measure)}{peers_part}); "
        f"notice of departure given on {notice_on}."
    )
