"""What waits for a person in due diligence: answers submitted for review (the vendor
manager), and questionnaires to answer (the vendor user they were sent to)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.core.tasks import Task
from crownjewels.vendors.diligence.models import Assessment
from crownjewels.vendors.diligence.schemas import OPEN_FOR_VENDOR, AssessmentStatus


def tasks_for(session: Session, *, actor: Actor) -> list[Task]:
    """Assessments whose answers wait for the actor's review, or for the actor's answers."""
    out = []
    if actor.can(Permission.VENDORS_WRITE):
        query = select(Assessment).where(Assessment.status == AssessmentStatus.SUBMITTED)
        out += [
            Task(
                kind="review-answers",
                group="Reviews",
                title=f"Review the answers of {a.ref} from {a.recipient_name}",
                href=f"/assessments/{a.ref}",
                due_on=a.submitted_at.date() if a.submitted_at else None,
            )
            for a in session.scalars(query.order_by(Assessment.ref))
        ]
    if actor.person_id and actor.can(Permission.ASSESSMENTS_ANSWER):
        query = select(Assessment).where(
            Assessment.recipient_person_id == actor.person_id,
            Assessment.status.in_(list(OPEN_FOR_VENDOR)),
        )
        out += [
            Task(
                kind="answer-questionnaire",
                group="To answer",
                title=f"Answer questionnaire {a.ref}"
                + (" (answers sent back for another look)" if a.status == "returned" else ""),
                href=f"/assessments/{a.ref}",
                due_on=a.due_on,
            )
            for a in session.scalars(query.order_by(Assessment.ref))
        ]
    return out
