"""Every query of a case's legal steps."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.incidents.models import LegalStep


def steps_of(session: Session, incident_id: str) -> list[LegalStep]:
    """A case's legal steps in the order they were taken."""
    query = select(LegalStep).where(LegalStep.incident_id == incident_id)
    return list(session.scalars(query.order_by(LegalStep.taken_at, LegalStep.created_at)))
