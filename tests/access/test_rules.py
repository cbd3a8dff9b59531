"""The pure grant rules: the longest expiry per tier (at its boundary), the allowed status
moves and the status a grant should hold at a given time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crownjewels.access.rules import MAX_DAYS, GrantStatus, applies, can_move, status_at
from crownjewels.access.rules import why_bad_expiry as why

S = GrantStatus
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tier", "days", "ok"),
    [
        ("highly-sensitive", 90, True),
        ("highly-sensitive", 91, False),
        ("sensitive", 180, True),
        ("sensitive", 181, False),
        ("confidential", 365, True),
        ("confidential", 366, False),
        ("unknown-tier", MAX_DAYS["highly-sensitive"], True),
        ("unknown-tier", MAX_DAYS["highly-sensitive"] + 1, False),
    ],
)
def test_expiry_at_most_the_tier_maximum(tier: str, days: int, ok: bool) -> None:
    result = why(tier, START, START + timedelta(days=days))
    assert (result is None) is ok
    if not ok:
        assert result is not None and f"at most {MAX_DAYS.get(tier, 90)} days" in result


def test_expiry_one_second_past_the_maximum_is_refused() -> None:
    assert why("sensitive", START, START + timedelta(days=180, seconds=1)) is not None


@pytest.mark.parametrize(
    ("expires", "words"),
    [(None, "needs an expiry"), (START, "must come after"), (START - timedelta(1), "after")],
)
def test_expiry_missing_or_not_after_the_start(expires: datetime | None, words: str) -> None:
    result = why("confidential", START, expires)
    assert result is not None and words in result


MOVES = [
    (S.REQUESTED, S.APPROVED, True),
    (S.REQUESTED, S.ACTIVE, True),
    (S.REQUESTED, S.DENIED, True),
    (S.REQUESTED, S.SUSPENDED, False),
    (S.APPROVED, S.ACTIVE, True),
    (S.APPROVED, S.DENIED, False),
    (S.ACTIVE, S.SUSPENDED, True),
    (S.ACTIVE, S.REVOKED, True),
    (S.ACTIVE, S.REQUESTED, False),
    (S.SUSPENDED, S.ACTIVE, True),
    (S.SUSPENDED, S.REVOKED, True),
    (S.DENIED, S.ACTIVE, False),
    (S.EXPIRED, S.ACTIVE, False),
    (S.REVOKED, S.ACTIVE, False),
    (S.REVOKED, S.SUSPENDED, False),
]


@pytest.mark.parametrize(("current", "new", "ok"), MOVES)
def test_can_move(current: GrantStatus, new: GrantStatus, ok: bool) -> None:
    assert can_move(current, new) is ok


def test_final_statuses_go_nowhere() -> None:
    for final in (S.DENIED, S.EXPIRED, S.REVOKED):
        assert not any(can_move(final, s) for s in S)


END = START + timedelta(days=30)


@pytest.mark.parametrize(
    ("status", "at", "expected"),
    [
        (S.APPROVED, START - timedelta(seconds=1), S.APPROVED),
        (S.APPROVED, START, S.ACTIVE),
        (S.ACTIVE, END - timedelta(seconds=1), S.ACTIVE),
        (S.ACTIVE, END, S.EXPIRED),
        (S.APPROVED, END, S.EXPIRED),
        (S.SUSPENDED, START + timedelta(1), S.SUSPENDED),
        (S.SUSPENDED, END, S.EXPIRED),
        (S.REQUESTED, END, S.REQUESTED),
        (S.REVOKED, END, S.REVOKED),
        (S.DENIED, START, S.DENIED),
    ],
)
def test_status_at(status: GrantStatus, at: datetime, expected: GrantStatus) -> None:
    assert status_at(status, START, END, at=at) == expected


@pytest.mark.parametrize(
    ("status", "at", "ok"),
    [
        (S.ACTIVE, START, True),
        (S.ACTIVE, END, False),
        (S.APPROVED, START - timedelta(seconds=1), False),
        (S.SUSPENDED, START + timedelta(1), False),
        (S.REQUESTED, START + timedelta(1), False),
    ],
)
def test_applies_start_inclusive_expiry_exclusive(
    status: GrantStatus, at: datetime, ok: bool
) -> None:
    assert applies(status, START, END, at=at) is ok
