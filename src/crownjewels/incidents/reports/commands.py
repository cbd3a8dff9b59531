"""`crownjewels reports ...`: the report channel for case handlers (list, show, reply,
acknowledge, assign, move, close, protect the reporter, open a case), and `reports approvals
...` for actions against protected people (list, request, approve, refuse). Act as a case
handler with `--as EMAIL`."""

from __future__ import annotations

from datetime import datetime

import typer

from crownjewels.core import adverse
from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.errors import Invalid
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
from crownjewels.incidents.schemas import IncidentKind, Severity

app = typer.Typer(
    no_args_is_help=True,
    help="The report channel: reports of misuse, their follow-up and protected reporters.",
)
approvals_app = typer.Typer(
    no_args_is_help=True, help="Approvals of actions against people protected from retaliation."
)
app.add_typer(approvals_app, name="approvals")

REPORT_COLUMNS = [
    "ref",
    "status",
    "received",
    "acknowledge_by",
    "feedback_by",
    "handler",
    "subject",
]
APPROVAL_COLUMNS = ["ref", "status", "person", "action", "target", "requested_by", "reason"]
RefArg = typer.Argument(..., help="The report: RP-0003.")


def _status(value: str | None) -> ReportStatus | None:
    if value is None or value == "all":
        return None
    try:
        return ReportStatus(value.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in ReportStatus)
        raise Invalid(f"no report status {value!r}; use {choices} or all", field="status") from None


def _due(due: datetime, done: datetime | None, overdue: bool) -> str:
    if done is not None:
        return f"done {done:%Y-%m-%d}"
    return f"{due:%Y-%m-%d}" + (" OVERDUE" if overdue else "")


def _row(r: ReportSummary) -> dict[str, object]:
    d = r.deadlines
    return {
        "ref": r.ref,
        "status": r.status.value,
        "received": f"{r.received_at:%Y-%m-%d}",
        "acknowledge_by": _due(d.acknowledgement_due, d.acknowledged_at, d.acknowledgement_overdue),
        "feedback_by": _due(d.feedback_due, d.feedback_at, d.feedback_overdue),
        "handler": r.handler,
        "subject": r.subject,
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="received, acknowledged, …, all"),
    open_only: bool = typer.Option(False, "--open", help="Only the reports not closed."),
    as_json: bool = JsonOpt,
) -> None:
    """The reports you may see, newest first, with both deadlines."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = service.list_reports(
            session, actor=actor, status=_status(status), open_only=open_only
        )
    if as_json:
        emit_json(rows)
        return
    emit_table([_row(r) for r in rows], REPORT_COLUMNS, empty="no reports")


def _show(row: ReportRead, as_json: bool) -> None:
    if as_json:
        emit_json(row)
        return
    emit_record(_row(row))
    typer.echo(f"from: {row.reporter_name or 'anonymous'} ({row.reporter_kind_words})")
    if row.protected:
        typer.echo(f"protected: {row.protected}")
    typer.echo(f"\n{row.subject}\n\n{row.body}\n")
    for m in row.messages:
        who = "reporter" if m.from_reporter else (m.author or "case handler")
        typer.echo(f"[{m.created_at:%Y-%m-%d %H:%M}] {who}: {m.body}")
    for a in row.attachments:
        typer.echo(f"file: {a.filename} ({a.size:,} bytes) vault document {a.document_id}")


@app.command("show")
def show(ctx: typer.Context, ref: str = RefArg, as_json: bool = JsonOpt) -> None:
    """One report with its messages and files."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        row = service.get(session, actor=actor, ref=ref)
    _show(row, as_json)


