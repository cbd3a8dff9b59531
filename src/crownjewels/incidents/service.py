"""The case: open it (by hand, or from an alert, a leak finding or a report, with its
playbook's tasks), read and list it, change its facts and dates, move it along its flow, and
close it after its review. Every change is a custody event of the case in the same transaction.

Who sees a case: holders of incidents:read, and the members of its team."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission as P
from crownjewels.core.refs import next_ref
from crownjewels.custody import labels
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.incidents import repository
from crownjewels.incidents.errors import BadMove, BadSubject
from crownjewels.incidents.models import Incident, Member, Subject, Task
from crownjewels.incidents.playbooks import loader as playbooks
from crownjewels.incidents.playbooks import rules as playbook_rules
from crownjewels.incidents.reads import cases_of_secret as cases_of_secret
from crownjewels.incidents.reads import get as get
from crownjewels.incidents.reads import list_cases as list_cases
from crownjewels.incidents.reads import may_read as may_read
from crownjewels.incidents.reads import may_work as may_work
from crownjewels.incidents.reads import read as read
from crownjewels.incidents.reads import remediation_of_secrets as remediation_of_secrets
from crownjewels.incidents.reads import require_member_or_writer as require_member_or_writer
from crownjewels.incidents.reads import row as row
from crownjewels.incidents.reads import summaries as summaries
from crownjewels.incidents.reads import tasks_for as tasks_for
from crownjewels.incidents.reads import writable as writable
from crownjewels.incidents.schemas import (
    FLOW,
    CaseOpen,
    CaseRead,
    CaseUpdate,
    ReviewCreate,
    Status,
    StatusMove,
    SubjectKind,
    TaskKind,
    TaskStatus,
)
from crownjewels.parties import service as parties

#: the custody subject type of a case
CASE = "incident"
#: the subject kinds a person may type, and the custody label kinds each is found among
_FIND_KINDS: dict[SubjectKind, tuple[str, ...]] = {
    SubjectKind.SECRET: ("secret",),
    SubjectKind.PERSON: ("person",),
    SubjectKind.ORGANISATION: ("vendor", "organisation"),
    SubjectKind.AGREEMENT: ("agreement",),
    SubjectKind.DOCUMENT: ("document",),
}


# --- opening ----------------------------------------------------------------------------------


def _resolve(session: Session, kind: SubjectKind, typed: str) -> tuple[str, str]:
    """The one subject of that kind a person typed (a ref, an email, a name)."""
    field = f"{kind.value}s"
    if kind == SubjectKind.ORGANISATION:
        named = parties.organisations_named(session, typed)
        if len(named) == 1:
            return ("organisation", named[0])
    try:
        pair = labels.find(session, typed, kinds=_FIND_KINDS[kind])
    except Invalid as exc:
        if kind == SubjectKind.ORGANISATION:
            raise BadSubject(
                f"No organisation or vendor is called {typed.strip()}; type its name as the "
                "register has it, or a vendor's ref (VN-0002)",
                field=field,
            ) from None
        raise BadSubject(exc.message, field=field) from None
    if pair[0] not in _FIND_KINDS[kind] or not labels.subjects(session, [pair]):
        raise BadSubject(f"No {kind.value} is called {typed.strip()}", field=field)
    return pair


def _subjects(session: Session, data: CaseOpen) -> list[tuple[str, str]]:
    typed = [
        *((SubjectKind.SECRET, t) for t in data.secrets),
        *((SubjectKind.PERSON, t) for t in data.people),
        *((SubjectKind.ORGANISATION, t) for t in data.organisations),
        *((SubjectKind.AGREEMENT, t) for t in data.agreements),
    ]
    found: list[tuple[str, str]] = []
    for kind, text in typed:
        if text.strip():
            pair = _resolve(session, kind, text)
            if pair not in found:
                found.append(pair)
    return found


def record(session: Session, actor: Actor, row: Incident, event: EventType, **details: Any) -> None:
    """One custody event of the case, with its reference and the details."""
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=CASE,
        subject_id=row.id,
        details={"ref": row.ref, **details},
    )


def user_id(session: Session, typed: str, field: str) -> str:
    """The id of the one user a person typed (an email or a name)."""
    try:
        found = labels.find_actor(session, typed)
    except Invalid:
        found = ""
    kind, _, ident = found.partition(":")
    if kind != "user" or not ident:
        raise Invalid(
            f"no one with a login is called {typed.strip()!r}; type their email",
            field=field,
        )
    return ident


def open_case(
    session: Session,
    *,
    actor: Actor,
    data: CaseOpen,
    playbook_dir: Path | None = None,
    known: list[tuple[str, str]] | None = None,
) -> CaseRead:
    """Open a case (INCIDENT_OPENED): its subjects, its lead, and its playbook's tasks with due
    times from discovery; `playbook_dir` is the organisation's own playbooks folder, `known`
    subjects already resolved (type, id) by the escalation that opens it."""
    actor.require(P.INCIDENTS_WRITE, what="opening an incident case")
    now = clock.now()
    discovered = data.discovered_at or now
    if discovered > now + timedelta(minutes=5):
        raise Invalid(
            "the discovery cannot be in the future; give when it was found", field="discovered_at"
        )
    if data.occurred_at and data.occurred_at > discovered:
        raise Invalid(
            "it cannot have occurred after it was discovered; check both dates",
            field="occurred_at",
        )
    subjects = _subjects(session, data)
    subjects += [p for p in known or [] if p not in subjects]
    lead = (
        user_id(session, data.lead, "lead")
        if data.lead
        else (actor.id if actor.kind == "user" else None)
    )
    chosen = None
    if (data.playbook or "").strip().lower() != "none":
        chosen = playbook_rules.playbook_for(
            data.kind.value, playbooks.load_playbooks(playbook_dir), data.playbook
        )
    row = Incident(
        ref=next_ref(session, Incident.ref, "IN-", 4),
        title=data.title.strip(),
        kind=data.kind.value,
        severity=data.severity.value,
        status=Status.REPORTED.value,
        summary=data.summary.strip(),
        origin=data.origin.value,
        origin_ref=data.origin_ref,
        playbook=chosen.name if chosen else None,
        occurred_at=data.occurred_at,
        discovered_at=discovered,
        reported_at=data.reported_at or now,
        facts=data.facts.model_dump(mode="json"),
        notices={},
        opened_by=actor.ref,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    for kind, ident in subjects:
        session.add(Subject(incident_id=row.id, kind=kind, subject_id=ident, added_at=now))
    if lead:
        session.add(Member(incident_id=row.id, user_id=lead, role="lead", added_at=now))
    planned = playbook_rules.plan_tasks(chosen, discovered) if chosen else []
    for number, task in enumerate(planned, start=1):
        session.add(
            Task(
                incident_id=row.id,
                number=number,
                kind=TaskKind.PLAYBOOK.value,
                step=task.step,
                title=task.title,
                role=task.role,
                guidance=task.guidance,
                due_at=task.due_at,
                owner_id=lead if task.role == "lead" else None,
                status=TaskStatus.OPEN.value,
                created_at=discovered,
            )
        )
    record(
        session,
        actor,
        row,
        EventType.INCIDENT_OPENED,
        kind=row.kind,
        severity=row.severity,
        origin=row.origin,
        origin_ref=row.origin_ref,
        subjects=[f"{k}:{i}" for k, i in subjects],
        playbook=row.playbook,
        tasks=len(planned),
    )
    return read(session, row)


def join(session: Session, *, actor: Actor, ref: str, origin_ref: str, note: str) -> CaseRead:
    """A second finding or alert joins an open case (INCIDENT_JOINED), its note kept."""
    found = writable(session, actor, ref, "adding to an incident case")
    found.updated_at = clock.now()
    record(session, actor, found, EventType.INCIDENT_JOINED, origin_ref=origin_ref, note=note)
    return read(session, found)


def add_subjects(
    session: Session, *, actor: Actor, row: Incident, pairs: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Add subjects (type, id) a case does not have yet (INCIDENT_SUBJECT_ADDED each)."""
    have = {(s.kind, s.subject_id) for s in repository.subjects_of(session, row.id)}
    added = []
    for kind, ident in pairs:
        if (kind, ident) in have:
            continue
        session.add(Subject(incident_id=row.id, kind=kind, subject_id=ident, added_at=clock.now()))
        have.add((kind, ident))
        added.append((kind, ident))
        record(session, actor, row, EventType.INCIDENT_SUBJECT_ADDED, subject=f"{kind}:{ident}")
    return added


