"""The deadlines of EU Directive 2019/1937 Art. 9(1)(b) and (f), month ends included, and the
follow-up code: its shape, its entropy and how it is typed back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crownjewels.incidents.reports import rules

T = datetime(2026, 1, 10, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "acknowledged", "ack_due", "feedback_due"),
    [
        # not acknowledged: three months from the end of the seven days
        (
            T,
            None,
            datetime(2026, 1, 17, 9, 30, tzinfo=UTC),
            datetime(2026, 4, 17, 9, 30, tzinfo=UTC),
        ),
        # acknowledged on day 2: three months from then (earlier than without)
        (T, datetime(2026, 1, 12, 8, tzinfo=UTC), None, datetime(2026, 4, 12, 8, tzinfo=UTC)),
        # acknowledged late, on day 15: the clock moves with it, as the article reads
        (T, datetime(2026, 1, 25, 8, tzinfo=UTC), None, datetime(2026, 4, 25, 8, tzinfo=UTC)),
        # the seven days end on 30 November: three months later is the last day of February
        (
            datetime(2026, 11, 23, 12, tzinfo=UTC),
            None,
            datetime(2026, 11, 30, 12, tzinfo=UTC),
            datetime(2027, 2, 28, 12, tzinfo=UTC),
        ),
        # into a leap year's February
        (
            datetime(2027, 11, 24, tzinfo=UTC),
            None,
            datetime(2027, 12, 1, tzinfo=UTC),
            datetime(2028, 3, 1, tzinfo=UTC),
        ),
        (
            datetime(2027, 11, 23, tzinfo=UTC),
            datetime(2027, 11, 30, tzinfo=UTC),
            None,
            datetime(2028, 2, 29, tzinfo=UTC),
        ),
    ],
)
def test_the_deadlines(
    received: datetime,
    acknowledged: datetime | None,
    ack_due: datetime | None,
    feedback_due: datetime,
) -> None:
    if ack_due is not None:
        assert rules.acknowledgement_due(received) == ack_due
    assert rules.feedback_due(received, acknowledged) == feedback_due


def test_overdue_only_while_nothing_is_done_and_the_report_is_open() -> None:
    late = datetime(2026, 1, 20, tzinfo=UTC)
    open_ = rules.deadlines(
        received_at=T, acknowledged_at=None, feedback_at=None, closed=False, now=late
    )
    assert open_.acknowledgement_overdue and not open_.feedback_overdue
    closed = rules.deadlines(
        received_at=T, acknowledged_at=None, feedback_at=None, closed=True, now=late
    )
    assert not closed.acknowledgement_overdue
    acknowledged = rules.deadlines(
        received_at=T, acknowledged_at=late, feedback_at=None, closed=False, now=late
    )
    assert acknowledged.acknowledged_late and not acknowledged.acknowledgement_overdue
    much_later = datetime(2026, 5, 1, tzinfo=UTC)
    waiting = rules.deadlines(
        received_at=T, acknowledged_at=late, feedback_at=None, closed=False, now=much_later
    )
    assert waiting.feedback_overdue


def test_a_code_is_sixteen_symbols_of_crockford_base32_in_groups() -> None:
    codes = {rules.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(rules.ALPHABET)


@given(st.text(alphabet=rules.ALPHABET, min_size=16, max_size=16))
def test_a_code_is_typed_back_however_it_was_written_down(raw: str) -> None:
    grouped = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    sloppy = " ".join(raw[i : i + 4] for i in range(0, 16, 4)).lower().replace("0", "o")
    sloppy = sloppy.replace("1", "l")
    assert rules.code_hash(sloppy) == rules.code_hash(grouped) == rules.code_hash(raw)
    assert len(rules.code_hash(raw)) == 64
