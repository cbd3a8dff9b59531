"""The case handlers' side of the report channel: list and read the reports they may see (never
one that names them as involved: it is not found), reply to the reporter, acknowledge, assign,
move and close a report, protect its reporter, and open an incident case from it. Every change
is a custody event of the report in the same transaction; nothing of a report's content goes
into the custody log.

Who: holders of reports:handle (the case-handler role; administrators do not hold it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission as P
from crownjewels.core.tasks import Task as MyTask
from crownjewels.custody import labels
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.incidents import repository as cases_repository
from crownjewels.incidents import service as cases
from crownjewels.incidents.models import Report, ReportMessage
from crownjewels.incidents.reports import approvals, notify, repository, routing, rules
from crownjewels.incidents.reports.attachments import attachments_of
from crownjewels.incidents.reports.errors import ReportConflict, ReportNotFound
from crownjewels.incidents.reports.schemas import (
    REPORTER_WORDS,
    Acknowledge,
    Assign,
    CaseFromReport,
    Deadlines,
    LiftProtection,
    MessageRead,
    Protect,
    Reply,
    ReporterKind,
    ReportRead,
    ReportStatus,
    ReportSummary,
    StatusChange,
    Waiting,
)
from crownjewels.incidents.schemas import CaseOpen, CaseRead, Origin
from crownjewels.parties import accounts
from crownjewels.parties import service as parties

SUBJECT = "report"
OPEN = (ReportStatus.RECEIVED, ReportStatus.ACKNOWLEDGED, ReportStatus.IN_PROGRESS)
#: the acknowledgement the reporter reads when the handler writes none
ACKNOWLEDGEMENT = (
    "Thank you for your report. We received it on {received:%Y-%m-%d} and a case handler is "
    "following it up. We will tell you what we do about it by {due:%Y-%m-%d} at the latest. "
    "You can write to us here at any time with your code and password."
)


def record(session: Session, actor: Actor, row: Report, event: EventType, **details: Any) -> None:
    """One custody event of a report, with its reference (never its content)."""
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, **details},
    )


def row(session: Session, actor: Actor, ref: str) -> Report:
    """The report of that reference, if the actor handles reports and it does not name them."""
    actor.require(P.REPORTS_HANDLE, what="reading the report channel's reports")
    found = repository.by_ref(session, ref)
    if found is None or routing.routed_away(found, actor):
        raise ReportNotFound(
            f"there is no report {ref.strip()}; `crownjewels reports list` shows the reports"
        )
    return found


def _open(session: Session, actor: Actor, ref: str) -> Report:
    found = row(session, actor, ref)
    if found.status == ReportStatus.CLOSED:
        raise ReportConflict(
            f"{found.ref} is closed; reopen it (status in-progress) to follow it up again"
        )
    return found


def _deadlines(found: Report) -> Deadlines:
    return rules.deadlines(
        received_at=found.received_at,
        acknowledged_at=found.acknowledged_at,
        feedback_at=found.feedback_at,
        closed=found.status == ReportStatus.CLOSED,
        now=clock.now(),
    )


def summaries(session: Session, rows: list[Report]) -> list[ReportSummary]:
    """Reports as the list shows them: deadlines, handler, case, whether the reporter waits."""
    names = labels.subjects(session, [("user", r.handler_id) for r in rows if r.handler_id])
    case_refs = repository.case_refs(session, {r.incident_id for r in rows if r.incident_id})
    waiting = repository.last_from_reporter(session, [r.id for r in rows])
    return [
        ReportSummary(
            ref=r.ref,
            subject=r.subject,
            status=ReportStatus(r.status),
            received_at=r.received_at,
            deadlines=_deadlines(r),
            handler=names[f"user:{r.handler_id}"].text if r.handler_id else None,
            case=case_refs.get(r.incident_id or ""),
            waiting_for_reply=r.id in waiting,
        )
        for r in rows
    ]


def _messages(session: Session, found: Report) -> list[MessageRead]:
    rows = repository.messages_of(session, found.id)
    authors = labels.subjects(session, [("user", m.author_id) for m in rows if m.author_id])
    return [
        MessageRead(
            from_reporter=m.from_reporter,
            author=(
                None
                if m.from_reporter
                else authors[f"user:{m.author_id}"].text
                if m.author_id and f"user:{m.author_id}" in authors
                else "case handler"
            ),
            body=m.body,
            created_at=m.created_at,
        )
        for m in rows
    ]


def read(session: Session, found: Report) -> ReportRead:
    """A report as a case handler reads it, the people it names by name."""
    protection = repository.protected_by_report(session, found.id)
    people = parties.person_names(
        session, {*found.involved_people, *([protection.person_id] if protection else [])}
    )
    return ReportRead(
        **summaries(session, [found])[0].model_dump(),
        body=found.body,
        reporter_kind=ReporterKind(found.reporter_kind),
        reporter_kind_words=REPORTER_WORDS[ReporterKind(found.reporter_kind)],
        reporter_name=found.reporter_name,
        reporter_contact=found.reporter_contact,
        involved=found.involved,
        involved_people=sorted(people[p] for p in found.involved_people if p in people),
        protected=people.get(protection.person_id) if protection else None,
        closed_at=found.closed_at,
        messages=_messages(session, found),
        attachments=attachments_of(session, found),
    )


def list_reports(
    session: Session, *, actor: Actor, status: ReportStatus | None = None, open_only: bool = False
) -> list[ReportSummary]:
    """The reports the actor may see, newest first (of a status, or the open ones)."""
    actor.require(P.REPORTS_HANDLE, what="reading the report channel's reports")
    statuses = [status.value] if status else [s.value for s in OPEN] if open_only else []
    return summaries(session, repository.reports(session, actor.person_id, statuses))


def get(session: Session, *, actor: Actor, ref: str) -> ReportRead:
    """One report by reference (RP-0003)."""
    return read(session, row(session, actor, ref))


def _say(session: Session, actor: Actor, found: Report, body: str) -> None:
    """A case handler's message to the reporter (REPORT_MESSAGE_ADDED)."""
    session.add(
        ReportMessage(
            report_id=found.id,
            from_reporter=False,
            author_id=actor.id if actor.kind == "user" else None,
            body=body,
            created_at=clock.now(),
        )
    )
    record(session, actor, found, EventType.REPORT_MESSAGE_ADDED, by="handler")


