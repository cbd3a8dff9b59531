"""Pure rules of vendor profiles: review cadence, certification badges, status transitions,
subcontractor chains and the countries they expose our data to."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from crownjewels.vendors.schemas import CertState, Criticality, VendorStatus

#: months between reviews when none is chosen: the more critical, the more often
DEFAULT_CADENCE_MONTHS: dict[Criticality, int] = {
    Criticality.CRITICAL: 6,
    Criticality.HIGH: 12,
    Criticality.MEDIUM: 24,
    Criticality.LOW: 36,
}

#: a certification expiring within this many days gets the "expiring" badge
EXPIRING_WITHIN_DAYS = 60

#: the status changes allowed; an offboarded vendor may only start again as a prospect
TRANSITIONS: dict[VendorStatus, frozenset[VendorStatus]] = {
    VendorStatus.PROSPECT: frozenset({VendorStatus.ONBOARDING, VendorStatus.OFFBOARDED}),
    VendorStatus.ONBOARDING: frozenset(
        {VendorStatus.ACTIVE, VendorStatus.PROSPECT, VendorStatus.OFFBOARDED}
    ),
    VendorStatus.ACTIVE: frozenset({VendorStatus.SUSPENDED, VendorStatus.OFFBOARDED}),
    VendorStatus.SUSPENDED: frozenset({VendorStatus.ACTIVE, VendorStatus.OFFBOARDED}),
    VendorStatus.OFFBOARDED: frozenset({VendorStatus.PROSPECT}),
}

#: a new profile starts in one of these (a vendor is never created suspended or offboarded)
INITIAL_STATUSES = frozenset({VendorStatus.PROSPECT, VendorStatus.ONBOARDING, VendorStatus.ACTIVE})

_WHY: dict[VendorStatus, str] = {
    VendorStatus.PROSPECT: "a prospect must go through onboarding first",
    VendorStatus.ONBOARDING: "only a prospect goes into onboarding",
    VendorStatus.ACTIVE: "a vendor becomes active only after onboarding (or back from suspension)",
    VendorStatus.SUSPENDED: "only an active vendor can be suspended",
    VendorStatus.OFFBOARDED: "an offboarded vendor is final until it starts again as a prospect",
}


def cadence_for(criticality: Criticality, requested: int | None) -> int:
    """The review cadence in months: the requested one, or the criticality's default."""
    return requested if requested is not None else DEFAULT_CADENCE_MONTHS[criticality]


def cadence_after_change(old: Criticality, new: Criticality, current: int) -> int:
    """A cadence that was the old tier's default follows the tier; a chosen one is kept."""
    return DEFAULT_CADENCE_MONTHS[new] if current == DEFAULT_CADENCE_MONTHS[old] else current


def add_months(start: date, months: int) -> date:
    """`start` plus whole months; the 31st becomes the last day of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_review(after: date, cadence_months: int) -> date:
    """The date of the next review after one held (or a profile created) on `after`."""
    return add_months(after, cadence_months)


def review_due(next_review_on: date, status: VendorStatus, *, on: date) -> bool:
    """A review is due on its date; offboarded vendors are never due."""
    return status != VendorStatus.OFFBOARDED and next_review_on <= on


def certification_state(expires_on: date | None, *, on: date) -> CertState:
    """The expiry badge: expired after its date, expiring within 60 days, else valid."""
    if expires_on is None:
        return CertState.NO_EXPIRY
    if expires_on < on:
        return CertState.EXPIRED
    if expires_on <= on + timedelta(days=EXPIRING_WITHIN_DAYS):
        return CertState.EXPIRING
    return CertState.VALID


def transition_refusal(current: VendorStatus, new: VendorStatus) -> str | None:
    """None when the lifecycle allows `current` -> `new`, else why not and what is allowed."""
    if new == current:
        return f"the vendor is already {current}"
    if new in TRANSITIONS[current]:
        return None
    allowed = ", ".join(sorted(TRANSITIONS[current]))
    article = "an" if current.value[0] in "aeiou" else "a"
    return f"{article} {current} vendor cannot become {new} ({_WHY[new]}); it can become: {allowed}"


def status_dates(
    new: VendorStatus, *, on: date, activated_on: date | None, offboarded_on: date | None
) -> tuple[date | None, date | None]:
    """The (activated_on, offboarded_on) after moving to `new` on `on`."""
    if new == VendorStatus.ACTIVE:
        return activated_on or on, None
    if new == VendorStatus.OFFBOARDED:
        return activated_on, on
    if new == VendorStatus.PROSPECT:
        return None, offboarded_on
    return activated_on, offboarded_on


# --- subcontractor chains --------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """One subcontracting link: `vendor` hands part of its service to `sub`."""

    vendor: str
    sub: str
    countries: tuple[str, ...] = ()
    service: str = ""


@dataclass(frozen=True)
class Step:
    """A vendor reached by walking the chain: how deep, through which link, and whether the
    link closes a cycle (the walk does not go past it)."""

    depth: int
    link: Link
    cycle: bool


def _by_vendor(links: Iterable[Link]) -> dict[str, list[Link]]:
    out: dict[str, list[Link]] = {}
    for link in links:
        out.setdefault(link.vendor, []).append(link)
    return out


def walk_chain(start: str, links: Iterable[Link]) -> list[Step]:
    """Every link below `start`, depth first, each vendor expanded once; a link back to a
    vendor already on the path is marked as a cycle and not followed."""
    below = _by_vendor(links)
    steps: list[Step] = []
    seen: set[str] = {start}

    def visit(vendor: str, depth: int, path: frozenset[str]) -> None:
        for link in sorted(below.get(vendor, []), key=lambda x: x.sub):
            cycle = link.sub in path
            steps.append(Step(depth=depth, link=link, cycle=cycle))
            if not cycle and link.sub not in seen:
                seen.add(link.sub)
                visit(link.sub, depth + 1, path | {link.sub})

    visit(start, 1, frozenset({start}))
    return steps


def cycle_path(vendor: str, sub: str, links: Iterable[Link]) -> list[str] | None:
    """The path sub -> ... -> vendor if adding `vendor` -> `sub` would close a cycle, else None."""
    if vendor == sub:
        return [vendor, vendor]
    below = _by_vendor(links)
    stack: list[tuple[str, list[str]]] = [(sub, [sub])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        if node == vendor:
            return [vendor, *path]
        if node in seen:
            continue
        seen.add(node)
        for link in below.get(node, []):
            stack.append((link.sub, [*path, link.sub]))
    return None


def exposure(start: str, own: Mapping[str, Sequence[str]], links: Iterable[Link]) -> list[str]:
    """The countries where `start` and its chain process our data: its own, and for each
    subcontractor the link's countries (or, when the link names none, the subcontractor's own)."""
    found = set(own.get(start, ()))
    for step in walk_chain(start, links):
        found |= set(step.link.countries or own.get(step.link.sub, ()))
    return sorted(found)