@app.command("reply")
def reply(
    ctx: typer.Context,
    ref: str = RefArg,
    message: str = typer.Option(..., "--message", "-m", help="What the reporter reads."),
    feedback: bool = typer.Option(
        False, "--feedback", help="This is the feedback on what is done (Art. 9(1)(f))."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Write to the reporter (they read it with their code; nothing is sent)."""
    data = Reply(body=message, feedback=feedback)
    with state(ctx).unit_of_work() as (session, actor):
        row = service.reply(session, actor=actor, ref=ref, data=data)
    _done(row, f"replied on {row.ref}", as_json)


def _done(row: ReportRead, said: str, as_json: bool) -> None:
    if as_json:
        emit_json(row)
    else:
        typer.echo(said)


@app.command("acknowledge")
def acknowledge(
    ctx: typer.Context,
    ref: str = RefArg,
    message: str | None = typer.Option(None, "--message", "-m", help="Instead of the standard."),
    as_json: bool = JsonOpt,
) -> None:
    """Acknowledge the receipt to the reporter (within seven days, Art. 9(1)(b))."""
    with state(ctx).unit_of_work() as (session, actor):
        row = service.acknowledge(session, actor=actor, ref=ref, data=Acknowledge(message=message))
    due = row.deadlines.feedback_due
    _done(row, f"acknowledged {row.ref}; feedback due by {due:%Y-%m-%d}", as_json)


@app.command("assign")
def assign(
    ctx: typer.Context,
    ref: str = RefArg,
    handler: str = typer.Argument(..., help="The case handler's email."),
    as_json: bool = JsonOpt,
) -> None:
    """Give the report to a case handler it does not name."""
    with state(ctx).unit_of_work() as (session, actor):
        row = service.assign(session, actor=actor, ref=ref, data=Assign(handler=handler))
    _done(row, f"{row.ref} is assigned to {row.handler}", as_json)


def _move(ctx: typer.Context, ref: str, status: ReportStatus, note: str, as_json: bool) -> None:
    data = StatusChange(status=status, note=note)
    with state(ctx).unit_of_work() as (session, actor):
        row = service.change_status(session, actor=actor, ref=ref, data=data)
    _done(row, f"{row.ref} is {row.status.value}", as_json)


@app.command("close")
def close(
    ctx: typer.Context,
    ref: str = RefArg,
    note: str = typer.Option(..., "--note", help="What was done: the reporter reads it."),
    as_json: bool = JsonOpt,
) -> None:
    """Close a report; the note is the reporter's last message (their feedback)."""
    _move(ctx, ref, ReportStatus.CLOSED, note, as_json)


@app.command("reopen")
def reopen(ctx: typer.Context, ref: str = RefArg, as_json: bool = JsonOpt) -> None:
    """Reopen a closed report (in progress again)."""
    _move(ctx, ref, ReportStatus.IN_PROGRESS, "", as_json)


@app.command("start")
def start(ctx: typer.Context, ref: str = RefArg, as_json: bool = JsonOpt) -> None:
    """Mark an acknowledged report in progress."""
    _move(ctx, ref, ReportStatus.IN_PROGRESS, "", as_json)


@app.command("protect")
def protect(
    ctx: typer.Context,
    ref: str = RefArg,
    person: str = typer.Argument(..., help="The reporter as a person: their email or name."),
    as_json: bool = JsonOpt,
) -> None:
    """Protect the reporter from retaliation as the person they are."""
    with state(ctx).unit_of_work() as (session, actor):
        row = service.protect(session, actor=actor, ref=ref, data=Protect(person=person))
    _done(row, f"{row.protected} is protected from retaliation", as_json)


@app.command("lift-protection")
def lift_protection(
    ctx: typer.Context,
    ref: str = RefArg,
    reason: str = typer.Option(..., "--reason", help="Why the protection ends (kept in the log)."),
    as_json: bool = JsonOpt,
) -> None:
    """End the protection of the report's reporter, once another case handler approved it
    (`reports approvals request EMAIL --action lift-protection --reason "why"`)."""
    with state(ctx).unit_of_work() as (session, actor):
        row = service.lift_protection(
            session, actor=actor, ref=ref, data=LiftProtection(reason=reason)
        )
    _done(row, f"the reporter of {row.ref} is no longer protected from retaliation", as_json)


@app.command("open-case")
def open_case(
    ctx: typer.Context,
    ref: str = RefArg,
    title: str = typer.Option(..., "--title", help="The case's title."),
    kind: IncidentKind = typer.Option(..., "--kind", help="What happened."),
    severity: Severity = typer.Option(Severity.MEDIUM, "--severity"),
    summary: str = typer.Option("", "--summary", help="The case's summary (yours)."),
    include_reporter: bool = typer.Option(
        False, "--include-reporter", help="Put the reporter's name (if given) into the case."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Open an incident case from the report (needs incidents:write too)."""
    data = CaseFromReport(
        title=title,
        kind=kind,
        severity=severity,
        summary=summary,
        include_reporter=include_reporter,
    )
    with state(ctx).unit_of_work() as (session, actor):
        case = service.open_case(session, actor=actor, ref=ref, data=data)
    if as_json:
        emit_json(case)
    else:
        typer.echo(f"opened {case.ref} from {ref.strip().upper()}")


def _approval_status(value: str | None) -> ApprovalStatus | None:
    if value is None or value == "all":
        return None
    try:
        return ApprovalStatus(value.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in ApprovalStatus)
        raise Invalid(
            f"no approval status {value!r}; use {choices} or all", field="status"
        ) from None


@approvals_app.command("list")
def approvals_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="pending, approved, …, all"),
    as_json: bool = JsonOpt,
) -> None:
    """Approvals: all (case handlers), or the ones you asked for."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = approvals.list_approvals(session, actor=actor, status=_approval_status(status))
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, APPROVAL_COLUMNS, empty="no approvals")


@approvals_app.command("request")
def approvals_request(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The protected person: their email or name."),
    action: str = typer.Option(..., "--action", help=", ".join(adverse.ACTIONS)),
    target: str = typer.Option(
        "", "--target", help="GR-000012 for a grant, the token's name; the login by default."
    ),
    reason: str = typer.Option(..., "--reason", help="Why (10+ characters; the decider reads it)."),
    as_json: bool = JsonOpt,
) -> None:
    """Ask for an action against a protected person; another case handler decides."""
    data = ApprovalRequest(person=person, action=action, target=target, reason=reason)
    with state(ctx).unit_of_work() as (session, actor):
        row = approvals.request(session, actor=actor, data=data)
    _decided(
        row, f"{row.ref} asks to {row.action} {row.target}; waiting for a case handler", as_json
    )


def _decided(row: ApprovalRead, said: str, as_json: bool) -> None:
    if as_json:
        emit_json(row)
    else:
        typer.echo(said)


@approvals_app.command("approve")
def approvals_approve(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The approval: AA-0001."),
    note: str = typer.Option("", "--note"),
    as_json: bool = JsonOpt,
) -> None:
    """Approve: the action may then run once."""
    with state(ctx).unit_of_work() as (session, actor):
        row = approvals.decide(
            session, actor=actor, ref=ref, data=ApprovalDecision(approve=True, note=note)
        )
    _decided(row, f"{row.ref} approved: {row.action} {row.target} may run once", as_json)


@approvals_app.command("refuse")
def approvals_refuse(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The approval: AA-0001."),
    note: str = typer.Option(..., "--note", help="Why: the asker reads it."),
    as_json: bool = JsonOpt,
) -> None:
    """Refuse, saying why."""
    with state(ctx).unit_of_work() as (session, actor):
        row = approvals.decide(
            session, actor=actor, ref=ref, data=ApprovalDecision(approve=False, note=note)
        )
    _decided(row, f"{row.ref} refused", as_json)
