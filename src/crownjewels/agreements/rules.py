"""Pure rules of agreements: whether one is in force on a day, whether it covers a secret,
whether its confidentiality obligations survive its end, and when its renewal is due.

Boundary semantics (the access rules rely on them):

- `effective_on` is inclusive: the agreement binds from the start of that day.
- `expires_on` is inclusive: the agreement binds through the whole of that day and has lapsed
  from the next day on. No `expires_on` means indefinite.
- `terminated_on` is the day termination takes effect: the agreement binds through the day
  before and not on that day. Before it, a terminated agreement was in force, so "was an NDA
  in force when we disclosed?" is answered for any past date.
- A draft is never in force, whatever its dates. An `expired` status only records what the
  dates already say.
- `covers` asks about new disclosures: the agreement must be in force on the day and the
  secret inside its scope. Obligations that survive an ended agreement are `survives`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from crownjewels.agreements.schemas import (
    AgreementStatus,
    FindingRead,
    FindingStatus,
    ScopeKind,
    SecretFacts,
    Terms,
)


def standing(terms: Terms, *, on: date) -> str | None:
    """Why the agreement is not in force on `on` (a plain sentence), or None when it is."""
    if terms.status == AgreementStatus.DRAFT:
        return f"{terms.ref} is a draft, not yet in force"
    if terms.effective_on is None:
        return f"{terms.ref} has no effective date"
    if on < terms.effective_on:
        return f"{terms.ref} is not yet effective (effective from {terms.effective_on})"
    if terms.terminated_on is not None and on >= terms.terminated_on:
        return f"{terms.ref} was terminated on {terms.terminated_on}"
    if terms.status == AgreementStatus.TERMINATED and terms.terminated_on is None:
        return f"{terms.ref} was terminated"
    if terms.expires_on is not None and on > terms.expires_on:
        return f"{terms.ref} expired on {terms.expires_on}"
    return None


def in_force(terms: Terms, *, on: date) -> bool:
    """Whether the agreement binds its parties on `on` (see the module notes for boundaries)."""
    return standing(terms, on=on) is None


def in_scope(terms: Terms, secret: SecretFacts) -> bool:
    """Whether the secret falls inside the agreement's scope (all, named, or categories)."""
    if terms.scope == ScopeKind.ALL:
        return True
    if terms.scope == ScopeKind.NAMED:
        return secret.id in terms.secret_ids
    return secret.category in terms.categories


def why_not_covered(terms: Terms, secret: SecretFacts, *, on: date) -> str | None:
    """Why the agreement does not cover disclosing `secret` on `on`, or None when it does."""
    reason = standing(terms, on=on)
    if reason is not None:
        return reason
    if not in_scope(terms, secret):
        if terms.scope == ScopeKind.NAMED:
            return f"secret {secret.ref} is outside the scope of {terms.ref} (not named in it)"
        return (
            f"secret {secret.ref} is outside the scope of {terms.ref} "
            f"(category {secret.category} is not covered)"
        )
    return None


def covers(terms: Terms, secret: SecretFacts, *, on: date) -> bool:
    """Whether a disclosure of `secret` on `on` is covered: in force and in scope."""
    return why_not_covered(terms, secret, on=on) is None


def ended_on(terms: Terms) -> date | None:
    """The last day the agreement was in force, if it has ended (or will end) at all."""
    if terms.status == AgreementStatus.DRAFT or terms.effective_on is None:
        return None
    ends = [d for d in (terms.expires_on,) if d is not None]
    if terms.terminated_on is not None:
        ends.append(terms.terminated_on - timedelta(days=1))
    return min(ends) if ends else None


def survives(terms: Terms, *, on: date, trade_secret: bool = True) -> bool:
    """Whether confidentiality obligations still bind on `on` after the agreement ended:
    trade secrets while they stay secret (when the agreement says so), other confidential
    information for `survival_years` after the end."""
    if in_force(terms, on=on):
        return True
    end = ended_on(terms)
    if end is None or on <= end:
        return False
    if trade_secret and terms.trade_secrets_survive:
        return True
    if terms.survival_years is None:
        return False
    return on <= _add_years(end, terms.survival_years)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year + years, day=28)


def renewal_due_on(terms: Terms, notice_days: int) -> date | None:
    """The day renewal reminders start: `notice_days` before expiry (None: nothing to renew)."""
    if terms.expires_on is None:
        return None
    return terms.expires_on - timedelta(days=notice_days)


def renewal_due(terms: Terms, notice_days: int, *, on: date) -> bool:
    """Whether an agreement in force is inside its renewal notice window on `on`."""
    start = renewal_due_on(terms, notice_days)
    return start is not None and in_force(terms, on=on) and on >= start


