"""Pure training rules: when a completion is current, which courses a person must hold, and
what a person is missing on a date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

EMPLOYEE_KINDS = frozenset({"employee", "contractor"})
#: a current course "lapses" when it stops counting within this many days
LAPSING_DAYS = 30


@dataclass(frozen=True)
class CourseFacts:
    """What the rules read of a course."""

    id: str
    code: str
    name: str
    required_for: str
    active: bool = True


@dataclass(frozen=True)
class CompletionFacts:
    """What the rules read of a completion."""

    course_id: str
    completed_on: date
    expires_on: date | None
    passed: bool


def expiry(completed_on: date, validity_days: int | None) -> date | None:
    """The last day a completion counts (None: it never expires)."""
    return completed_on + timedelta(days=validity_days) if validity_days else None


def is_current(c: CompletionFacts, *, on: date) -> bool:
    """A passed completion counts from its date through its expiry day (inclusive)."""
    return c.passed and c.completed_on <= on and (c.expires_on is None or on <= c.expires_on)


def required_of(course: CourseFacts, person_kind: str) -> bool:
    """Whether an active course is required of a person of this kind."""
    if not course.active:
        return False
    if course.required_for == "all":
        return True
    if course.required_for == "employees":
        return person_kind in EMPLOYEE_KINDS
    if course.required_for == "vendor-staff":
        return person_kind == "vendor-staff"
    return False


def missing(
    courses: Iterable[CourseFacts],
    completions: Iterable[CompletionFacts],
    person_kind: str,
    *,
    on: date,
) -> list[tuple[CourseFacts, date | None]]:
    """The required courses not current on `on`, each with the expiry of its latest passed
    completion (None: never passed)."""
    done = list(completions)
    out = []
    for course in courses:
        if not required_of(course, person_kind):
            continue
        mine = [c for c in done if c.course_id == course.id]
        if any(is_current(c, on=on) for c in mine):
            continue
        expired = [c.expires_on for c in mine if c.passed and c.expires_on is not None]
        out.append((course, max(expired) if expired else None))
    return out


def kind_of(person_kind: str, organisation_kind: str) -> str:
    """A person's kind for the rules: a vendor organisation's people count as vendor staff."""
    return "vendor-staff" if organisation_kind == "vendor" else person_kind


@dataclass(frozen=True)
class Standing:
    """One required course of a person on a date: current or not, and until when."""

    course: CourseFacts
    current: bool
    expires_on: date | None
    lapsing: bool


def standing(
    courses: Iterable[CourseFacts],
    completions: Iterable[CompletionFacts],
    person_kind: str,
    *,
    on: date,
    lapsing_days: int,
) -> list[Standing]:
    """Each course required of the person: current on `on` or not, the last day it counts, and
    whether it lapses within `lapsing_days` (current now, expired by then)."""
    done = list(completions)
    soon = on + timedelta(days=lapsing_days)
    out = []
    for course in courses:
        if not required_of(course, person_kind):
            continue
        mine = [c for c in done if c.course_id == course.id and is_current(c, on=on)]
        never = any(c.expires_on is None for c in mine)
        until = None if never or not mine else max(c.expires_on for c in mine if c.expires_on)
        lapsing = bool(mine) and until is not None and until < soon
        out.append(Standing(course, bool(mine), until, lapsing))
    return out
