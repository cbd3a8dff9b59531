"""JSON API of the report channel for case handlers, under /api/v1/reports: list, show,
reply, acknowledge, assign, move or close, protect the reporter, open a case; and the
approvals of actions against protected people (asked for by those who take such actions).
Reporters use the public pages only: there is no public API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents.reports import approvals, service
from crownjewels.incidents.reports.schemas import (
    Acknowledge,
    ApprovalDecision,
    ApprovalRead,
    ApprovalRequest,
    ApprovalStatus,
    Assign,
    CaseFromReport,
    LiftProtection,
    Protect,
    Reply,
    ReportRead,
    ReportStatus,
    ReportSummary,
    StatusChange,
)
from crownjewels.incidents.schemas import CaseRead

router = APIRouter(prefix="/reports", tags=["reports"])
Handler = Annotated[Actor, Depends(require(P.REPORTS_HANDLE))]
Asker = Annotated[Actor, Depends(require(*approvals.REQUESTERS))]
ReportRef = Annotated[str, Path(max_length=20, description="the report: RP-0003")]
ApprovalRef = Annotated[str, Path(max_length=20, description="the approval: AA-0001")]


@router.get("", response_model=list[ReportSummary], summary="List reports")
def list_reports(
    session: DbSession,
    actor: Handler,
    status_: Annotated[ReportStatus | None, Query(alias="status")] = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
) -> list[ReportSummary]:
    """The reports the caller may see (never those naming them), newest first, with both
    deadlines of EU Directive 2019/1937."""
    return service.list_reports(session, actor=actor, status=status_, open_only=open_only)


@router.get("/approvals", response_model=list[ApprovalRead], summary="List approvals")
def list_approvals(
    session: DbSession,
    actor: Asker,
    status_: Annotated[ApprovalStatus | None, Query(alias="status")] = None,
) -> list[ApprovalRead]:
    """Approvals of actions against protected people: all for case handlers, one's own
    requests for the others."""
    return approvals.list_approvals(session, actor=actor, status=status_)


@router.post(
    "/approvals",
    response_model=ApprovalRead,
    status_code=status.HTTP_201_CREATED,
    summary="Ask for an approval",
)
def request_approval(session: DbSession, actor: Asker, body: ApprovalRequest) -> ApprovalRead:
    """Ask for an action against a protected person, with a reason; a case handler other
    than the asker decides."""
    return approvals.request(session, actor=actor, data=body)


@router.post("/approvals/{ref}/decision", response_model=ApprovalRead, summary="Approve or refuse")
def decide(
    session: DbSession, actor: Handler, ref: ApprovalRef, body: ApprovalDecision
) -> ApprovalRead:
    """Approve (the action may then run once) or refuse (saying why) a pending approval."""
    return approvals.decide(session, actor=actor, ref=ref, data=body)


@router.get("/{ref}", response_model=ReportRead, summary="Show a report")
def get_report(session: DbSession, actor: Handler, ref: ReportRef) -> ReportRead:
    """One report with its messages and files."""
    return service.get(session, actor=actor, ref=ref)


@router.post("/{ref}/messages", response_model=ReportRead, summary="Reply to the reporter")
def reply(session: DbSession, actor: Handler, ref: ReportRef, body: Reply) -> ReportRead:
    """A message the reporter reads with their code (nothing is sent to them)."""
    return service.reply(session, actor=actor, ref=ref, data=body)


@router.post("/{ref}/acknowledge", response_model=ReportRead, summary="Acknowledge receipt")
def acknowledge(
    session: DbSession, actor: Handler, ref: ReportRef, body: Acknowledge
) -> ReportRead:
    """Acknowledge the receipt to the reporter (Art. 9(1)(b))."""
    return service.acknowledge(session, actor=actor, ref=ref, data=body)


@router.post("/{ref}/assign", response_model=ReportRead, summary="Assign to a case handler")
def assign(session: DbSession, actor: Handler, ref: ReportRef, body: Assign) -> ReportRead:
    """Give the report to a case handler it does not name."""
    return service.assign(session, actor=actor, ref=ref, data=body)


@router.post("/{ref}/status", response_model=ReportRead, summary="Move or close a report")
def change_status(
    session: DbSession, actor: Handler, ref: ReportRef, body: StatusChange
) -> ReportRead:
    """In progress, closed (the note goes to the reporter) or reopened."""
    return service.change_status(session, actor=actor, ref=ref, data=body)


@router.post("/{ref}/protect", response_model=ReportRead, summary="Protect the reporter")
def protect(session: DbSession, actor: Handler, ref: ReportRef, body: Protect) -> ReportRead:
    """Protect the reporter as the person they are, from retaliation."""
    return service.protect(session, actor=actor, ref=ref, data=body)


@router.post(
    "/{ref}/lift-protection", response_model=ReportRead, summary="End the reporter's protection"
)
def lift_protection(
    session: DbSession, actor: Handler, ref: ReportRef, body: LiftProtection
) -> ReportRead:
    """End the protection of the report's reporter, with the reason; needs an approved
    lift-protection of the reporter (another case handler's), asked for at /reports/approvals."""
    return service.lift_protection(session, actor=actor, ref=ref, data=body)


@router.post(
    "/{ref}/open-case",
    response_model=CaseRead,
    status_code=status.HTTP_201_CREATED,
    summary="Open an incident case",
)
def open_case(session: DbSession, actor: Handler, ref: ReportRef, body: CaseFromReport) -> CaseRead:
    """Open an incident case from the report (needs incidents:write too)."""
    return service.open_case(session, actor=actor, ref=ref, data=body)