def lapsed(terms: Terms, *, on: date) -> bool:
    """Whether an agreement recorded as in force is past its expiry date on `on`."""
    return (
        terms.status == AgreementStatus.IN_FORCE
        and terms.expires_on is not None
        and on > terms.expires_on
    )


def days_until_expiry(terms: Terms, *, on: date) -> int | None:
    """Days from `on` to the expiry date (negative once past; None when indefinite)."""
    return None if terms.expires_on is None else (terms.expires_on - on).days


#: the status an agreement may move to from each status (the service refuses anything else):
#: a draft is signed into force or abandoned; an agreement in force expires or is terminated;
#: an expired one may be renewed into force; termination is final.
TRANSITIONS: dict[AgreementStatus, frozenset[AgreementStatus]] = {
    AgreementStatus.DRAFT: frozenset({AgreementStatus.IN_FORCE, AgreementStatus.TERMINATED}),
    AgreementStatus.IN_FORCE: frozenset({AgreementStatus.EXPIRED, AgreementStatus.TERMINATED}),
    AgreementStatus.EXPIRED: frozenset({AgreementStatus.IN_FORCE}),
    AgreementStatus.TERMINATED: frozenset(),
}


def can_change_status(current: AgreementStatus, new: AgreementStatus) -> bool:
    """Whether the lifecycle allows moving from `current` to `new`."""
    return new in TRANSITIONS[current]


def why_not_terminable(terms: Terms, terminated_on: date) -> str | None:
    """Why the agreement cannot be terminated with effect from `terminated_on`, or None."""
    status = AgreementStatus(terms.status)
    if not can_change_status(status, AgreementStatus.TERMINATED):
        return f"{terms.ref} is {status.value}; only a draft or an agreement in force is terminated"
    if terms.effective_on is not None and terminated_on < terms.effective_on:
        return (
            f"termination on {terminated_on} is before {terms.ref} took effect "
            f"({terms.effective_on}); give a date on or after it"
        )
    return None


def why_not_renewable(terms: Terms, new_expiry: date | None, *, on: date) -> str | None:
    """Why the agreement cannot be renewed to `new_expiry` (None: indefinite) on `on`, or None.
    A renewal extends: the new expiry is later than the current one and not already past."""
    status = AgreementStatus(terms.status)
    if status not in (AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED):
        return f"{terms.ref} is {status.value}; only an agreement in force or expired is renewed"
    if new_expiry is None:
        return None
    if terms.expires_on is not None and new_expiry <= terms.expires_on:
        return (
            f"the new expiry {new_expiry} is not after the current one ({terms.expires_on}); "
            "a renewal extends the agreement"
        )
    if new_expiry < on:
        return f"the new expiry {new_expiry} is already past; give a date from {on} on"
    return None


#: days before expiry at which legal is mailed, once each (the dashboard's 90/30/7 days)
EXPIRY_THRESHOLDS = (90, 30, 7)


def expiry_threshold(days_left: int | None) -> int | None:
    """The smallest reminder threshold an agreement `days_left` from expiry has reached (None:
    not near expiry, indefinite, or already past)."""
    if days_left is None or days_left < 0:
        return None
    reached = [t for t in EXPIRY_THRESHOLDS if days_left <= t]
    return min(reached) if reached else None


@dataclass(frozen=True)
class Triage:
    """Clause findings as a lawyer works through them: the counts of the summary and the
    findings in the order to decide them."""

    contradicted: int
    missing_required: int
    satisfied: int
    other: int
    #: satisfied findings nobody has reviewed yet: what "Accept all satisfied" accepts
    waiting: int
    findings: list[FindingRead] = field(default_factory=list)


def _rank(finding: FindingRead) -> int:
    status = finding.effective_status
    if status == FindingStatus.CONTRADICTED:
        return 0
    if status == FindingStatus.NOT_MENTIONED:
        return 1 if finding.strictness == "required" else 2
    return 3


def triage(findings: Sequence[FindingRead]) -> Triage:
    """Contradictions first, then required clauses the text does not have, then the other
    missing ones, then what is satisfied; the analyser's order within each group. Counts
    follow the status that counts (legal's override, else the analyser's)."""
    ranks = [_rank(f) for f in findings]
    return Triage(
        contradicted=ranks.count(0),
        missing_required=ranks.count(1),
        other=ranks.count(2),
        satisfied=ranks.count(3),
        waiting=sum(
            1 for f in findings if f.review is None and f.status == FindingStatus.SATISFIED
        ),
        findings=[f for _, f in sorted(zip(ranks, findings, strict=True), key=lambda p: p[0])],
    )
