"""Every query of cases: by reference, the list with its filters and counts, a case's subjects,
team and tasks, the open case an origin already opened, and the cases that concern a subject."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crownjewels.incidents.models import Incident, Member, Note, Subject, Task
from crownjewels.incidents.schemas import OPEN_STATUSES, TaskStatus


def case_by_ref(session: Session, ref: str) -> Incident | None:
    """A case by its reference (IN-0004), however it was typed."""
    return session.scalar(select(Incident).where(Incident.ref == ref.strip().upper()))


def cases_query(
    *,
    status: str | None = None,
    open_only: bool = False,
    kind: str | None = None,
    severity: str | None = None,
    subject_id: str | None = None,
) -> Select[Incident]:
    """The cases, newest discovery first, filtered."""
    query = select(Incident).order_by(Incident.discovered_at.desc(), Incident.ref.desc())
    if status:
        query = query.where(Incident.status == status)
    if open_only:
        query = query.where(Incident.status.in_([s.value for s in OPEN_STATUSES]))
    if kind:
        query = query.where(Incident.kind == kind)
    if severity:
        query = query.where(Incident.severity == severity)
    if subject_id:
        query = query.where(
            Incident.id.in_(select(Subject.incident_id).where(Subject.subject_id == subject_id))
        )
    return query


def open_case_for_origin(session: Session, origin_ref: str) -> Incident | None:
    """The open case a finding or an alert (AL-0007, LM-0003) opened before: investigating
    twice joins it (refs are unique across origins, each with its own prefix)."""
    query = select(Incident).where(
        Incident.origin_ref == origin_ref,
        Incident.status.in_([s.value for s in OPEN_STATUSES]),
    )
    return session.scalar(query.order_by(Incident.created_at.desc()).limit(1))


def open_cases_of_subjects(session: Session, subject_ids: Iterable[str]) -> list[Incident]:
    """Open cases that concern any of the subjects."""
    ids = list(subject_ids)
    if not ids:
        return []
    query = select(Incident).where(
        Incident.status.in_([s.value for s in OPEN_STATUSES]),
        Incident.id.in_(select(Subject.incident_id).where(Subject.subject_id.in_(ids))),
    )
    return list(session.scalars(query.order_by(Incident.created_at)))


def subjects_of(session: Session, incident_id: str) -> list[Subject]:
    """A case's subjects in the order they were added."""
    query = select(Subject).where(Subject.incident_id == incident_id)
    return list(session.scalars(query.order_by(Subject.added_at, Subject.kind)))


def members_of(session: Session, incident_id: str) -> list[Member]:
    """A case's team."""
    query = select(Member).where(Member.incident_id == incident_id)
    return list(session.scalars(query.order_by(Member.added_at)))


def tasks_of(session: Session, incident_id: str) -> list[Task]:
    """A case's tasks by number."""
    query = select(Task).where(Task.incident_id == incident_id)
    return list(session.scalars(query.order_by(Task.number)))


def task(session: Session, incident_id: str, number: int) -> Task | None:
    """One task of a case by its number."""
    query = select(Task).where(Task.incident_id == incident_id, Task.number == number)
    return session.scalar(query)


def next_task_number(session: Session, incident_id: str) -> int:
    """The number the case's next task takes."""
    query = select(func.max(Task.number)).where(Task.incident_id == incident_id)
    return (session.scalar(query) or 0) + 1


def notes_of(session: Session, incident_id: str) -> list[Note]:
    """A case's notes, oldest first."""
    query = select(Note).where(Note.incident_id == incident_id)
    return list(session.scalars(query.order_by(Note.created_at)))


def task_counts(
    session: Session, incident_ids: Iterable[str], now: datetime
) -> dict[str, tuple[int, int]]:
    """Per case: (open tasks, overdue tasks)."""
    ids = list(incident_ids)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    if not ids:
        return {}
    query = select(Task.incident_id, Task.due_at).where(
        Task.incident_id.in_(ids), Task.status == TaskStatus.OPEN.value
    )
    for incident_id, due_at in session.execute(query):
        out[incident_id][0] += 1
        if due_at is not None and due_at < now:
            out[incident_id][1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def leads_of(session: Session, incident_ids: Iterable[str]) -> dict[str, str]:
    """Per case: the user id of its lead (the first one put on)."""
    ids = list(incident_ids)
    query = (
        select(Member.incident_id, Member.user_id)
        .where(Member.incident_id.in_(ids), Member.role == "lead")
        .order_by(Member.added_at.desc())
    )
    return dict(session.execute(query).all())


def open_tasks_of_user(session: Session, user_id: str) -> list[tuple[Task, Incident]]:
    """The open tasks a user owns, with their cases (My tasks), earliest due first."""
    query = (
        select(Task, Incident)
        .join(Incident, Incident.id == Task.incident_id)
        .where(Task.owner_id == user_id, Task.status == TaskStatus.OPEN.value)
        .order_by(Task.due_at.is_(None), Task.due_at)
    )
    return [(t, i) for t, i in session.execute(query)]


def open_remediation_of_subjects(session: Session, subject_ids: Iterable[str]) -> list[Task]:
    """Open remediation items of cases that concern the subjects (a secret's posture)."""
    ids = list(subject_ids)
    query = select(Task).where(
        Task.kind == "remediation",
        Task.status == TaskStatus.OPEN.value,
        Task.incident_id.in_(select(Subject.incident_id).where(Subject.subject_id.in_(ids))),
    )
    return list(session.scalars(query.order_by(Task.due_at)))


def cases_by_ids(ids: Iterable[str]) -> Select[Incident]:
    """The cases of these ids."""
    return select(Incident).where(Incident.id.in_(list(ids)))


def secret_ids_of_cases(session: Session, incident_ids: Iterable[str]) -> dict[str, list[str]]:
    """Per case: the ids of the secrets it concerns."""
    query = select(Subject.incident_id, Subject.subject_id).where(
        Subject.incident_id.in_(list(incident_ids)), Subject.kind == "secret"
    )
    out: dict[str, list[str]] = defaultdict(list)
    for incident_id, secret_id in session.execute(query):
        out[incident_id].append(secret_id)
    return dict(out)
