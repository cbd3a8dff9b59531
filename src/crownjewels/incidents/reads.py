"""Reading cases: who sees one (incidents:read, and its team), a case in words with its
subjects, team and tasks, the lists, a secret's cases and open remediation, My tasks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.core.permissions import Permission as P
from crownjewels.core.tasks import Task as MyTask
from crownjewels.custody import labels
from crownjewels.incidents import repository
from crownjewels.incidents.errors import CaseClosed, CaseNotFound
from crownjewels.incidents.models import Incident, Member, Subject, Task
from crownjewels.incidents.schemas import (
    KIND_WORDS,
    OPEN_STATUSES,
    ROLE_WORDS,
    STEPS,
    CaseFacts,
    CaseRead,
    CaseSummary,
    IncidentKind,
    MemberRead,
    Named,
    Origin,
    RemediationRead,
    Severity,
    Status,
    SubjectKind,
    TaskKind,
    TaskRead,
    TaskStatus,
    TeamRole,
)

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