def _move(session: Session, actor: Actor, found: Report, to: ReportStatus, **more: Any) -> None:
    """A new status (REPORT_STATUS_CHANGED from what it was)."""
    before = found.status
    found.status = to.value
    details = {"from": before, "to": to.value, **more}
    record(session, actor, found, EventType.REPORT_STATUS_CHANGED, **details)


def acknowledge(session: Session, *, actor: Actor, ref: str, data: Acknowledge) -> ReportRead:
    """Acknowledge the receipt to the reporter (Art. 9(1)(b)): the message they read, and the
    three months of the feedback run from now."""
    found = _open(session, actor, ref)
    if found.acknowledged_at is not None:
        raise ReportConflict(f"{found.ref} was acknowledged on {found.acknowledged_at:%Y-%m-%d}")
    now = clock.now()
    found.acknowledged_at = now
    text = data.message or ACKNOWLEDGEMENT.format(
        received=found.received_at, due=rules.feedback_due(found.received_at, now)
    )
    _say(session, actor, found, text)
    _move(session, actor, found, ReportStatus.ACKNOWLEDGED)
    return read(session, found)


def reply(session: Session, *, actor: Actor, ref: str, data: Reply) -> ReportRead:
    """Write to the reporter (nothing is sent: they read it with their code). The first reply
    acknowledges the receipt; a reply marked `feedback` is the feedback of Art. 9(1)(f)."""
    found = _open(session, actor, ref)
    now = clock.now()
    _say(session, actor, found, data.body)
    if found.acknowledged_at is None:
        found.acknowledged_at = now
        _move(session, actor, found, ReportStatus.ACKNOWLEDGED)
    if data.feedback and found.feedback_at is None:
        found.feedback_at = now
        if found.status == ReportStatus.ACKNOWLEDGED:
            _move(session, actor, found, ReportStatus.IN_PROGRESS)
    return read(session, found)


def assign(session: Session, *, actor: Actor, ref: str, data: Assign) -> ReportRead:
    """Give the report to a case handler (REPORT_ASSIGNED): one who holds reports:handle and
    whom the report does not name; they are told by mail."""
    found = row(session, actor, ref)
    user_id = cases.user_id(session, data.handler, "handler")
    assignee = accounts.actor_for_user(session, user_id=user_id, mfa=True)
    if not assignee.can(P.REPORTS_HANDLE):
        raise Invalid(
            f"{assignee.name} is not a case handler; give them the role first", field="handler"
        )
    if routing.routed_away(found, assignee):
        raise Invalid(
            f"{found.ref} names {assignee.name} as involved: it cannot be theirs", field="handler"
        )
    found.handler_id = user_id
    record(session, actor, found, EventType.REPORT_ASSIGNED, handler=user_id)
    if assignee.person_id and user_id != actor.id:
        notify.assigned(session, found, assignee.person_id, actor.name)
    return read(session, found)


def change_status(session: Session, *, actor: Actor, ref: str, data: StatusChange) -> ReportRead:
    """Move a report to in-progress (acknowledged first), close it with a note the reporter
    reads (their feedback, if none was given yet), or reopen a closed one."""
    found = row(session, actor, ref)
    current = ReportStatus(found.status)
    if data.status == current:
        raise ReportConflict(f"{found.ref} is {current.value} already")
    if data.status == ReportStatus.IN_PROGRESS:
        if found.acknowledged_at is None:
            raise ReportConflict(f"acknowledge {found.ref} first: the reporter reads it")
        if current == ReportStatus.CLOSED:
            found.closed_at = None
    elif data.status == ReportStatus.CLOSED:
        if len(data.note) < 3:
            raise Invalid("say what was done: the reporter reads it", field="note")
        _say(session, actor, found, data.note)
        now = clock.now()
        found.closed_at = now
        found.acknowledged_at = found.acknowledged_at or now
        found.feedback_at = found.feedback_at or now
    else:
        raise Invalid(
            "a report moves to in-progress or closed; acknowledge it with its own action",
            field="status",
        )
    _move(session, actor, found, data.status, note=data.note or None)
    return read(session, found)


