"""A case's team, tasks and notes: seats by role, tasks with owners and due times (from the
playbook, by hand, or remediation items of the review), and the notes of its timeline. Each
change is a custody event of the case."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.custody.schemas import EventType
from crownjewels.incidents import repository
from crownjewels.incidents import service as cases
from crownjewels.incidents.errors import CaseClosed, TaskNotFound
from crownjewels.incidents.models import Incident, Member, Note, Task
from crownjewels.incidents.schemas import (
    OPEN_STATUSES,
    ROLE_WORDS,
    CaseRead,
    MemberAdd,
    NoteCreate,
    TaskChange,
    TaskCreate,
    TaskKind,
    TaskStatus,
    TeamRole,
)


def add_member(session: Session, *, actor: Actor, ref: str, data: MemberAdd) -> CaseRead:
    """Seat a user on the team in a role (INCIDENT_MEMBER_ADDED); their open tasks of that role
    without an owner become theirs."""
    row = cases.writable(session, actor, ref, "changing an incident team")
    user_id = cases.user_id(session, data.user, "user")
    if session.get(Member, (row.id, user_id, data.role.value)) is not None:
        raise Invalid(
            f"{data.user.strip()} is already {ROLE_WORDS[data.role]} on {row.ref}", field="user"
        )
    session.add(
        Member(incident_id=row.id, user_id=user_id, role=data.role.value, added_at=clock.now())
    )
    taken = 0
    for task in repository.tasks_of(session, row.id):
        if (
            task.role == data.role.value
            and task.owner_id is None
            and task.status == TaskStatus.OPEN
        ):
            task.owner_id = user_id
            taken += 1
    cases.record(
        session,
        actor,
        row,
        EventType.INCIDENT_MEMBER_ADDED,
        user=f"user:{user_id}",
        role=data.role.value,
        tasks_taken=taken,
    )
    return cases.read(session, row)


def remove_member(
    session: Session, *, actor: Actor, ref: str, user: str, role: TeamRole
) -> CaseRead:
    """Take a user off a role on the team (INCIDENT_MEMBER_REMOVED); a case keeps a lead."""
    row = cases.writable(session, actor, ref, "changing an incident team")
    user_id = cases.user_id(session, user, "user")
    seat = session.get(Member, (row.id, user_id, role.value))
    if seat is None:
        raise Invalid(f"{user.strip()} is not {ROLE_WORDS[role]} on {row.ref}", field="user")
    leads = [m for m in repository.members_of(session, row.id) if m.role == TeamRole.LEAD]
    if role == TeamRole.LEAD and len(leads) == 1:
        raise Invalid(
            f"{row.ref} needs an incident lead; seat the new lead before taking this one off",
            field="role",
        )
    session.delete(seat)
    cases.record(
        session,
        actor,
        row,
        EventType.INCIDENT_MEMBER_REMOVED,
        user=f"user:{user_id}",
        role=role.value,
    )
    return cases.read(session, row)


def add_task(session: Session, *, actor: Actor, ref: str, data: TaskCreate) -> CaseRead:
    """Add a task, or a remediation item (owner and due date required: it shows in My tasks and
    in the posture of the case's secrets until done) (INCIDENT_TASK_ADDED)."""
    row = cases.writable(session, actor, ref, "adding a task to an incident case")
    if data.kind == TaskKind.PLAYBOOK:
        raise Invalid("playbook tasks come from the playbook; add a manual task", field="kind")
    if data.kind == TaskKind.REMEDIATION and (not data.owner or not data.due_at):
        raise Invalid("a remediation item needs an owner and a due date", field="owner")
    owner = cases.user_id(session, data.owner, "owner") if data.owner else None
    task = Task(
        incident_id=row.id,
        number=repository.next_task_number(session, row.id),
        kind=data.kind.value,
        step=6 if data.kind == TaskKind.REMEDIATION else data.step,
        title=data.title.strip(),
        role=data.role.value if data.role else None,
        guidance=data.guidance.strip(),
        due_at=data.due_at,
        owner_id=owner,
        status=TaskStatus.OPEN.value,
        created_at=clock.now(),
    )
    session.add(task)
    cases.record(
        session,
        actor,
        row,
        EventType.INCIDENT_TASK_ADDED,
        task=task.number,
        kind=task.kind,
        title=task.title,
        owner=f"user:{owner}" if owner else None,
    )
    return cases.read(session, row)


def _task(session: Session, row: Incident, number: int) -> Task:
    found = repository.task(session, row.id, number)
    if found is None:
        raise TaskNotFound(f"{row.ref} has no task {number}; its page lists the tasks")
    return found


def change_task(
    session: Session, *, actor: Actor, ref: str, number: int, data: TaskChange
) -> CaseRead:
    """Finish, skip, reopen, reassign or reschedule a task (INCIDENT_TASK_CHANGED). Team members
    may change their case's tasks; remediation items may be finished after the case closed."""
    row = cases.row(session, actor, ref)
    cases.require_member_or_writer(session, actor, row, "changing a task of a case")
    task = _task(session, row, number)
    if row.status not in OPEN_STATUSES and task.kind != TaskKind.REMEDIATION:
        raise CaseClosed(f"{row.ref} is {row.status}; its tasks stay as they are")
    changed: dict[str, object] = {}
    if data.status and data.status.value != task.status:
        if data.status == TaskStatus.SKIPPED and not (data.note or "").strip():
            raise Invalid("say why the task is skipped", field="note")
        changed["status"] = data.status.value
        task.status = data.status.value
        done = data.status != TaskStatus.OPEN
        task.done_at = clock.now() if done else None
        task.done_by = actor.ref if done else None
    if data.owner is not None:
        owner = cases.user_id(session, data.owner, "owner") if data.owner.strip() else None
        if owner != task.owner_id:
            changed["owner"] = f"user:{owner}" if owner else None
            task.owner_id = owner
    if data.due_at is not None and data.due_at != task.due_at:
        changed["due_at"] = data.due_at.isoformat()
        task.due_at = data.due_at
    if data.note is not None and data.note.strip():
        task.note = data.note.strip()
        changed["note"] = task.note
    if not changed:
        return cases.read(session, row)
    cases.record(session, actor, row, EventType.INCIDENT_TASK_CHANGED, task=number, **changed)
    return cases.read(session, row)


def add_note(session: Session, *, actor: Actor, ref: str, data: NoteCreate) -> CaseRead:
    """A note on the case's timeline (INCIDENT_NOTE_ADDED); team members may write one."""
    row = cases.row(session, actor, ref)
    cases.require_member_or_writer(session, actor, row, "writing a note on a case")
    if row.status not in OPEN_STATUSES:
        raise CaseClosed(f"{row.ref} is {row.status}; a {row.status} case takes no more changes")
    body = data.body.strip()
    if not body:
        raise Invalid("write the note", field="body")
    note = Note(incident_id=row.id, author=actor.ref, body=body, created_at=clock.now())
    session.add(note)
    cases.record(session, actor, row, EventType.INCIDENT_NOTE_ADDED, note=body[:500])
    return cases.read(session, row)
