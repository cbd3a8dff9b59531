"""The look-back's pure rule: a day far above the person's own baseline and their peers' is
unusual, with its numbers in words; what peers do every day is not; a person without history
is judged against their own window; and the review periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crownjewels.core.errors import Invalid
from crownjewels.monitoring.watch import lookback
from crownjewels.monitoring.watch.lookback import DayTotals
from crownjewels.monitoring.watch.reviews import period_before

END = date(2026, 11, 28)


def _days(start: date, count: int, taken: int, events: int | None = None) -> dict[date, DayTotals]:
    return {
        start + timedelta(days=d): DayTotals(
            events=events if events is not None else taken,
            taken=taken,
            bytes=taken * 1000,
            documents=taken,
        )
        for d in range(count)
    }


def test_a_burst_far_above_own_and_peers_baseline_is_an_unusual_day() -> None:
    own = _days(END - timedelta(days=179), 180, 2)
    own[END - timedelta(days=3)] = DayTotals(events=48, taken=48, bytes=48_000, documents=48)
    peers = {
        "p1": _days(END - timedelta(days=89), 90, 3),
        "p2": _days(END - timedelta(days=89), 90, 3),
    }
    found = lookback.assess("Rohan Gupta", own, peers, end=END, notice_on=END)
    assert found.start == END - timedelta(days=89) and found.baseline_days == 90
    days = {(u.day, u.measure) for u in found.unusual_days}
    assert (END - timedelta(days=3), "taken") in days
    assert (END - timedelta(days=3), "documents") in days
    taken = next(u for u in found.unusual_days if u.measure == "taken")
    assert taken.value == 48 and taken.own_median == 2 and taken.peer_median == 3
    assert "1 unusual day(s)" in found.summary
    assert "48 downloads, copies, prints and exports" in found.summary
    assert "their daily median 2" in found.summary and "their peers' 3" in found.summary
    assert "notice of departure given on 2026-11-28" in found.summary


def test_what_peers_do_every_day_is_not_unusual() -> None:
    own = _days(END - timedelta(days=179), 180, 0, events=0)
    own[END - timedelta(days=1)] = DayTotals(events=20, taken=20, documents=20)
    peers = {f"p{i}": _days(END - timedelta(days=89), 90, 20) for i in range(3)}
    found = lookback.assess("Dana", own, peers, end=END, notice_on=END)
    assert found.unusual_days == []
    assert "no unusual day" in found.summary


def test_a_small_day_is_never_unusual_however_quiet_the_baseline() -> None:
    own = {END - timedelta(days=2): DayTotals(events=3, taken=3, documents=3)}
    found = lookback.assess("Quiet", own, {}, end=END, notice_on=END)
    assert found.unusual_days == []


def test_without_history_the_window_is_its_own_baseline() -> None:
    own = _days(END - timedelta(days=29), 30, 1)
    own[END] = DayTotals(events=40, taken=40, documents=40)
    found = lookback.assess("New joiner", own, {}, end=END, notice_on=END)
    assert found.baseline_days == 0 and found.peers == 0
    assert {u.day for u in found.unusual_days} == {END}
    assert "no earlier history" in found.summary and "no peers recorded" in found.summary


def test_daily_counts_takes_bytes_and_distinct_documents() -> None:
    moment = datetime(2026, 11, 1, 10, tzinfo=UTC)
    days = lookback.daily(
        [
            (moment, "download", 500, "doc-1"),
            (moment, "download", 700, "doc-1"),
            (moment, "view", None, "doc-2"),
        ]
    )
    day = days[date(2026, 11, 1)]
    assert (day.events, day.taken, day.bytes, day.documents) == (3, 2, 1200, 1)


@pytest.mark.parametrize(
    ("today", "months", "period"),
    [
        (date(2026, 12, 7), 1, (date(2026, 11, 1), date(2026, 11, 30))),
        (date(2026, 1, 15), 1, (date(2025, 12, 1), date(2025, 12, 31))),
        (date(2026, 3, 1), 1, (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2026, 4, 2), 3, (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 3, 31), 3, (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2026, 7, 1), 12, (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_the_period_reviewed_is_the_last_complete_one(
    today: date, months: int, period: tuple[date, date]
) -> None:
    assert period_before(today, months) == period


def test_a_period_of_more_than_a_year_is_refused() -> None:
    with pytest.raises(Invalid, match="1 to 12 months"):
        period_before(date(2026, 1, 1), 13)
