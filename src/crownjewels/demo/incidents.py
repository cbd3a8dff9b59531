"""The demo's incident (incidents.yaml): an open case with a running GDPR clock, its lead and
counsel seated, its first tasks done and a note on its timeline."""

from __future__ import annotations

from datetime import timedelta

from crownjewels.core import clock
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset
from crownjewels.demo.context import Seeding
from crownjewels.incidents import service as incidents
from crownjewels.incidents import team
from crownjewels.incidents.schemas import (
    CaseFacts,
    CaseOpen,
    IncidentKind,
    MemberAdd,
    NoteCreate,
    Severity,
    TaskChange,
    TaskStatus,
    TeamRole,
)


class DemoCase(dataset.Record):
    """The case as the security team opened it."""

    title: str
    kind: IncidentKind
    severity: Severity
    summary: str
    secret: str
    #: organisation key -> email local part of each person concerned
    people: list[dict[str, str]]
    organisations: list[str]
    #: the organisation whose NDA the case concerns
    agreement_of: str
    discovered_hours_ago: int
    occurred_hours_ago: int
    facts: CaseFacts
    #: the login (by role) seated as legal counsel
    legal: str
    done_tasks: int
    note: str


class Incidents(dataset.DataFile):
    """incidents.yaml."""

    case: DemoCase


def seed(run: Seeding, nda_refs: dict[str, str]) -> None:
    """Open the case as security, seat counsel, finish its first tasks and write a note."""
    data = dataset.load("incidents.yaml", Incidents).case
    security = run.users[Role.SECURITY]
    now = clock.now()
    people = [run.email(org, local) for p in data.people for org, local in p.items()]
    orgs = [run.company.organisations[key].name for key in data.organisations]
    case = incidents.open_case(
        run.session,
        actor=security,
        data=CaseOpen(
            title=data.title,
            kind=data.kind,
            severity=data.severity,
            summary=data.summary,
            secrets=[data.secret],
            people=people,
            organisations=orgs,
            agreements=[nda_refs[data.agreement_of]],
            discovered_at=now - timedelta(hours=data.discovered_hours_ago),
            occurred_at=now - timedelta(hours=data.occurred_hours_ago),
            facts=data.facts,
        ),
    )
    legal = run.users[Role(data.legal)]
    team.add_member(
        run.session,
        actor=security,
        ref=case.ref,
        data=MemberAdd(user=legal.name, role=TeamRole.LEGAL),
    )
    for task in case.tasks[: data.done_tasks]:
        team.change_task(
            run.session,
            actor=security,
            ref=case.ref,
            number=task.number,
            data=TaskChange(status=TaskStatus.DONE),
        )
    team.add_note(run.session, actor=security, ref=case.ref, data=NoteCreate(body=data.note))
