"""Cases against the real database: opened by hand with their subjects, lead and playbook
tasks; opened from an escalated alert and a leak finding, a second escalation joining the open
case; the flow forward only, a review before closing, a reason to dismiss; the team, tasks,
notes and who may see a case; the clocks from the facts, a notice meeting one, the reminders
sent once; the timeline; every change a custody event in its transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - labels, receivers, document owners
from crownjewels.core import clock
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Conflict, Forbidden, Invalid, NotFound
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.incidents import clocking, service, team, timeline
from crownjewels.incidents.models import Incident, Task
from crownjewels.incidents.schemas import (
    CaseFacts,
    CaseOpen,
    CaseUpdate,
    IncidentKind,
    MemberAdd,
    NoteCreate,
    NoticeGiven,
    Origin,
    ReviewCreate,
    Status,
    StatusMove,
    TaskChange,
    TaskCreate,
    TaskKind,
    TaskStatus,
    TeamRole,
)
from crownjewels.inventory.schemas import SecretRead
from crownjewels.leaks import escalation as leak_escalation
from crownjewels.monitoring.triage import service as triage
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.parties.schemas import OrgKind, PersonRead, UserRead
from tests.conftest import savepoint_per_test
from tests.inventory.factories import make_secret
from tests.monitoring.triage.factories import make_alert
from tests.parties.factories import actor_for, make_org, make_person, make_user
from tests.pinned_clock import pinned_now


@dataclass(frozen=True)
class World:
    """A secret, a vendor with a suspect, a security lead, counsel and an outsider."""

    secret: SecretRead
    suspect: PersonRead
    vendor_name: str
    lead: UserRead
    counsel: UserRead
    owner: UserRead


@pytest.fixture(scope="module")
def world(module_db: Database) -> World:
    admin = system_actor("test")
    with module_db.unit_of_work() as s:
        secret = make_secret(s, admin, name="Routing engine", description="Route optimiser.")
        vendor = make_org(s, admin, name="Lotus Process Services", kind=OrgKind.VENDOR)
        suspect = make_person(s, admin, org=vendor, name="Ravi Suspect")
        lead = make_user(s, admin, Role.SECURITY, person=make_person(s, admin, name="Sam Lead"))
        counsel = make_user(s, admin, Role.LEGAL, person=make_person(s, admin, name="Lee Counsel"))
        owner = make_user(
            s, admin, Role.SECRET_OWNER, person=make_person(s, admin, name="Olga Owner")
        )
    return World(secret, suspect, vendor.name, lead, counsel, owner)


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


def _as(session: Session, user: UserRead) -> Actor:
    return actor_for(session, user)


def _open(session: Session, actor: Actor, w: World, **fields: object) -> str:
    data = CaseOpen.model_validate(
        {
            "title": "Routing code on a personal repository",
            "kind": "theft",
            "secrets": [w.secret.ref],
            "people": [w.suspect.email],
            "organisations": [w.vendor_name],
            **fields,
        }
    )
    return service.open_case(session, actor=actor, data=data).ref


def _events(session: Session, event_type: str) -> list[dict[str, Any]]:
    """The details of the events of a type, oldest first."""
    custody.flush(session)
    query = select(CustodyEvent.details).where(CustodyEvent.event_type == event_type)
    return [json.loads(d) for d in session.scalars(query.order_by(CustodyEvent.seq))]


def test_open_by_hand_resolves_subjects_seats_the_lead_and_plans_the_playbook(
    session: Session, world: World
) -> None:
    lead = _as(session, world.lead)
    case = service.get(session, actor=lead, ref=_open(session, lead, world))
    assert case.status == Status.REPORTED and case.playbook == "theft"
    names = {(s.kind.value, s.name) for s in case.subjects}
    assert ("secret", f"{world.secret.ref} Routing engine") in names
    assert ("person", "Ravi Suspect") in names
    assert any("Lotus Process Services" in n for _, n in names)
    assert [(m.role, m.name) for m in case.team] == [(TeamRole.LEAD, "Sam Lead")]
    assert len(case.tasks) >= 6 and {t.step for t in case.tasks} == {1, 2, 3, 4, 5, 6}
    first = [t for t in case.tasks if t.first_day]
    assert first and all(
        t.due_at and t.due_at - case.discovered_at <= timedelta(hours=24) for t in first
    )
    # the lead's own tasks are theirs from the start
    assert all(t.owner == "Sam Lead" for t in case.tasks if t.role == TeamRole.LEAD)
    opened = _events(session, "INCIDENT_OPENED")
    assert opened[-1]["ref"] == case.ref and opened[-1]["tasks"] == len(case.tasks)


def test_a_subject_that_names_nothing_is_refused_in_words(session: Session, world: World) -> None:
    lead = _as(session, world.lead)
    with pytest.raises(Invalid, match="No secret is called TS-9999"):
        _open(session, lead, world, secrets=["TS-9999"])
    assert session.scalar(select(Incident.id)) is None


def test_the_flow_moves_forward_and_closes_after_the_review(session: Session, world: World) -> None:
    lead = _as(session, world.lead)
    ref = _open(session, lead, world, playbook="none")
    service.move(session, actor=lead, ref=ref, to=StatusMove(status=Status.TRIAGE))
    with pytest.raises(Conflict, match="moves forward only"):
        service.move(session, actor=lead, ref=ref, to=StatusMove(status=Status.REPORTED))
    service.move(session, actor=lead, ref=ref, to=StatusMove(status=Status.INVESTIGATING))
    with pytest.raises(Conflict, match="post-incident review"):
        service.move(session, actor=lead, ref=ref, to=StatusMove(status=Status.CLOSED))
    review = ReviewCreate(
        what_happened="An engineer at the vendor pushed the routing code to GitHub.",
        root_cause="No egress control on the vendor's build machines.",
        failed_measures="DLP on the vendor network; the grant was broader than needed.",
        changes="Narrow grants; block personal git remotes; retrain the vendor team.",
    )
    service.review(session, actor=lead, ref=ref, data=review)
    closed = service.move(session, actor=lead, ref=ref, to=StatusMove(status=Status.CLOSED))
    assert closed.status == Status.CLOSED and closed.closed_at is not None
    assert closed.classified_at is not None
    with pytest.raises(Conflict, match="closed case takes no more changes"):
        team.add_note(session, actor=lead, ref=ref, data=NoteCreate(body="late"))
    moves = [e["to"] for e in _events(session, "INCIDENT_STATUS_CHANGED")]
    assert moves == ["triage", "investigating", "closed"]


def test_dismissing_needs_a_reason(session: Session, world: World) -> None:
    lead = _as(session, world.lead)
    ref = _open(session, lead, world, playbook="none")
    with pytest.raises(Invalid, match="say why"):
        service.move(session, actor=lead, ref=ref, to=StatusMove(status=Status.DISMISSED))
    done = service.move(
        session,
        actor=lead,
        ref=ref,
        to=StatusMove(status=Status.DISMISSED, reason="A test repository with fake data."),
    )
    assert done.status == Status.DISMISSED and done.dismissed_reason


def test_escalating_an_alert_opens_a_case_and_a_second_joins_it(
    session: Session, world: World
) -> None:
    lead = _as(session, world.lead)
    alert = make_alert(session, person=world.suspect, secret_ids=[world.secret.id])
    out = triage.escalate(session, actor=lead, ref=alert.ref, note="Bulk downloads before leave")
    assert out.case and out.case.startswith("IN-")
    case = service.get(session, actor=lead, ref=out.case)
    assert case.origin == Origin.ALERT and case.origin_ref == alert.ref
    assert case.kind == IncidentKind.THEFT and case.tasks
    assert {s.kind.value for s in case.subjects} >= {"secret", "person"}
    # the same finding handed over twice joins the open case instead of opening another
    finding = leak_escalation.Finding(
        kind="leak-match",
        reference="LM-0042",
        secret_ids=[world.secret.id],
        summary="LM-0042 in routing.py: 39 consecutive lines of the routing engine",
        note="found on GitHub",
    )
    first = leak_escalation.hand_over(session, lead, finding)
    again = leak_escalation.hand_over(session, lead, finding)
    assert first and first == again and first != out.case
    joined = _events(session, "INCIDENT_JOINED")
    assert [e["origin_ref"] for e in joined] == ["LM-0042"]
    leak_case = service.get(session, actor=lead, ref=first)
    assert leak_case.kind == IncidentKind.LEAK_FOUND and leak_case.origin == Origin.LEAK_MATCH


def test_the_team_takes_its_role_tasks_and_keeps_a_lead(session: Session, world: World) -> None:
    lead = _as(session, world.lead)
    ref = _open(session, lead, world)
    case = team.add_member(
        session,
        actor=lead,
        ref=ref,
        data=MemberAdd(user=world.counsel.username, role=TeamRole.LEGAL),
    )
    legal_tasks = [t for t in case.tasks if t.role == TeamRole.LEGAL]
    assert legal_tasks and all(t.owner == "Lee Counsel" for t in legal_tasks)
    with pytest.raises(Invalid, match="needs an incident lead"):
        team.remove_member(
            session, actor=lead, ref=ref, user=world.lead.username, role=TeamRole.LEAD
        )
    # counsel works their own task and it reaches their My tasks until done
    counsel = _as(session, world.counsel)
    mine = service.tasks_for(session, actor=counsel)
    assert mine and all(t.group == "Incidents" and ref in t.title for t in mine)
    number = legal_tasks[0].number
    with pytest.raises(Invalid, match="why the task is skipped"):
        team.change_task(
            session,
            actor=counsel,
            ref=ref,
            number=number,
            data=TaskChange(status=TaskStatus.SKIPPED),
        )
    done = team.change_task(
        session, actor=counsel, ref=ref, number=number, data=TaskChange(status=TaskStatus.DONE)
    )
    task = next(t for t in done.tasks if t.number == number)
    assert task.status == TaskStatus.DONE and task.done_by and "Lee Counsel" in task.done_by
    assert len(service.tasks_for(session, actor=counsel)) == len(mine) - 1


def test_remediation_items_need_an_owner_and_a_date(session: Session, world: World) -> None:
    lead = _as(session, world.lead)
    ref = _open(session, lead, world, playbook="none")
    with pytest.raises(Invalid, match="owner and a due date"):
        team.add_task(
            session,
            actor=lead,
            ref=ref,
            data=TaskCreate(title="Block git", kind=TaskKind.REMEDIATION),
        )
    due = clock.now() + timedelta(days=30)
    case = team.add_task(
        session,
        actor=lead,
        ref=ref,
        data=TaskCreate(
            title="Block personal git remotes",
            kind=TaskKind.REMEDIATION,
            owner=world.owner.username,
            due_at=due,
        ),
    )
    item = case.tasks[-1]
    assert item.kind == TaskKind.REMEDIATION and item.step == 6 and item.owner == "Olga Owner"
    owner = _as(session, world.owner)
    assert [t.title for t in service.tasks_for(session, actor=owner)] == [
        f"Remediate task {item.number} of {ref}: Block personal git remotes"
    ]


def test_who_sees_a_case(session: Session, world: World) -> None:
    lead = _as(session, world.lead)
    ref = _open(session, lead, world, playbook="none")
    owner = _as(session, world.owner)
    with pytest.raises(NotFound):
        service.get(session, actor=owner, ref=ref)
    with pytest.raises(Forbidden):
        service.list_cases(session, actor=owner, page=PageParams())
    team.add_member(
        session, actor=lead, ref=ref, data=MemberAdd(user=world.owner.username, role=TeamRole.OWNER)
    )
    assert service.get(session, actor=owner, ref=ref).ref == ref
    team.add_note(session, actor=owner, ref=ref, data=NoteCreate(body="The repo is still public."))
    with pytest.raises(Forbidden):
        service.update(session, actor=owner, ref=ref, changes=CaseUpdate(severity="critical"))
    lines = timeline.timeline(session, actor=lead, ref=ref)
    assert any(line.source == "note" and "still public" in line.text for line in lines)
    assert any(
        line.source == "case" and line.text.startswith("Incident case opened") for line in lines
    )


def test_clocks_follow_the_facts_and_a_notice_meets_one(session: Session, world: World) -> None:
    lead = _as(session, world.lead)
    found = pinned_now() - timedelta(hours=2)
    ref = _open(
        session,
        lead,
        world,
        playbook="none",
        discovered_at=found,
        facts=CaseFacts(personal_data=True, data_subject_countries=["DE"], jurisdictions=["DE"]),
    )
    clocks = {c.key: c for c in clocking.clocks(session, actor=lead, ref=ref, tz="Europe/Berlin")}
    gdpr = next(c for k, c in clocks.items() if "33" in c.citation and "GDPR" in c.regime.upper())
    assert gdpr.due_at == found + timedelta(hours=72) and gdpr.status == "running"
    assert str(gdpr.due_local.tzinfo) == "Europe/Berlin"
    with pytest.raises(Invalid, match="no clock 'nope' applies"):
        clocking.give_notice(session, actor=lead, ref=ref, data=NoticeGiven(clock="nope"))
    clocking.give_notice(
        session, actor=lead, ref=ref, data=NoticeGiven(clock=gdpr.key, note="BfDI portal, ref 77")
    )
    again = {c.key: c for c in clocking.clocks(session, actor=lead, ref=ref, tz="UTC")}
    assert again[gdpr.key].status == "met"
    # without personal data no GDPR clock applies
    service.update(session, actor=lead, ref=ref, changes=CaseUpdate(facts=CaseFacts()))
    keys = {c.key for c in clocking.clocks(session, actor=lead, ref=ref, tz="UTC")}
    assert gdpr.key not in keys


def test_reminders_go_to_the_lead_once_per_stage(session: Session, world: World) -> None:
    lead = _as(session, world.lead)
    found = pinned_now() - timedelta(hours=70)
    ref = _open(
        session,
        lead,
        world,
        playbook="none",
        discovered_at=found,
        facts=CaseFacts(personal_data=True, data_subject_countries=["FR"], jurisdictions=["FR"]),
    )
    worker = system_actor("worker")
    sent = clocking.remind(session, actor=worker, tz="UTC")
    assert any(ref in line for line in sent)
    assert clocking.remind(session, actor=worker, tz="UTC") == []
    mails = session.scalars(
        select(MailMessage).where(MailMessage.kind == "incident-deadline")
    ).all()
    assert mails and all(m.recipient_name == "Sam Lead" for m in mails)
    assert any("due soon" in m.subject and ref in m.subject for m in mails)
    assert len(_events(session, "INCIDENT_CLOCK_NOTIFIED")) == len(sent)


def test_every_change_is_recorded_in_its_transaction(db: Database, world: World) -> None:
    """A refused open leaves neither a case nor its event."""
    with db.unit_of_work() as s:
        lead = _as(s, world.lead)
        before = len(_events(s, "INCIDENT_OPENED"))
    with pytest.raises(Invalid), db.unit_of_work() as s:
        _open(s, lead, world, people=["nobody@example.com"])
    with db.unit_of_work() as s:
        assert len(_events(s, "INCIDENT_OPENED")) == before
        assert s.scalar(select(Task.id)) is None
