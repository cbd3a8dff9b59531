"""The pure rules of vendor profiles, by tables."""

from __future__ import annotations

from datetime import date

import pytest

from crownjewels.vendors import rules
from crownjewels.vendors.rules import Link
from crownjewels.vendors.schemas import CertState, Criticality, VendorStatus

S = VendorStatus
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("criticality", "requested", "months"),
    [
        (Criticality.CRITICAL, None, 6),
        (Criticality.HIGH, None, 12),
        (Criticality.MEDIUM, None, 24),
        (Criticality.LOW, None, 36),
        (Criticality.LOW, 3, 3),
    ],
)
def test_cadence(criticality: Criticality, requested: int | None, months: int) -> None:
    assert rules.cadence_for(criticality, requested) == months


@pytest.mark.parametrize(
    ("old", "new", "current", "expected"),
    [
        (Criticality.MEDIUM, Criticality.CRITICAL, 24, 6),  # the default follows the tier
        (Criticality.MEDIUM, Criticality.CRITICAL, 9, 9),  # a chosen cadence is kept
        (Criticality.CRITICAL, Criticality.LOW, 6, 36),
    ],
)
def test_cadence_after_change(
    old: Criticality, new: Criticality, current: int, expected: int
) -> None:
    assert rules.cadence_after_change(old, new, current) == expected


@pytest.mark.parametrize(
    ("after", "months", "expected"),
    [
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 12, 1), 12, date(2027, 12, 1)),
        (date(2026, 11, 30), 1, date(2026, 12, 30)),
        (date(2026, 1, 31), 36, date(2029, 1, 31)),
    ],
)
def test_next_review(after: date, months: int, expected: date) -> None:
    assert rules.next_review(after, months) == expected


@pytest.mark.parametrize(
    ("next_on", "status", "due"),
    [
        (date(2026, 11, 30), S.ACTIVE, True),
        (TODAY, S.ACTIVE, True),
        (date(2026, 12, 2), S.ACTIVE, False),
        (date(2026, 1, 1), S.OFFBOARDED, False),
        (date(2026, 1, 1), S.PROSPECT, True),
    ],
)
def test_review_due(next_on: date, status: VendorStatus, due: bool) -> None:
    assert rules.review_due(next_on, status, on=TODAY) is due


@pytest.mark.parametrize(
    ("expires", "state"),
    [
        (None, CertState.NO_EXPIRY),
        (date(2026, 11, 30), CertState.EXPIRED),
        (TODAY, CertState.EXPIRING),  # valid through its last day
        (date(2027, 1, 30), CertState.EXPIRING),  # 60 days ahead
        (date(2027, 1, 31), CertState.VALID),  # 61 days ahead
        (date(2029, 1, 1), CertState.VALID),
    ],
)
def test_certification_state(expires: date | None, state: CertState) -> None:
    assert rules.certification_state(expires, on=TODAY) == state


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (S.PROSPECT, S.ONBOARDING, True),
        (S.PROSPECT, S.ACTIVE, False),
        (S.PROSPECT, S.OFFBOARDED, True),
        (S.ONBOARDING, S.ACTIVE, True),
        (S.ONBOARDING, S.SUSPENDED, False),
        (S.ACTIVE, S.SUSPENDED, True),
        (S.ACTIVE, S.ONBOARDING, False),
        (S.ACTIVE, S.ACTIVE, False),
        (S.SUSPENDED, S.ACTIVE, True),
        (S.SUSPENDED, S.OFFBOARDED, True),
        (S.OFFBOARDED, S.ACTIVE, False),
        (S.OFFBOARDED, S.PROSPECT, True),
    ],
)
def test_transitions(current: VendorStatus, new: VendorStatus, allowed: bool) -> None:
    refusal = rules.transition_refusal(current, new)
    assert (refusal is None) is allowed
    if refusal:
        assert "can become" in refusal or "already" in refusal


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        (S.ACTIVE, S.ONBOARDING, "an active vendor cannot become onboarding"),
        (S.PROSPECT, S.ACTIVE, "a prospect vendor cannot become active (a vendor becomes active "
         "only after onboarding (or back from suspension)); it can become: offboarded, onboarding"),
        (S.OFFBOARDED, S.OFFBOARDED, "the vendor is already offboarded"),
    ],
)  # fmt: skip
def test_refusals_say_why(current: VendorStatus, new: VendorStatus, message: str) -> None:
    refusal = rules.transition_refusal(current, new)
    assert refusal is not None and refusal.startswith(message)


@pytest.mark.parametrize(
    ("new", "activated", "offboarded", "expected"),
    [
        (S.ACTIVE, None, None, (TODAY, None)),
        (S.ACTIVE, date(2025, 1, 1), None, (date(2025, 1, 1), None)),  # first activation kept
        (S.OFFBOARDED, date(2025, 1, 1), None, (date(2025, 1, 1), TODAY)),
        (S.PROSPECT, date(2025, 1, 1), date(2026, 1, 1), (None, date(2026, 1, 1))),
        (S.SUSPENDED, date(2025, 1, 1), None, (date(2025, 1, 1), None)),
    ],
)
def test_status_dates(
    new: VendorStatus,
    activated: date | None,
    offboarded: date | None,
    expected: tuple[date | None, date | None],
) -> None:
    assert (
        rules.status_dates(new, on=TODAY, activated_on=activated, offboarded_on=offboarded)
        == expected
    )


CHAIN = [Link("a", "b", ()), Link("b", "c", ("VN",)), Link("a", "d", ()), Link("d", "c", ())]


@pytest.mark.parametrize(
    ("links", "start", "walk"),
    [
        ([], "a", []),
        ([Link("a", "b")], "a", [(1, "a", "b", False)]),
        (
            CHAIN,
            "a",
            # c is reached twice (via b and via d) but expanded once
            [(1, "a", "b", False), (2, "b", "c", False), (1, "a", "d", False),
             (2, "d", "c", False)],
        ),
        (
            [Link("a", "b"), Link("b", "a")],  # a cycle already in the data: marked, not followed
            "a",
            [(1, "a", "b", False), (2, "b", "a", True)],
        ),
        ([Link("a", "a")], "a", [(1, "a", "a", True)]),
    ],
)  # fmt: skip
def test_walk_chain(links: list[Link], start: str, walk: list[tuple[int, str, str, bool]]) -> None:
    got = [(s.depth, s.link.vendor, s.link.sub, s.cycle) for s in rules.walk_chain(start, links)]
    assert got == walk


@pytest.mark.parametrize(
    ("vendor", "sub", "path"),
    [
        ("a", "a", ["a", "a"]),
        ("c", "a", ["c", "a", "b", "c"]),  # a -> b -> c already: c -> a closes it
        ("a", "c", None),  # a second route to c is no cycle
        ("x", "a", None),
        ("d", "b", None),
    ],
)
def test_cycle_path(vendor: str, sub: str, path: list[str] | None) -> None:
    got = rules.cycle_path(vendor, sub, [Link("a", "b"), Link("b", "c"), Link("a", "d")])
    assert got == path


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("a", ["DE", "IN", "PL", "US", "VN"]),  # b's link to c names VN only; d's brings c's all
        ("b", ["IN", "VN"]),
        ("c", ["PL", "VN"]),
        ("z", []),
    ],
)
def test_exposure(start: str, expected: list[str]) -> None:
    own = {"a": ["US"], "b": ["IN"], "c": ["VN", "PL"], "d": ["DE"]}
    assert rules.exposure(start, own, CHAIN) == expected
