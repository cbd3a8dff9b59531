"""Legal's review of clause findings: one finding accepted or overridden with a reason, or every
satisfied finding not yet reviewed accepted in one action. Each accepted or overridden finding
records its own AGREEMENT_FINDING_REVIEWED, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from crownjewels.agreements import repository
from crownjewels.agreements.errors import FindingNotFound
from crownjewels.agreements.models import Agreement, ClauseFinding
from crownjewels.agreements.reads import get_row
from crownjewels.agreements.schemas import (
    FindingRead,
    FindingReview,
    FindingStatus,
    ReviewDecision,
)
from crownjewels.agreements.service import SUBJECT
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType


def _state(finding: ClauseFinding) -> dict[str, str | None]:
    return {
        "review": finding.review,
        "review_status": finding.review_status,
        "review_reason": finding.review_reason,
    }


def _review(
    session: Session, actor: Actor, row: Agreement, finding: ClauseFinding, data: FindingReview
) -> FindingRead:
    """Apply one review to one finding and record it (AGREEMENT_FINDING_REVIEWED)."""
    before = _state(finding)
    overridden = data.decision == ReviewDecision.OVERRIDDEN
    finding.review = data.decision
    finding.review_status = data.status if overridden else None
    finding.review_reason = (data.reason or "").strip() or None
    finding.reviewed_by = actor.ref
    finding.reviewed_at = clock.now()
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_FINDING_REVIEWED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "finding_id": finding.id,
            "requirement": finding.requirement,
            "analyser_status": finding.status,
            "before": before,
            "after": _state(finding),
        },
    )
    return FindingRead.model_validate(finding)


def review_finding(
    session: Session,
    *,
    actor: Actor,
    agreement_ref: str,
    finding_id: str,
    data: FindingReview,
) -> FindingRead:
    """Legal accepts a finding, or overrides its status with a reason
    (AGREEMENT_FINDING_REVIEWED); a later review replaces an earlier one, the log keeps both."""
    actor.require(Permission.AGREEMENTS_REVIEW)
    row = get_row(session, actor, agreement_ref)
    version_ids: Sequence[str] = [v.id for v in repository.versions(session, row.id)]
    finding = repository.finding(session, list(version_ids), finding_id)
    if finding is None:
        raise FindingNotFound(f"{row.ref} has no clause finding {finding_id!r}")
    return _review(session, actor, row, finding, data)


def accept_satisfied(session: Session, *, actor: Actor, agreement_ref: str) -> list[FindingRead]:
    """Accept, in one action, every finding of the latest analysed version that the analyser
    found satisfied and nobody has reviewed yet (one AGREEMENT_FINDING_REVIEWED each, as if
    accepted one by one). Invalid when none waits, so a second click says so."""
    actor.require(Permission.AGREEMENTS_REVIEW)
    row = get_row(session, actor, agreement_ref)
    version = repository.latest_analysed(session, row.id)
    waiting = [
        f
        for f in (repository.findings(session, version.id) if version else [])
        if f.review is None and f.status == FindingStatus.SATISFIED
    ]
    if not waiting:
        raise Invalid(f"{row.ref} has no satisfied finding waiting for review")
    accept = FindingReview(decision=ReviewDecision.ACCEPTED)
    return [_review(session, actor, row, f, accept) for f in waiting]
