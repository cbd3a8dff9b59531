"""Every query of containments: a case's runs, those not reversed, the closed cases whose
containment still stands, and which people are protected reporters with which approvals."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.incidents.models import Approval, Containment, Incident, Protected


def runs_of(session: Session, incident_id: str) -> list[Containment]:
    """A case's containments, oldest first."""
    query = select(Containment).where(Containment.incident_id == incident_id)
    return list(session.scalars(query.order_by(Containment.ran_at, Containment.id)))


def standing_of(session: Session, incident_id: str) -> list[Containment]:
    """A case's containments not reversed, newest first (a reversal undoes the last first)."""
    query = select(Containment).where(
        Containment.incident_id == incident_id, Containment.reversed_at.is_(None)
    )
    return list(session.scalars(query.order_by(Containment.ran_at.desc(), Containment.id.desc())))


def ended_cases_with_standing(session: Session, statuses: Iterable[str]) -> list[Incident]:
    """Cases in one of these (ending) statuses whose containment was never reversed."""
    standing = select(Containment.incident_id).where(Containment.reversed_at.is_(None))
    query = select(Incident).where(
        Incident.status.in_(list(statuses)), Incident.id.in_(standing.scalar_subquery())
    )
    return list(session.scalars(query.order_by(Incident.ref)))


def protected_among(session: Session, person_ids: Iterable[str]) -> set[str]:
    """The people among these who are protected from retaliation."""
    ids = list(person_ids)
    if not ids:
        return set()
    return set(session.scalars(select(Protected.person_id).where(Protected.person_id.in_(ids))))


def approved(session: Session, person_ids: Iterable[str]) -> set[tuple[str, str, str]]:
    """(person id, action, target) of the adverse actions a second person approved and that
    were not used yet, for these people."""
    ids = list(person_ids)
    if not ids:
        return set()
    query = select(Approval.person_id, Approval.action, Approval.target).where(
        Approval.person_id.in_(ids), Approval.status == "approved"
    )
    return {(p, a, t.strip().lower()) for p, a, t in session.execute(query)}
