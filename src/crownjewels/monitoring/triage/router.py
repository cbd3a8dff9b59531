"""JSON API of triage under /api/v1/monitoring/alerts: the queue with its filters and counts,
an alert with its evidence, trail and activity, the per-rule feedback, and the actions
(assign, comment, dismiss, confirm, reopen, suspend the person's grants, escalate)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from crownjewels.core.actor import Actor
from crownjewels.core.http import DbSession, Paging, require
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring.schemas import Severity
from crownjewels.monitoring.triage import service as triage
from crownjewels.monitoring.triage.schemas import (
    Activity,
    AlertFilter,
    AlertQueue,
    AlertRead,
    Assignment,
    CommentIn,
    EscalationOutcome,
    EvidencePage,
    Note,
    NoteRead,
    Reason,
    RuleFeedback,
    StatusFilter,
    SuspensionOutcome,
)

router = APIRouter(prefix="/monitoring/alerts", tags=["monitoring: alerts"])
#: alerts:read, or a secret owner (the service narrows them to their own secrets' alerts)
Reader = Annotated[Actor, Depends(require(P.ALERTS_READ, P.SECRETS_READ_OWN))]
Triager = Annotated[Actor, Depends(require(P.ALERTS_TRIAGE))]


@router.get("", response_model=AlertQueue, summary="The alert queue")
def list_alerts(
    session: DbSession,
    actor: Reader,
    paging: Paging,
    status_: Annotated[StatusFilter, Query(alias="status")] = StatusFilter.ACTIVE,
    severity: Severity | None = None,
    secret: Annotated[str | None, Query(max_length=200)] = None,
    person: Annotated[str | None, Query(max_length=320)] = None,
    organisation: Annotated[str | None, Query(max_length=200)] = None,
    rule: Annotated[str | None, Query(max_length=60)] = None,
    assignee: Annotated[str | None, Query(max_length=320)] = None,
) -> AlertQueue:
    """Alerts most severe first, then latest first; `status=active` (the default) is the
    open and assigned ones; counts by status and severity under the other filters."""
    filters = AlertFilter(
        status=status_,
        severity=severity,
        secret=secret,
        person=person,
        organisation=organisation,
        rule=rule,
        assignee=assignee,
    )
    return triage.list_alerts(session, actor=actor, filters=filters, page=paging)


@router.get("/rules", response_model=list[RuleFeedback], summary="Triage feedback per rule")
def rule_feedback(session: DbSession, actor: Reader) -> list[RuleFeedback]:
    """How each rule's alerts were decided, with the latest dismissal reasons."""
    return triage.rule_feedback(session, actor=actor)


@router.get("/{ref}", response_model=AlertRead, summary="One alert")
def show_alert(session: DbSession, actor: Reader, ref: str) -> AlertRead:
    """The alert (AL-0007) with its explanation, facts and names."""
    return triage.get(session, actor=actor, ref=ref)


@router.get("/{ref}/events", response_model=EvidencePage, summary="The evidence events")
def alert_events(
    session: DbSession,
    actor: Reader,
    ref: str,
    limit: Annotated[int, Query(ge=1, le=triage.EVIDENCE_LIMIT)] = triage.EVIDENCE_LIMIT,
) -> EvidencePage:
    """The events behind the alert, oldest first, and how many there are."""
    events, total = triage.evidence(session, actor=actor, ref=ref, limit=limit)
    return EvidencePage(events=events, total=total)


@router.get("/{ref}/trail", response_model=list[NoteRead], summary="The triage trail")
def alert_trail(session: DbSession, actor: Reader, ref: str) -> list[NoteRead]:
    """Comments, assignments and decisions, oldest first."""
    return triage.trail(session, actor=actor, ref=ref)


@router.get("/{ref}/activity", response_model=Activity, summary="Activity against baseline")
def alert_activity(session: DbSession, actor: Reader, ref: str) -> Activity:
    """The person's events per day, each day against the median and MAD of the days before."""
    return triage.activity(session, actor=actor, ref=ref)


@router.post("/{ref}/assign", response_model=AlertRead, summary="Assign an alert")
def assign(session: DbSession, actor: Triager, ref: str, data: Assignment) -> AlertRead:
    """Give the alert to someone (email, name or "me")."""
    return triage.assign(session, actor=actor, ref=ref, assignee=data.assignee)


@router.post("/{ref}/comments", response_model=AlertRead, summary="Comment on an alert")
def comment(session: DbSession, actor: Triager, ref: str, data: CommentIn) -> AlertRead:
    """Add a comment to the trail."""
    return triage.comment(session, actor=actor, ref=ref, body=data.body)


@router.post("/{ref}/dismiss", response_model=AlertRead, summary="Dismiss an alert")
def dismiss(session: DbSession, actor: Triager, ref: str, data: Reason) -> AlertRead:
    """A false alarm, and why (kept as the rule's tuning feedback)."""
    return triage.dismiss(session, actor=actor, ref=ref, reason=data.reason)


@router.post("/{ref}/confirm", response_model=AlertRead, summary="Confirm a true positive")
def confirm(session: DbSession, actor: Triager, ref: str, data: Note) -> AlertRead:
    """Mark the alert a true positive."""
    return triage.confirm(session, actor=actor, ref=ref, note=data.note)


@router.post("/{ref}/reopen", response_model=AlertRead, summary="Reopen a decided alert")
def reopen(session: DbSession, actor: Triager, ref: str, data: Reason) -> AlertRead:
    """Back into the queue, and why."""
    return triage.reopen(session, actor=actor, ref=ref, reason=data.reason)


@router.post(
    "/{ref}/suspend-grants",
    response_model=SuspensionOutcome,
    summary="Suspend the person's grants",
)
def suspend_grants(session: DbSession, actor: Triager, ref: str, data: Reason) -> SuspensionOutcome:
    """Every live grant of the alert's person, suspended in one action (grants:manage too)."""
    return triage.suspend_grants(session, actor=actor, ref=ref, reason=data.reason)


@router.post("/{ref}/escalate", response_model=EscalationOutcome, summary="Escalate an alert")
def escalate(session: DbSession, actor: Triager, ref: str, data: Note) -> EscalationOutcome:
    """Hand the alert to the incident capability (or mark it escalated when none is there)."""
    return triage.escalate(session, actor=actor, ref=ref, note=data.note or "")
