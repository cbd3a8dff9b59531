"""Table tests of the pure training rules."""

from __future__ import annotations

from datetime import date

import pytest

from crownjewels.training import rules
from crownjewels.training.rules import CompletionFacts, CourseFacts

D = date(2026, 6, 1)
TS = CourseFacts("c1", "TS-101", "Trade-secret handling", "all")
SEC = CourseFacts("c2", "SEC-201", "Security awareness", "employees")
VC = CourseFacts("c3", "VC-01", "Vendor workshop", "vendor-staff")
OPT = CourseFacts("c4", "PH-01", "Phishing", "none")
RETIRED = CourseFacts("c5", "OLD", "Old", "all", active=False)


@pytest.mark.parametrize(
    ("completion", "on", "current"),
    [
        (CompletionFacts("c1", D, date(2026, 12, 1), True), date(2026, 12, 1), True),  # last day
        (CompletionFacts("c1", D, date(2026, 12, 1), True), date(2026, 12, 2), False),
        (CompletionFacts("c1", D, None, True), date(2030, 1, 1), True),  # never expires
        (CompletionFacts("c1", D, None, False), D, False),  # failed
        (CompletionFacts("c1", D, None, True), date(2026, 5, 31), False),  # not yet done
    ],
)
def test_is_current(completion: CompletionFacts, on: date, current: bool) -> None:
    assert rules.is_current(completion, on=on) is current


@pytest.mark.parametrize(
    ("course", "kind", "required"),
    [
        (TS, "employee", True),
        (TS, "vendor-staff", True),
        (SEC, "employee", True),
        (SEC, "contractor", True),
        (SEC, "vendor-staff", False),
        (VC, "vendor-staff", True),
        (VC, "employee", False),
        (OPT, "employee", False),
        (RETIRED, "employee", False),
    ],
)
def test_required_of(course: CourseFacts, kind: str, required: bool) -> None:
    assert rules.required_of(course, kind) is required


def test_missing_names_the_lapsed_and_the_never_done() -> None:
    done = [
        CompletionFacts("c1", date(2025, 1, 1), date(2026, 1, 1), True),  # lapsed
        CompletionFacts("c3", date(2026, 5, 1), date(2028, 5, 1), True),  # current
    ]
    out = rules.missing([TS, SEC, VC, OPT], done, "vendor-staff", on=D)
    assert [(c.code, expired) for c, expired in out] == [("TS-101", date(2026, 1, 1))]
    out = rules.missing([TS, SEC, VC, OPT], [], "employee", on=D)
    assert [(c.code, expired) for c, expired in out] == [("TS-101", None), ("SEC-201", None)]


def test_expiry_adds_the_validity() -> None:
    assert rules.expiry(D, 365) == date(2027, 6, 1)
    assert rules.expiry(D, None) is None


@pytest.mark.parametrize(
    ("completions", "current", "expires_on", "lapsing"),
    [
        ([], False, None, False),  # never done
        ([CompletionFacts("c1", D, date(2026, 6, 30), True)], True, date(2026, 6, 30), True),
        ([CompletionFacts("c1", D, date(2026, 7, 1), True)], True, date(2026, 7, 1), False),
        ([CompletionFacts("c1", D, None, True)], True, None, False),  # never expires
        # the latest current completion counts; an expired or failed one does not
        (
            [
                CompletionFacts("c1", date(2025, 1, 1), date(2026, 1, 1), True),
                CompletionFacts("c1", D, date(2026, 6, 10), True),
                CompletionFacts("c1", D, date(2027, 6, 1), False),
            ],
            True,
            date(2026, 6, 10),
            True,
        ),
        ([CompletionFacts("c1", date(2025, 1, 1), date(2026, 1, 1), True)], False, None, False),
    ],
)
def test_standing_of_a_required_course(
    completions: list[CompletionFacts], current: bool, expires_on: date | None, lapsing: bool
) -> None:
    [held] = rules.standing([TS, OPT], completions, "employee", on=D, lapsing_days=30)
    assert (held.course, held.current, held.expires_on, held.lapsing) == (
        TS,
        current,
        expires_on,
        lapsing,
    )


def test_a_vendors_people_count_as_vendor_staff() -> None:
    assert rules.kind_of("employee", "vendor") == "vendor-staff"
    assert rules.kind_of("contractor", "subsidiary") == "contractor"
