"""Every query of a case's evidence: its items, one item by reference, the hand-overs of
items, and the case a vault document of its evidence belongs to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from crownjewels.incidents.models import Evidence, Handover, Incident


def items_of(session: Session, incident_id: str) -> list[Evidence]:
    """A case's items in the order they were recorded."""
    query = select(Evidence).where(Evidence.incident_id == incident_id)
    return list(session.scalars(query.order_by(Evidence.created_at, Evidence.ref)))


def item(session: Session, incident_id: str, ref: str) -> Evidence | None:
    """One item of a case by its reference (EV-0001), however it was typed."""
    query = select(Evidence).where(
        Evidence.incident_id == incident_id, Evidence.ref == ref.strip().upper()
    )
    return session.scalar(query)


def handovers_of(session: Session, evidence_ids: Iterable[str]) -> dict[str, list[Handover]]:
    """Per item: its hand-overs in the order they happened."""
    ids = list(evidence_ids)
    out: dict[str, list[Handover]] = defaultdict(list)
    if not ids:
        return out
    query = select(Handover).where(Handover.evidence_id.in_(ids))
    for row in session.scalars(query.order_by(Handover.handed_at, Handover.created_at)):
        out[row.evidence_id].append(row)
    return out


def case(session: Session, typed: str) -> Incident | None:
    """A case by its reference (IN-0004) or its id (a vault document's owner)."""
    text = typed.strip()
    query = select(Incident).where(or_(Incident.ref == text.upper(), Incident.id == text))
    return session.scalar(query)


def labelled(session: Session, ids: Iterable[str]) -> list[tuple[str, str, str, str]]:
    """(id, ref, case ref, description) of the items with these ids."""
    query = (
        select(Evidence.id, Evidence.ref, Incident.ref, Evidence.description)
        .join(Incident, Incident.id == Evidence.incident_id)
        .where(Evidence.id.in_(list(ids)))
    )
    return [(i, r, c, d) for i, r, c, d in session.execute(query)]


def ids_by_ref(session: Session, ref: str) -> list[str]:
    """The ids of the items of that reference (one, or none)."""
    query = select(Evidence.id).where(Evidence.ref == ref.strip().upper())
    return list(session.scalars(query))


def no_case_ids() -> Select[tuple[str]]:
    """A query of case ids that matches none."""
    return select(Incident).where(Incident.id.is_(None)).with_only_columns(Incident.id)