def add_subject(
    session: Session, *, actor: Actor, ref: str, kind: SubjectKind, typed: str
) -> CaseRead:
    """Add a secret, person, organisation or agreement to a case, as typed."""
    found = writable(session, actor, ref, "changing an incident case")
    pair = _resolve(session, kind, typed)
    if not add_subjects(session, actor=actor, row=found, pairs=[pair]):
        raise Invalid(f"{found.ref} already concerns {typed.strip()}", field=kind.value)
    return read(session, found)


def remove_subject(session: Session, *, actor: Actor, ref: str, typed: str) -> CaseRead:
    """Take a subject off a case (INCIDENT_SUBJECT_REMOVED)."""
    found = writable(session, actor, ref, "changing an incident case")
    kinds = tuple(k for ks in _FIND_KINDS.values() for k in ks)
    kind, ident = labels.find(session, typed, kinds=kinds)
    subject = session.get(Subject, (found.id, kind, ident))
    if subject is None:
        raise Invalid(f"{found.ref} does not concern {typed.strip()}", field="subject")
    session.delete(subject)
    record(session, actor, found, EventType.INCIDENT_SUBJECT_REMOVED, subject=f"{kind}:{ident}")
    return read(session, found)


# --- changing ---------------------------------------------------------------------------------

_DATES = ("occurred_at", "discovered_at", "reported_at", "classified_at", "materiality_at")


