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
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.core.permissions import Permission as P
from crownjewels.core.refs import next_ref
from crownjewels.core.tasks import Task as MyTask
from crownjewels.custody import labels
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.incidents import repository
from crownjewels.incidents.errors import BadMove, BadSubject, CaseClosed, CaseNotFound
from crownjewels.incidents.models import Incident, Member, Subject, Task
from crownjewels.incidents.playbooks import loader as playbooks
from crownjewels.incidents.playbooks import rules as playbook_rules
from crownjewels.incidents.schemas import (
    FLOW,
    KIND_WORDS,
    OPEN_STATUSES,
    ROLE_WORDS,
    STEPS,
    CaseFacts,
    CaseOpen,
    CaseRead,
    CaseSummary,
    CaseUpdate,
    IncidentKind,
    MemberRead,
    Named,
    Origin,
    RemediationRead,
    ReviewCreate,
    Severity,
    Status,
    StatusMove,
    SubjectKind,
    TaskKind,
    TaskRead,
    TaskStatus,
    TeamRole,
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


# --- reading ----------------------------------------------------------------------------------


def may_read(session: Session, actor: Actor, row: Incident) -> bool:
    """Holders of incidents:read, and the case's own team."""
    if actor.can(P.INCIDENTS_READ):
        return True
    return actor.kind == "user" and any(m.user_id == actor.id for m in _members(session, row))


def _members(session: Session, row: Incident) -> list[Member]:
    return repository.members_of(session, row.id)


def row(session: Session, actor: Actor, ref: str) -> Incident:
    """The case of that reference, if the actor may see it (else not found, never which)."""
    found = repository.case_by_ref(session, ref)
    if found is None or not may_read(session, actor, found):
        raise CaseNotFound(
            f"there is no case {ref.strip()}; `crownjewels incidents list` shows the cases"
        )
    return found


def writable(session: Session, actor: Actor, ref: str, what: str) -> Incident:
    """The case, for a change: incidents:write, and the case still open."""
    found = row(session, actor, ref)
    actor.require(P.INCIDENTS_WRITE, what=what)
    if found.status not in OPEN_STATUSES:
        raise CaseClosed(
            f"{found.ref} is {found.status}; a {found.status} case takes no more changes"
        )
    return found


def _named_subjects(session: Session, rows: list[Subject]) -> list[Named]:
    kinds = {"vendor": SubjectKind.VENDOR}
    found = labels.subjects(session, [(s.kind, s.subject_id) for s in rows])
    out = []
    for s in rows:
        label = found.get(labels.subject_key(s.kind, s.subject_id))
        if label is None:
            continue
        out.append(
            Named(
                kind=kinds.get(s.kind, SubjectKind(s.kind)),
                ref=label.short or label.text,
                name=label.text,
                url=label.url,
            )
        )
    return out


def _task_reads(session: Session, rows: list[Task], now: datetime) -> list[TaskRead]:
    users = labels.subjects(session, [("user", t.owner_id) for t in rows if t.owner_id])
    done_by = labels.actor_texts(session, {t.done_by for t in rows if t.done_by})
    out = []
    for t in rows:
        owner = users.get(f"user:{t.owner_id}") if t.owner_id else None
        out.append(
            TaskRead(
                number=t.number,
                kind=TaskKind(t.kind),
                step=t.step,
                step_name=STEPS[t.step],
                title=t.title,
                role=TeamRole(t.role) if t.role else None,
                guidance=t.guidance,
                due_at=t.due_at,
                first_day=_first_day(t),
                owner=owner.text if owner else None,
                owner_email=owner.short if owner else None,
                status=TaskStatus(t.status),
                overdue=t.status == TaskStatus.OPEN and t.due_at is not None and t.due_at < now,
                done_at=t.done_at,
                done_by=done_by.get(t.done_by) if t.done_by else None,
                note=t.note,
            )
        )
    return out


def _first_day(task: Task) -> bool:
    return (
        task.kind == TaskKind.PLAYBOOK
        and task.due_at is not None
        and (task.due_at - task.created_at <= timedelta(hours=24))
    )


def read(session: Session, row: Incident) -> CaseRead:
    """A case in words: its subjects named, its team and tasks."""
    members = _members(session, row)
    users = labels.subjects(session, [("user", m.user_id) for m in members])
    team = [
        MemberRead(
            role=TeamRole(m.role),
            role_words=ROLE_WORDS[TeamRole(m.role)],
            name=users[f"user:{m.user_id}"].text,
            email=users[f"user:{m.user_id}"].short,
        )
        for m in members
        if f"user:{m.user_id}" in users
    ]
    return CaseRead(
        ref=row.ref,
        title=row.title,
        kind=IncidentKind(row.kind),
        kind_words=KIND_WORDS[IncidentKind(row.kind)],
        severity=Severity(row.severity),
        status=Status(row.status),
        summary=row.summary,
        origin=Origin(row.origin),
        origin_ref=row.origin_ref,
        playbook=row.playbook,
        occurred_at=row.occurred_at,
        discovered_at=row.discovered_at,
        reported_at=row.reported_at,
        classified_at=row.classified_at,
        materiality_at=row.materiality_at,
        contained_at=row.contained_at,
        closed_at=row.closed_at,
        dismissed_reason=row.dismissed_reason,
        facts=CaseFacts.model_validate(row.facts),
        review=row.review,
        opened_by=labels.actor_text(session, row.opened_by),
        created_at=row.created_at,
        subjects=_named_subjects(session, repository.subjects_of(session, row.id)),
        team=team,
        tasks=_task_reads(session, repository.tasks_of(session, row.id), clock.now()),
    )


def get(session: Session, *, actor: Actor, ref: str) -> CaseRead:
    """One case by reference (IN-0004)."""
    return read(session, row(session, actor, ref))


def list_cases(
    session: Session,
    *,
    actor: Actor,
    status: Status | None = None,
    open_only: bool = False,
    kind: IncidentKind | None = None,
    severity: Severity | None = None,
    page: PageParams,
) -> tuple[list[CaseSummary], int]:
    """The cases, newest discovery first (for incidents:read)."""
    actor.require(P.INCIDENTS_READ, what="listing incident cases")
    query = repository.cases_query(
        status=status.value if status else None,
        open_only=open_only,
        kind=kind.value if kind else None,
        severity=severity.value if severity else None,
    )
    rows, total = paginate(session, query, page)
    return summaries(session, list(rows)), total


def summaries(session: Session, rows: list[Incident]) -> list[CaseSummary]:
    """Cases as a list shows them, with their open and overdue task counts and their lead."""
    ids = [r.id for r in rows]
    counts = repository.task_counts(session, ids, clock.now())
    leads = repository.leads_of(session, ids)
    names = labels.subjects(session, [("user", u) for u in leads.values()])
    out = []
    for r in rows:
        lead = names.get(f"user:{leads[r.id]}") if r.id in leads else None
        open_tasks, overdue = counts.get(r.id, (0, 0))
        out.append(
            CaseSummary(
                ref=r.ref,
                title=r.title,
                kind=IncidentKind(r.kind),
                kind_words=KIND_WORDS[IncidentKind(r.kind)],
                severity=Severity(r.severity),
                status=Status(r.status),
                origin=Origin(r.origin),
                origin_ref=r.origin_ref,
                discovered_at=r.discovered_at,
                open_tasks=open_tasks,
                overdue_tasks=overdue,
                lead=lead.text if lead else None,
            )
        )
    return out


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


def remediation_of_secrets(
    session: Session, *, actor: Actor, secret_ids: list[str]
) -> list[RemediationRead]:
    """Open remediation items of the cases that concern these secrets (their posture), with the
    secrets each concerns; callers pass the secrets the actor may see."""
    items = repository.open_remediation_of_subjects(session, secret_ids)
    if not items:
        return []
    cases = {
        r.id: r for r in session.scalars(repository.cases_by_ids({t.incident_id for t in items}))
    }
    by_case = repository.secret_ids_of_cases(session, set(cases))
    owners = labels.subjects(session, [("user", t.owner_id) for t in items if t.owner_id])
    now = clock.now()
    out = []
    for t in items:
        row = cases[t.incident_id]
        owner = owners.get(f"user:{t.owner_id}") if t.owner_id else None
        out.append(
            RemediationRead(
                case_ref=row.ref,
                case_title=row.title,
                may_open_case=may_read(session, actor, row),
                number=t.number,
                title=t.title,
                owner=owner.text if owner else None,
                due_at=t.due_at,
                overdue=t.due_at is not None and t.due_at < now,
                secret_ids=[s for s in by_case.get(row.id, []) if s in secret_ids],
            )
        )
    return out


def cases_of_secret(session: Session, *, actor: Actor, secret_id: str) -> list[CaseSummary]:
    """The cases that concern a secret, newest first (for readers of incidents)."""
    if not actor.can(P.INCIDENTS_READ):
        return []
    rows = session.scalars(repository.cases_query(subject_id=secret_id).limit(20))
    return summaries(session, list(rows))


def tasks_for(session: Session, *, actor: Actor) -> list[MyTask]:
    """The open case tasks the actor owns, and the review of the cases they lead, for My tasks."""
    if actor.kind != "user":
        return []
    out = []
    for task, case in repository.open_tasks_of_user(session, actor.id):
        what = "Remediate" if task.kind == TaskKind.REMEDIATION else "Do"
        out.append(
            MyTask(
                kind="incident-task",
                group="Incidents",
                title=f"{what} task {task.number} of {case.ref}: {task.title}",
                href=f"/incidents/{case.ref}#task-{task.number}",
                due_on=task.due_at.date() if task.due_at else None,
            )
        )
    return out


def may_work(session: Session, actor: Actor, row: Incident) -> bool:
    """Whether the actor may change tasks and write notes on the case (writers and its team)."""
    if actor.can(P.INCIDENTS_WRITE):
        return not actor.read_only
    return actor.kind == "user" and any(m.user_id == actor.id for m in _members(session, row))


def require_member_or_writer(session: Session, actor: Actor, row: Incident, what: str) -> None:
    """A change a team member may make on their own case (their tasks, a note)."""
    if may_work(session, actor, row):
        return
    raise Forbidden(
        f"{what} needs the incidents:write permission or a seat on {row.ref}'s team",
        needs=(P.INCIDENTS_WRITE.value,),
    )
