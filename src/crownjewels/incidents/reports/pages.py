"""The case handlers' pages of the report channel: /reports (the reports they may see with
both deadlines, the overdue ones marked), /reports/RP-0003 (the report, its files, the
messages and the reply form; acknowledge, assign, move, close, protect the reporter, open a
case) and /reports/approvals (actions against protected people: asked for by those who take
them, decided by a case handler other than the asker). The public pages are in public.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from crownjewels.core import adverse
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import PostedForm, act, flash, flash_refusal, redirect, render, text
from crownjewels.core.http import DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents.reports import approvals, routing, service
from crownjewels.incidents.reports.schemas import (
    Acknowledge,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    Assign,
    CaseFromReport,
    LiftProtection,
    Protect,
    Reply,
    ReportStatus,
    StatusChange,
)
from crownjewels.incidents.schemas import KIND_WORDS, Severity

router = APIRouter(prefix="/reports", include_in_schema=False)
Handler = Annotated[Actor, Depends(require(P.REPORTS_HANDLE))]
Asker = Annotated[Actor, Depends(require(*approvals.REQUESTERS))]
LIST = "/reports"
APPROVALS = "/reports/approvals"
T = "incidents/reports/"
#: the list's filters: (value, words)
FILTERS = [
    ("open", "Open"),
    *((s.value, s.value.replace("-", " ").capitalize()) for s in ReportStatus),
    ("all", "All"),
]


@router.get("")
def reports(request: Request, session: DbSession, actor: Handler, status: str = "open") -> Response:
    """The reports the handler may see with both deadlines (open ones by default)."""
    wanted = ReportStatus(status) if status in set(ReportStatus) else None
    if wanted is None and status != "all":
        status = "open"
    rows = service.list_reports(session, actor=actor, status=wanted, open_only=status == "open")
    ctx = {"reports": rows, "status": status, "filters": FILTERS}
    return render(request, T + "list.html", ctx)


@router.get("/approvals")
def approvals_page(request: Request, session: DbSession, actor: Asker) -> Response:
    """Actions against protected people: the form to ask, and the approvals to decide."""
    rows = approvals.list_approvals(session, actor=actor)
    ctx = {
        "approvals": rows,
        "actions": list(adverse.ACTIONS.items()),
        "targets": adverse.TARGETS,
        "may_decide": actor.can(P.REPORTS_HANDLE),
        "pending": ApprovalStatus.PENDING,
        "values": dict(request.query_params),
    }
    return render(request, T + "approvals.html", ctx)


@router.post("/approvals")
def ask(request: Request, session: DbSession, actor: Asker, form: PostedForm) -> Response:
    """Ask for the approval of an action against a protected person."""
    try:
        data = ApprovalRequest.model_validate(
            {k: text(form, k) for k in ("person", "action", "target", "reason")}
        )
        done = approvals.request(session, actor=actor, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return redirect(APPROVALS)
    flash(request, f"{done.ref} asks for it; a case handler other than you decides.")
    return redirect(f"{APPROVALS}#{done.ref}")


@router.post("/approvals/{ref}/decision")
def decide(
    request: Request, session: DbSession, actor: Handler, ref: str, form: PostedForm
) -> Response:
    """Approve or refuse a pending approval."""

    def do() -> str:
        data = ApprovalDecision(approve=text(form, "approve") == "yes", note=text(form, "note"))
        done = approvals.decide(session, actor=actor, ref=ref, data=data)
        return f"{done.ref} is {done.status.value}."

    return act(request, session, f"{APPROVALS}#{ref.strip().upper()}", do)


@router.get("/{ref}")
def report(request: Request, session: DbSession, actor: Handler, ref: str) -> Response:
    """One report: what the reporter wrote, the files, the messages and every action."""
    found = service.get(session, actor=actor, ref=ref)
    row = service.row(session, actor, ref)
    assignable = [
        h for h in routing.handlers(session) if h.person_id not in (row.involved_people or [])
    ]
    ctx = {
        "report": found,
        "handlers": [(h.email, h.name) for h in assignable],
        "may_open_case": actor.can(P.INCIDENTS_WRITE),
        "kinds": [(k.value, words) for k, words in KIND_WORDS.items()],
        "severities": [(s.value, s.value.capitalize()) for s in Severity],
    }
    return render(request, T + "report.html", ctx)


def _back(ref: str, anchor: str = "") -> str:
    return f"{LIST}/{ref.strip().upper()}{anchor}"


@router.post("/{ref}/reply")
def reply(
    request: Request, session: DbSession, actor: Handler, ref: str, form: PostedForm
) -> Response:
    """Write to the reporter (they read it with their code)."""

    def do() -> str:
        data = Reply.model_validate(
            {"body": str(form.get("body") or ""), "feedback": text(form, "feedback") == "on"}
        )
        done = service.reply(session, actor=actor, ref=ref, data=data)
        return f"Your message is on {done.ref}; the reporter reads it with their code."

    return act(request, session, _back(ref, "#messages"), do)


@router.post("/{ref}/acknowledge")
def acknowledge(
    request: Request, session: DbSession, actor: Handler, ref: str, form: PostedForm
) -> Response:
    """Acknowledge the receipt to the reporter."""

    def do() -> str:
        data = Acknowledge(message=text(form, "message") or None)
        done = service.acknowledge(session, actor=actor, ref=ref, data=data)
        due = done.deadlines.feedback_due
        return f"{done.ref} is acknowledged; feedback is due by {due:%Y-%m-%d}."

    return act(request, session, _back(ref), do)


@router.post("/{ref}/assign")
def assign(
    request: Request, session: DbSession, actor: Handler, ref: str, form: PostedForm
) -> Response:
    """Give the report to a case handler."""

    def do() -> str:
        done = service.assign(
            session, actor=actor, ref=ref, data=Assign(handler=text(form, "handler"))
        )
        return f"{done.ref} is assigned to {done.handler}."

    return act(request, session, _back(ref), do)


@router.post("/{ref}/status")
def move(
    request: Request, session: DbSession, actor: Handler, ref: str, form: PostedForm
) -> Response:
    """Move the report to in-progress, close it with a note to the reporter, or reopen it."""

    def do() -> str:
        data = StatusChange.model_validate(
            {"status": text(form, "status"), "note": text(form, "note")}
        )
        done = service.change_status(session, actor=actor, ref=ref, data=data)
        return f"{done.ref} is {done.status.value.replace('-', ' ')}."

    return act(request, session, _back(ref), do)


@router.post("/{ref}/protect")
def protect(
    request: Request, session: DbSession, actor: Handler, ref: str, form: PostedForm
) -> Response:
    """Protect the reporter as the person they are."""

    def do() -> str:
        done = service.protect(
            session, actor=actor, ref=ref, data=Protect(person=text(form, "person"))
        )
        return f"{done.protected} is protected from retaliation."

    return act(request, session, _back(ref, "#protection"), do)


@router.post("/{ref}/lift-protection")
def lift_protection(
    request: Request, session: DbSession, actor: Handler, ref: str, form: PostedForm
) -> Response:
    """End the reporter's protection, with the reason (once another case handler approved)."""

    def do() -> str:
        data = LiftProtection(reason=text(form, "reason"))
        done = service.lift_protection(session, actor=actor, ref=ref, data=data)
        return f"The reporter of {done.ref} is no longer protected from retaliation."

    return act(request, session, _back(ref, "#protection"), do)


@router.post("/{ref}/open-case")
def open_case(
    request: Request, session: DbSession, actor: Handler, ref: str, form: PostedForm
) -> Response:
    """Open an incident case from the report."""
    try:
        data = CaseFromReport.model_validate(
            {
                "title": text(form, "title"),
                "kind": text(form, "kind"),
                "severity": text(form, "severity") or "medium",
                "summary": str(form.get("summary") or ""),
                "include_reporter": text(form, "include_reporter") == "on",
            }
        )
        opened = service.open_case(session, actor=actor, ref=ref, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return redirect(_back(ref, "#case"))
    flash(request, f"{opened.ref} is opened from {ref.strip().upper()}.")
    return redirect(f"/incidents/{opened.ref}")