def update(session: Session, *, actor: Actor, ref: str, changes: CaseUpdate) -> CaseRead:
    """Change a case's title, severity, summary, dates or facts (INCIDENT_UPDATED with what
    changed): the clocks follow the new facts and dates."""
    found = writable(session, actor, ref, "changing an incident case")
    given = changes.model_dump(exclude_unset=True, mode="json")
    before: dict[str, Any] = {}
    for name in given:
        value = getattr(changes, name)
        if name == "facts":
            value = changes.facts.model_dump(mode="json") if changes.facts else found.facts
        elif isinstance(value, str):
            value = value.strip()
        elif hasattr(value, "value"):
            value = value.value
        if name in _DATES and value is None and name == "discovered_at":
            raise Invalid("a case keeps its discovery date; give a new one", field=name)
        old = getattr(found, name)
        if old != value:
            before[name] = old.isoformat() if isinstance(old, datetime) else old
            setattr(found, name, value)
    if found.occurred_at and found.occurred_at > found.discovered_at:
        raise Invalid(
            "it cannot have occurred after it was discovered; check both dates",
            field="occurred_at",
        )
    if not before:
        return read(session, found)
    found.updated_at = clock.now()
    record(
        session,
        actor,
        found,
        EventType.INCIDENT_UPDATED,
        changed={
            k: {"from": v, "to": custody.jsonable(getattr(found, k))} for k, v in before.items()
        },
    )
    return read(session, found)


def move(session: Session, *, actor: Actor, ref: str, to: StatusMove) -> CaseRead:
    """Move a case forward along reported → triage → contained → investigating → remediating
    → closed, or dismiss it with a reason (INCIDENT_STATUS_CHANGED); closing needs the review."""
    found = writable(session, actor, ref, "moving an incident case")
    now = clock.now()
    current = Status(found.status)
    if to.status == Status.DISMISSED:
        if not to.reason.strip():
            raise Invalid("say why the case is dismissed", field="reason")
        found.dismissed_reason = to.reason.strip()
        found.closed_at = now
    else:
        if FLOW.index(to.status) <= FLOW.index(current):
            raise BadMove(
                f"{found.ref} is {current.value}; a case moves forward only "
                f"({' → '.join(s.value for s in FLOW)}), so it cannot go to {to.status.value}"
            )
        if to.status == Status.CLOSED and not found.review:
            raise BadMove(
                f"{found.ref} needs its post-incident review before it closes: what happened, "
                "the root cause, which measures failed and what changes"
            )
        if to.status == Status.CONTAINED and found.contained_at is None:
            found.contained_at = now
        if to.status == Status.CLOSED:
            found.closed_at = now
    if found.classified_at is None and current == Status.TRIAGE:
        found.classified_at = now
    found.status = to.status.value
    found.updated_at = now
    record(
        session,
        actor,
        found,
        EventType.INCIDENT_STATUS_CHANGED,
        **{"from": current.value, "to": to.status.value, "reason": to.reason.strip() or None},
    )
    return read(session, found)


def mark_contained(session: Session, *, actor: Actor, row: Incident) -> None:
    """Containment ran: the case is contained (when it was not yet past that)."""
    now = clock.now()
    row.contained_at = row.contained_at or now
    if FLOW.index(Status(row.status)) < FLOW.index(Status.CONTAINED):
        before = row.status
        row.status = Status.CONTAINED.value
        row.classified_at = row.classified_at or now
        record(
            session,
            actor,
            row,
            EventType.INCIDENT_STATUS_CHANGED,
            **{"from": before, "to": row.status, "reason": "containment ran"},
        )
    row.updated_at = now


def review(session: Session, *, actor: Actor, ref: str, data: ReviewCreate) -> CaseRead:
    """Record the post-incident review (INCIDENT_REVIEWED); it may be revised until closing."""
    found = writable(session, actor, ref, "reviewing an incident case")
    found.review = {
        **data.model_dump(),
        "by": actor.ref,
        "at": clock.now().isoformat(),
    }
    found.updated_at = clock.now()
    record(session, actor, found, EventType.INCIDENT_REVIEWED)
    return read(session, found)
