"""Pages of triage: the alert queue with its filters and counts (/alerts), an alert's page
with its explanation, the person's activity against their baseline, the evidence, their grants
and agreements, the trail and the action forms (/alerts/AL-0007), and the per-rule feedback
(/alerts/rules)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden
from crownjewels.core.forms import (
    PostedForm,
    act,
    actor_labels,
    field_errors,
    optional,
    render,
    text,
)
from crownjewels.core.http import DbSession, Paging, require
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring.schemas import Severity
from crownjewels.monitoring.triage import chart
from crownjewels.monitoring.triage import service as triage
from crownjewels.monitoring.triage.schemas import AlertFilter, AlertQueue, QueueCounts, StatusFilter

router = APIRouter(prefix="/alerts", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.ALERTS_READ, P.SECRETS_READ_OWN))]
Triager = Annotated[Actor, Depends(require(P.ALERTS_TRIAGE))]
FILTERS = ("status", "severity", "secret", "person", "organisation", "rule", "assignee")


@router.get("")
def queue_page(request: Request, session: DbSession, actor: Reader, paging: Paging) -> Response:
    """The queue: filters, counts by status and severity, the alerts most severe first."""
    typed = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    errors: dict[str, str] = {}
    try:
        filters = AlertFilter.model_validate({k: v for k, v in typed.items() if v})
        queue = triage.list_alerts(session, actor=actor, filters=filters, page=paging)
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        errors = field_errors(exc)
        filters = AlertFilter()
        queue = AlertQueue(alerts=[], total=0, counts=QueueCounts(by_status={}, by_severity={}))
    ctx: dict[str, Any] = {
        "queue": queue,
        "typed": typed,
        "status": filters.status.value,
        "statuses": list(StatusFilter),
        "severities": list(Severity),
        "errors": errors,
        "paging": paging,
    }
    return render(request, "monitoring/alerts.html", ctx, status=422 if errors else 200)


@router.get("/rules")
def rules_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """Each rule's alerts as triage decided them: the tuning feedback."""
    return render(
        request,
        "monitoring/alert_rules.html",
        {"feedback": triage.rule_feedback(session, actor=actor)},
    )


@router.get("/{ref}")
def alert_page(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """One alert: why, the activity chart, the evidence, grants and agreements, the trail and
    (for a triager) the actions."""
    alert = triage.get(session, actor=actor, ref=ref)
    events, total = triage.evidence(session, actor=actor, ref=ref)
    seen = triage.activity(session, actor=actor, ref=ref)
    trail = triage.trail(session, actor=actor, ref=ref)
    ctx = {
        "alert": alert,
        "events": events,
        "events_total": total,
        "activity": seen,
        "chart": chart.geometry(seen.days),
        "grants": triage.grants_of(session, actor=actor, ref=ref),
        "agreements": triage.agreements_of(session, actor=actor, ref=ref),
        "trail": trail,
        "labels": actor_labels(
            request, session, [n.author for n in trail] + [alert.resolved_by or ""]
        ),
        "may_triage": triage.may_triage(actor),
        "may_suspend": actor.can(P.GRANTS_MANAGE),
    }
    return render(request, "monitoring/alert.html", ctx)


@router.post("/{ref}/assign")
def assign(
    request: Request, session: DbSession, actor: Triager, form: PostedForm, ref: str
) -> Response:
    """Assign the alert (to "me" when no one is typed)."""
    who = text(form, "assignee") or "me"

    def do() -> str:
        done = triage.assign(session, actor=actor, ref=ref, assignee=who)
        return f"{done.ref} assigned to {done.assignee_name}"

    return act(request, session, f"/alerts/{ref}", do)


@router.post("/{ref}/comment")
def comment(
    request: Request, session: DbSession, actor: Triager, form: PostedForm, ref: str
) -> Response:
    """Add a comment."""
    return act(
        request,
        session,
        f"/alerts/{ref}",
        lambda: (
            triage.comment(session, actor=actor, ref=ref, body=text(form, "body")).ref
            + ": comment added"
        ),
    )


@router.post("/{ref}/dismiss")
def dismiss(
    request: Request, session: DbSession, actor: Triager, form: PostedForm, ref: str
) -> Response:
    """Dismiss with a reason."""
    return act(
        request,
        session,
        f"/alerts/{ref}",
        lambda: (
            triage.dismiss(session, actor=actor, ref=ref, reason=text(form, "reason")).ref
            + " dismissed"
        ),
    )


@router.post("/{ref}/confirm")
def confirm(
    request: Request, session: DbSession, actor: Triager, form: PostedForm, ref: str
) -> Response:
    """Mark a true positive."""
    return act(
        request,
        session,
        f"/alerts/{ref}",
        lambda: (
            triage.confirm(session, actor=actor, ref=ref, note=optional(form, "note")).ref
            + " confirmed as a true positive"
        ),
    )


@router.post("/{ref}/reopen")
def reopen(
    request: Request, session: DbSession, actor: Triager, form: PostedForm, ref: str
) -> Response:
    """Reopen with a reason."""
    return act(
        request,
        session,
        f"/alerts/{ref}",
        lambda: (
            triage.reopen(session, actor=actor, ref=ref, reason=text(form, "reason")).ref
            + " reopened"
        ),
    )


@router.post("/{ref}/suspend-grants")
def suspend_grants(
    request: Request, session: DbSession, actor: Triager, form: PostedForm, ref: str
) -> Response:
    """Suspend every live grant of the person."""

    def do() -> str:
        done = triage.suspend_grants(session, actor=actor, ref=ref, reason=text(form, "reason"))
        return f"{len(done.grants)} grant(s) suspended: {', '.join(done.grants)}"

    return act(request, session, f"/alerts/{ref}", do)


@router.post("/{ref}/escalate")
def escalate(
    request: Request, session: DbSession, actor: Triager, form: PostedForm, ref: str
) -> Response:
    """Escalate with a note."""
    return act(
        request,
        session,
        f"/alerts/{ref}",
        lambda: triage.escalate(session, actor=actor, ref=ref, note=text(form, "note")).message,
    )
