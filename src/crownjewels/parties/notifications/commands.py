"""`crownjewels mail`: list the outbox, retry a message, send what is due now."""

from __future__ import annotations

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state
from crownjewels.core.pagination import PageParams
from crownjewels.parties.notifications import sender, service

app = typer.Typer(no_args_is_help=True, help="The mail outbox: list, retry, send now.")


@app.command("list")
def list_(
    ctx: typer.Context,
    unsent: bool = typer.Option(False, "--unsent", help="Only messages not sent yet."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows (1-500)."),
    as_json: bool = JsonOpt,
) -> None:
    """The outbox, newest first: status, attempts and the last error of each message."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows, total = service.list_messages(
            session, actor=actor, unsent_only=unsent, page=PageParams(limit=limit)
        )
    if as_json:
        emit_json(rows)
        return
    emit_table(
        rows,
        ["id", "created_at", "recipient_email", "subject", "status", "attempts", "last_error"],
        empty="the outbox is empty",
    )
    if total > len(rows):
        typer.echo(f"(1-{len(rows)} of {total}; see more with --limit)", err=True)


@app.command("retry")
def retry(
    ctx: typer.Context, message_id: str = typer.Argument(..., help="The message id.")
) -> None:
    """Make an unsent message due now (the next send, or `mail send`, mails it)."""
    with state(ctx).unit_of_work() as (session, actor):
        done = service.retry(session, actor=actor, message_id=message_id)
    typer.echo(f"the message to {done.recipient_email} is due now")


@app.command("send")
def send(ctx: typer.Context) -> None:
    """Mail every due message now (the worker does this every minute)."""
    cli = state(ctx)
    with cli.unit_of_work(write=False) as (session, actor):
        service.list_messages(session, actor=actor, unsent_only=True, page=PageParams(limit=1))
    if not cli.settings.smtp_host:
        typer.echo("no SMTP host is configured (CROWNJEWELS_SMTP_HOST); nothing sent")
        return
    report = sender.deliver(cli.database(), cli.settings)
    typer.echo(f"sent {report.sent}, failed {report.failed}")
