"""The pure posture rule: which measures one secret lacks on a day, and the tally per tier."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from crownjewels.access.posture.schemas import (
    TIERS,
    Measure,
    SecretCheck,
    TierPosture,
)


def missing(check: SecretCheck, *, at: datetime) -> frozenset[Measure]:
    """The measures the secret lacks at `at`: an owner no longer in post, a secrecy assessment
    with a factor unscored, no legend, a review past its date (overdue the day after), a holder
    not bound by an agreement in force covering it, a holder's required training not current,
    a vendor holder's due diligence not current, a grant still live past its expiry."""
    out: set[Measure] = set()
    if not check.owner_active:
        out.add(Measure.OWNER)
    if check.factors_assessed < check.factors_required:
        out.add(Measure.ASSESSMENT)
    if not check.legend.strip():
        out.add(Measure.LEGEND)
    if check.next_review_on < at.date():
        out.add(Measure.REVIEW)
    if any(not h.bound for h in check.holders):
        out.add(Measure.AGREEMENT)
    if any(not h.training_current for h in check.holders):
        out.add(Measure.TRAINING)
    if any(h.vendor and not h.diligence_current for h in check.holders):
        out.add(Measure.DILIGENCE)
    if any(expiry <= at for expiry in check.grant_expiries):
        out.add(Measure.EXPIRY)
    return frozenset(out)


def tally(checks: Iterable[SecretCheck], *, at: datetime) -> list[TierPosture]:
    """Per tier (every tier, most sensitive first): the secrets, those lacking nothing, and per
    measure those lacking it."""
    totals = {t: 0 for t in TIERS}
    protected = {t: 0 for t in TIERS}
    lacking = {t: {m: 0 for m in Measure} for t in TIERS}
    for check in checks:
        gaps = missing(check, at=at)
        totals[check.tier] += 1
        protected[check.tier] += not gaps
        for m in gaps:
            lacking[check.tier][m] += 1
    return [
        TierPosture(tier=t, total=totals[t], protected=protected[t], missing=lacking[t])
        for t in TIERS
    ]
