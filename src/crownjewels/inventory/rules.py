"""Pure rules of the register: legends, review cadence, scores, status transitions."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from crownjewels.inventory.schemas import Factor, FactorScore, SecretStatus, Tier

DEFAULT_CADENCE_DAYS: dict[Tier, int] = {
    Tier.HIGHLY_SENSITIVE: 90,
    Tier.SENSITIVE: 180,
    Tier.CONFIDENTIAL: 365,
}

_LEGENDS: dict[Tier, str] = {
    Tier.HIGHLY_SENSITIVE: (
        "HIGHLY SENSITIVE - TRADE SECRET OF {company}. Disclosed in confidence to the named "
        "recipient only, under a written confidentiality agreement. Do not copy, forward or "
        "disclose. Unauthorised use or disclosure may violate the Defend Trade Secrets Act "
        "(18 U.S.C. 1836) and Directive (EU) 2016/943."
    ),
    Tier.SENSITIVE: (
        "SENSITIVE - TRADE SECRET OF {company}. Confidential; for use only by authorised persons "
        "bound by a confidentiality agreement, for the stated purpose. Do not disclose further."
    ),
    Tier.CONFIDENTIAL: (
        "CONFIDENTIAL - PROPRIETARY INFORMATION OF {company}. For authorised recipients only; "
        "do not disclose outside the agreed purpose."
    ),
}

#: the status changes allowed; a retired secret may be reactivated, a lost one may not
TRANSITIONS: dict[SecretStatus, frozenset[SecretStatus]] = {
    SecretStatus.ACTIVE: frozenset(
        {SecretStatus.RETIRED, SecretStatus.DISCLOSED, SecretStatus.LOST}
    ),
    SecretStatus.RETIRED: frozenset({SecretStatus.ACTIVE}),
    SecretStatus.DISCLOSED: frozenset(),
    SecretStatus.LOST: frozenset(),
}


def legend_for(tier: Tier, company: str) -> str:
    """The confidentiality legend printed on every copy of a secret of this tier."""
    return _LEGENDS[tier].format(company=company.upper())


def cadence_for(tier: Tier, requested: int | None) -> int:
    """The review cadence in days: the requested one, or the tier's default."""
    return requested if requested is not None else DEFAULT_CADENCE_DAYS[tier]


def cadence_after_tier_change(old: Tier, new: Tier, current_days: int) -> int:
    """A cadence that was the old tier's default follows the tier; a chosen one is kept."""
    return DEFAULT_CADENCE_DAYS[new] if current_days == DEFAULT_CADENCE_DAYS[old] else current_days


def next_review(after: date, cadence_days: int) -> date:
    """The date of the next review."""
    return after + timedelta(days=cadence_days)


def is_overdue(next_review_on: date, *, on: date) -> bool:
    """A review is overdue the day after its date."""
    return next_review_on < on


def _assessed(assessment: Mapping[Any, FactorScore]) -> list[int]:
    # a factor is in the assessment only once it is scored (1-5): the rest are not assessed
    return [v.score for v in assessment.values()]


def secrecy_score(assessment: Mapping[Any, FactorScore]) -> float | None:
    """The mean over the factors that are assessed (scored 1-5), None when none is: a factor
    not yet assessed neither lowers nor raises the score."""
    scores = _assessed(assessment)
    return round(sum(scores) / len(scores), 2) if scores else None


def factors_assessed(assessment: Mapping[Any, FactorScore]) -> tuple[int, int]:
    """How many of the six factors are assessed, and of how many: (3, 6) reads "3 of 6
    factors assessed", said beside the score so a mean of two factors is not read as six."""
    return len(_assessed(assessment)), len(Factor)


def can_change_status(current: SecretStatus, new: SecretStatus) -> bool:
    """True when the register allows moving from `current` to `new`."""
    return new in TRANSITIONS[current]


def description_digest(description: str) -> str:
    """SHA-256 of the description's UTF-8 bytes: sealed in custody at registration."""
    return hashlib.sha256(description.encode("utf-8")).hexdigest()