def open_case(session: Session, *, actor: Actor, ref: str, data: CaseFromReport) -> CaseRead:
    """Open an incident case from the report (origin report; INCIDENT_OPENED) and link them.
    The reporter's name goes into the case only when they gave it and `include_reporter`."""
    found = row(session, actor, ref)
    if found.incident_id:
        case_ref = repository.case_refs(session, {found.incident_id}).get(found.incident_id)
        raise ReportConflict(f"{found.ref} opened {case_ref} already")
    summary = data.summary or f"Opened from report {found.ref} of the report channel."
    if data.include_reporter:
        if not (found.reporter_name or found.reporter_contact):
            raise Invalid("the reporter gave no name to include", field="include_reporter")
        who = ", ".join(v for v in (found.reporter_name, found.reporter_contact) if v)
        summary += f"\n\nReported by {who} (who asked for protection from retaliation)."
    opened = cases.open_case(
        session,
        actor=actor,
        data=CaseOpen(
            title=data.title,
            kind=data.kind,
            severity=data.severity,
            summary=summary,
            origin=Origin.REPORT,
            origin_ref=found.ref,
        ),
    )
    case = cases_repository.case_by_ref(session, opened.ref)
    found.incident_id = case.id if case else None
    record(session, actor, found, EventType.REPORT_STATUS_CHANGED, case=opened.ref)
    return opened


def protect(session: Session, *, actor: Actor, ref: str, data: Protect) -> ReportRead:
    """Protect the report's reporter as the person they are (REPORTER_PROTECTED): adverse
    actions against them then need a second approval."""
    found = row(session, actor, ref)
    if repository.protected_by_report(session, found.id) is not None:
        raise ReportConflict(f"the reporter of {found.ref} is protected already")
    matched = routing.people_named(session, data.person)
    if len(matched) != 1:
        raise Invalid(
            f"{data.person} names {'several people' if matched else 'no one'}; type an email",
            field="person",
        )
    if not approvals.protect_person(session, actor=actor, row=found, person_id=matched[0]):
        raise ReportConflict(f"{data.person} is protected already (through another report)")
    return read(session, found)


def lift_protection(
    session: Session, *, actor: Actor, ref: str, data: LiftProtection
) -> ReportRead:
    """End the protection of the report's reporter, with the reason (a wrong match, a report
    found knowingly false): ending it is itself an action against the reporter, so another
    case handler must have approved it first (approvals.lift_protection)."""
    found = row(session, actor, ref)
    protection = repository.protected_by_report(session, found.id)
    if protection is None:
        raise ReportConflict(f"the reporter of {found.ref} is not protected")
    approvals.lift_protection(
        session, actor=actor, row=found, protection=protection, reason=data.reason
    )
    return read(session, found)


def tasks_for(session: Session, *, actor: Actor) -> list[MyTask]:
    """For case handlers: the reports to acknowledge and to give feedback on (by their
    deadlines), and the approvals waiting for their decision."""
    if actor.kind != "user" or not actor.can(P.REPORTS_HANDLE):
        return []
    out = []
    for found in repository.reports(session, actor.person_id, [s.value for s in OPEN]):
        if found.acknowledged_at is None:
            due = rules.acknowledgement_due(found.received_at)
            title = f"Acknowledge report {found.ref} to its reporter"
        elif found.feedback_at is None:
            due = rules.feedback_due(found.received_at, found.acknowledged_at)
            title = f"Give the reporter of {found.ref} feedback on what is done"
        else:
            continue
        out.append(
            MyTask(
                kind="report-follow-up",
                group="Incidents",
                title=title,
                href=f"/reports/{found.ref}",
                due_on=due.date(),
            )
        )
    return out + approvals.tasks_for(session, actor=actor)


def waiting(session: Session, *, actor: Actor) -> Waiting:
    """The open reports the actor may see still to acknowledge, still without feedback, and
    overdue; the approvals they may decide."""
    actor.require(P.REPORTS_HANDLE, what="reading the report channel's reports")
    rows = summaries(session, repository.reports(session, actor.person_id, [s.value for s in OPEN]))
    return Waiting(
        to_acknowledge=sum(r.deadlines.acknowledged_at is None for r in rows),
        to_answer=sum(
            r.deadlines.acknowledged_at is not None and r.deadlines.feedback_at is None
            for r in rows
        ),
        overdue=sum(r.overdue for r in rows),
        approvals=len(approvals.tasks_for(session, actor=actor)),
    )
