"""JSON API of incident cases under /api/v1/incidents: open, list, show, change, move, review,
the team, tasks, notes, the timeline and the clocks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, CurrentActor, DbSession, Paging, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents import clocking, service, team, timeline
from crownjewels.incidents.clocks.schemas import Clock
from crownjewels.incidents.guards import CaseRef
from crownjewels.incidents.schemas import (
    CaseOpen,
    CaseRead,
    CaseSummary,
    CaseUpdate,
    IncidentKind,
    MemberAdd,
    NoteCreate,
    NoticeGiven,
    ReviewCreate,
    Severity,
    Status,
    StatusMove,
    SubjectAdd,
    TaskChange,
    TaskCreate,
    TeamRole,
    TimelineEntry,
)

router = APIRouter(prefix="/incidents", tags=["incidents"])
Reader = Annotated[Actor, Depends(require(P.INCIDENTS_READ))]
Writer = Annotated[Actor, Depends(require(P.INCIDENTS_WRITE))]


@router.get("", response_model=Page[CaseSummary], summary="List cases")
def list_cases(
    session: DbSession,
    actor: Reader,
    paging: Paging,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    kind: IncidentKind | None = None,
    severity: Severity | None = None,
) -> Page[CaseSummary]:
    """The cases, newest discovery first, with their open and overdue tasks."""
    items, total = service.list_cases(
        session,
        actor=actor,
        status=status_,
        open_only=open_only,
        kind=kind,
        severity=severity,
        page=paging,
    )
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "", response_model=CaseRead, status_code=status.HTTP_201_CREATED, summary="Open a case"
)
def open_case(session: DbSession, actor: Writer, settings: AppSettings, body: CaseOpen) -> CaseRead:
    """Open a case by hand: its subjects as typed, its lead, its kind's playbook tasks."""
    return service.open_case(
        session, actor=actor, data=body, playbook_dir=settings.incident_playbooks
    )


@router.get("/{ref}", response_model=CaseRead, summary="Show a case")
def get_case(session: DbSession, actor: CurrentActor, ref: CaseRef) -> CaseRead:
    """One case with its subjects, team and tasks (for incidents:read and its team)."""
    return service.get(session, actor=actor, ref=ref)


@router.patch("/{ref}", response_model=CaseRead, summary="Change a case")
def update_case(session: DbSession, actor: Writer, ref: CaseRef, body: CaseUpdate) -> CaseRead:
    """Change the title, severity, summary, dates or facts (the clocks follow)."""
    return service.update(session, actor=actor, ref=ref, changes=body)


@router.post("/{ref}/status", response_model=CaseRead, summary="Move a case")
def move_case(session: DbSession, actor: Writer, ref: CaseRef, body: StatusMove) -> CaseRead:
    """Move a case forward, or dismiss it with a reason; closing needs the review."""
    return service.move(session, actor=actor, ref=ref, to=body)


@router.put("/{ref}/review", response_model=CaseRead, summary="Record the review")
def review_case(session: DbSession, actor: Writer, ref: CaseRef, body: ReviewCreate) -> CaseRead:
    """The post-incident review: what happened, root cause, failed measures, changes."""
    return service.review(session, actor=actor, ref=ref, data=body)


@router.post("/{ref}/subjects", response_model=CaseRead, summary="Add a subject")
def add_subject(session: DbSession, actor: Writer, ref: CaseRef, body: SubjectAdd) -> CaseRead:
    """Add a secret, person, organisation or agreement, as typed (a ref, an email, a name)."""
    return service.add_subject(session, actor=actor, ref=ref, kind=body.kind, typed=body.subject)


@router.delete("/{ref}/subjects/{subject}", response_model=CaseRead, summary="Remove a subject")
def remove_subject(
    session: DbSession,
    actor: Writer,
    ref: CaseRef,
    subject: Annotated[str, Path(max_length=200)],
) -> CaseRead:
    """Take a subject off the case."""
    return service.remove_subject(session, actor=actor, ref=ref, typed=subject)


@router.post("/{ref}/team", response_model=CaseRead, summary="Seat a team member")
def add_member(session: DbSession, actor: Writer, ref: CaseRef, body: MemberAdd) -> CaseRead:
    """Seat a user on the team in a role; open tasks of that role become theirs."""
    return team.add_member(session, actor=actor, ref=ref, data=body)


@router.delete("/{ref}/team/{role}/{user}", response_model=CaseRead, summary="Unseat a member")
def remove_member(
    session: DbSession,
    actor: Writer,
    ref: CaseRef,
    role: TeamRole,
    user: Annotated[str, Path(max_length=200)],
) -> CaseRead:
    """Take a user off a role on the team (a case keeps its lead)."""
    return team.remove_member(session, actor=actor, ref=ref, user=user, role=role)


@router.post("/{ref}/tasks", response_model=CaseRead, summary="Add a task")
def add_task(session: DbSession, actor: Writer, ref: CaseRef, body: TaskCreate) -> CaseRead:
    """A task by hand, or a remediation item with its owner and due date."""
    return team.add_task(session, actor=actor, ref=ref, data=body)


@router.patch("/{ref}/tasks/{number}", response_model=CaseRead, summary="Change a task")
def change_task(
    session: DbSession,
    actor: CurrentActor,
    ref: CaseRef,
    number: Annotated[int, Path(ge=1, le=10_000)],
    body: TaskChange,
) -> CaseRead:
    """Finish, skip, reopen, reassign or reschedule a task (the team may, on its case)."""
    return team.change_task(session, actor=actor, ref=ref, number=number, data=body)


@router.post("/{ref}/notes", response_model=CaseRead, summary="Write a note")
def add_note(session: DbSession, actor: CurrentActor, ref: CaseRef, body: NoteCreate) -> CaseRead:
    """A note on the case's timeline (the team may)."""
    return team.add_note(session, actor=actor, ref=ref, data=body)


@router.get("/{ref}/timeline", response_model=list[TimelineEntry], summary="The timeline")
def get_timeline(session: DbSession, actor: CurrentActor, ref: CaseRef) -> list[TimelineEntry]:
    """The case's events merged with the custody events, alerts, accesses and copies of the
    people and secrets it concerns, oldest first."""
    return timeline.timeline(session, actor=actor, ref=ref)


@router.get("/{ref}/clocks", response_model=list[Clock], summary="The deadlines")
def get_clocks(
    session: DbSession, actor: CurrentActor, settings: AppSettings, ref: CaseRef
) -> list[Clock]:
    """Every deadline that applies to the case's facts, in the organisation's time zone."""
    return clocking.clocks(session, actor=actor, ref=ref, tz=settings.timezone)


@router.post("/{ref}/notices", response_model=CaseRead, summary="Record a notice given")
def give_notice(session: DbSession, actor: Writer, ref: CaseRef, body: NoticeGiven) -> CaseRead:
    """The notice a clock asks for was given (the clock is met from then on)."""
    return clocking.give_notice(session, actor=actor, ref=ref, data=body)
