"""CLI of triage, mounted as `crownjewels monitor alerts ...`: list (the queue's filters),
show (with the evidence and the trail), rules (feedback per rule), and the actions assign,
comment, dismiss, confirm, reopen, suspend, escalate; each with `--json`."""

from __future__ import annotations

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.pagination import PageParams
from crownjewels.monitoring.schemas import Severity
from crownjewels.monitoring.triage import service as triage
from crownjewels.monitoring.triage.schemas import AlertFilter, AlertRead, StatusFilter

app = typer.Typer(no_args_is_help=True, help="Alerts: the queue, one alert, and triage.")
COLUMNS = ["ref", "severity", "status", "rule_id", "person_name", "title", "last_event_at"]


def mount(monitor: typer.Typer) -> None:
    """Add `alerts` to the `monitor` CLI app."""
    monitor.add_typer(app, name="alerts")


def _done(value: AlertRead, as_json: bool, message: str) -> None:
    if as_json:
        emit_json(value)
    else:
        typer.echo(message)


@app.command("list")
def list_command(
    ctx: typer.Context,
    status: StatusFilter = typer.Option(StatusFilter.ACTIVE, "--status", help="active: to decide"),
    severity: Severity | None = typer.Option(None, "--severity"),
    secret: str | None = typer.Option(None, "--secret", help="a secret's ref (TS-0003)"),
    person: str | None = typer.Option(None, "--person", help="an email or a full name"),
    organisation: str | None = typer.Option(None, "--organisation"),
    rule: str | None = typer.Option(None, "--rule", help="a rule id (bulk-download)"),
    assignee: str | None = typer.Option(None, "--assignee", help='an email, or "me"'),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_json: bool = JsonOpt,
) -> None:
    """The alert queue, most severe then latest first, with counts by status and severity."""
    filters = AlertFilter(
        status=status,
        severity=severity,
        secret=secret,
        person=person,
        organisation=organisation,
        rule=rule,
        assignee=assignee,
    )
    with state(ctx).unit_of_work(write=False) as (session, actor):
        queue = triage.list_alerts(
            session, actor=actor, filters=filters, page=PageParams(limit=limit)
        )
    if as_json:
        emit_json(queue)
        return
    emit_table(queue.alerts, COLUMNS)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(queue.counts.by_status.items()))
    typer.echo(f"{queue.total} alert(s) shown of these filters; by status: {counts or 'none'}")


@app.command("show")
def show_command(
    ctx: typer.Context, ref: str = typer.Argument(..., help="AL-0007"), as_json: bool = JsonOpt
) -> None:
    """One alert with its evidence events and its trail."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        alert = triage.get(session, actor=actor, ref=ref)
        events, total = triage.evidence(session, actor=actor, ref=ref)
        trail = triage.trail(session, actor=actor, ref=ref)
    if as_json:
        emit_json({"alert": alert, "events": events, "events_total": total, "trail": trail})
        return
    # names and refs, not ids: the person, organisation and assignee are shown by name
    ids = ("id", "facts", "secret_ids", "version", "person_id", "organisation_id")
    emit_record(alert, skip=(*ids, "assignee_person_id"))
    typer.echo(f"\nevidence: {total} event(s)")
    emit_table(events, ["occurred_at", "action", "resource", "secret_label", "bytes", "ip"])
    if trail:
        typer.echo("\ntrail:")
        emit_table(trail, ["at", "kind", "author", "body"])


@app.command("rules")
def rules_command(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """How each rule's alerts were decided: the tuning feedback."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        feedback = triage.rule_feedback(session, actor=actor)
    if as_json:
        emit_json(feedback)
        return
    emit_table(
        feedback, ["rule_id", "total", "active", "dismissed", "confirmed", "precision", "reasons"]
    )


@app.command("assign")
def assign_command(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    assignee: str = typer.Argument("me", help='an email, a full name, or "me"'),
    as_json: bool = JsonOpt,
) -> None:
    """Give the alert to someone."""
    with state(ctx).unit_of_work() as (session, actor):
        done = triage.assign(session, actor=actor, ref=ref, assignee=assignee)
    _done(done, as_json, f"{done.ref} assigned to {done.assignee_name}")


@app.command("comment")
def comment_command(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    body: str = typer.Argument(..., help="the comment"),
    as_json: bool = JsonOpt,
) -> None:
    """Add a comment to the trail."""
    with state(ctx).unit_of_work() as (session, actor):
        done = triage.comment(session, actor=actor, ref=ref, body=body)
    _done(done, as_json, f"{done.ref}: comment added")


@app.command("dismiss")
def dismiss_command(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="why it is a false alarm (tuning feedback)"),
    as_json: bool = JsonOpt,
) -> None:
    """Dismiss the alert as a false alarm, saying why."""
    with state(ctx).unit_of_work() as (session, actor):
        done = triage.dismiss(session, actor=actor, ref=ref, reason=reason)
    _done(done, as_json, f"{done.ref} dismissed: {done.resolution}")


@app.command("confirm")
def confirm_command(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    note: str | None = typer.Option(None, "--note", help="what was found"),
    as_json: bool = JsonOpt,
) -> None:
    """Mark the alert a true positive."""
    with state(ctx).unit_of_work() as (session, actor):
        done = triage.confirm(session, actor=actor, ref=ref, note=note)
    _done(done, as_json, f"{done.ref} confirmed as a true positive")


@app.command("reopen")
def reopen_command(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    as_json: bool = JsonOpt,
) -> None:
    """Take a decided alert back into the queue."""
    with state(ctx).unit_of_work() as (session, actor):
        done = triage.reopen(session, actor=actor, ref=ref, reason=reason)
    _done(done, as_json, f"{done.ref} reopened; now {done.status}")


@app.command("suspend")
def suspend_command(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    as_json: bool = JsonOpt,
) -> None:
    """Suspend every live grant of the alert's person in one action."""
    with state(ctx).unit_of_work() as (session, actor):
        done = triage.suspend_grants(session, actor=actor, ref=ref, reason=reason)
    if as_json:
        emit_json(done)
        return
    typer.echo(f"{done.alert.ref}: {len(done.grants)} grant(s) suspended: {', '.join(done.grants)}")


@app.command("escalate")
def escalate_command(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    note: str = typer.Option(..., "--note", help="why it is escalated"),
    as_json: bool = JsonOpt,
) -> None:
    """Escalate the alert to the incident capability (or mark it escalated)."""
    with state(ctx).unit_of_work() as (session, actor):
        done = triage.escalate(session, actor=actor, ref=ref, note=note)
    if as_json:
        emit_json(done)
        return
    typer.echo(done.message)
