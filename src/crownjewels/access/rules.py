"""Pure grant rules: the longest grant per tier, how many approvals a tier needs, which
status changes are allowed, and whether a grant applies to a request at a given time."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from crownjewels.access.facts import Level


class GrantStatus(StrEnum):
    """A grant's lifecycle."""

    REQUESTED = "requested"
    APPROVED = "approved"  # approved, its start still ahead
    DENIED = "denied"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    REVOKED = "revoked"


#: the longest grant a tier allows, from its start
MAX_DAYS: dict[str, int] = {"highly-sensitive": 90, "sensitive": 180, "confidential": 365}
#: distinct approvers a tier needs (the secret's owner first)
APPROVALS: dict[str, int] = {"highly-sensitive": 2, "sensitive": 1, "confidential": 1}

S = GrantStatus
_MOVES: dict[GrantStatus, frozenset[GrantStatus]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.ACTIVE, S.DENIED, S.REVOKED}),
    S.APPROVED: frozenset({S.ACTIVE, S.SUSPENDED, S.EXPIRED, S.REVOKED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.EXPIRED, S.REVOKED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.APPROVED, S.EXPIRED, S.REVOKED}),
    S.DENIED: frozenset(),
    S.EXPIRED: frozenset(),
    S.REVOKED: frozenset(),
}
#: statuses in which a grant still counts (or may again)
LIVE = frozenset({S.REQUESTED, S.APPROVED, S.ACTIVE, S.SUSPENDED})
#: statuses under which a grant is in force: it gives access (within its dates), its documents
#: may be listed and its notice acknowledged
IN_FORCE = frozenset({S.APPROVED, S.ACTIVE})


def in_force(status: GrantStatus | str) -> bool:
    """Whether a grant in this status is in force (approved or active)."""
    return status in IN_FORCE


def can_move(current: GrantStatus, new: GrantStatus) -> bool:
    """Whether a grant may go from `current` to `new`."""
    return new in _MOVES[current]


def why_bad_expiry(tier: str, starts_at: datetime, expires_at: datetime | None) -> str | None:
    """Why the expiry cannot be used for a grant on a secret of this tier, or None."""
    if expires_at is None:
        return "a grant needs an expiry date; give one (at most the tier's maximum)"
    if expires_at <= starts_at:
        return (
            f"the expiry ({expires_at:%Y-%m-%d}) must come after the start ({starts_at:%Y-%m-%d})"
        )
    longest = MAX_DAYS.get(tier, min(MAX_DAYS.values()))
    if expires_at - starts_at > timedelta(days=longest):
        latest = starts_at + timedelta(days=longest)
        return (
            f"a grant on a {tier} secret lasts at most {longest} days: "
            f"choose an expiry on or before {latest:%Y-%m-%d}"
        )
    return None


def applies(
    status: GrantStatus, starts_at: datetime, expires_at: datetime, *, at: datetime
) -> bool:
    """Whether a grant gives access at `at`: approved or active, started, not expired
    (the start inclusive, the expiry exclusive)."""
    return in_force(status) and starts_at <= at < expires_at


def status_at(
    status: GrantStatus, starts_at: datetime, expires_at: datetime, *, at: datetime
) -> GrantStatus:
    """The status a grant should hold at `at` (the jobs move approved → active → expired)."""
    if status in (S.APPROVED, S.ACTIVE, S.SUSPENDED) and at >= expires_at:
        return S.EXPIRED
    if status == S.APPROVED and starts_at <= at:
        return S.ACTIVE
    return status


def levels_granted(levels: list[str]) -> frozenset[Level]:
    """The levels a set of grants permits (each grant its level and every lower one)."""
    out: set[Level] = set()
    for value in levels:
        out |= Level(value).includes()
    return frozenset(out)
