"""`crownjewels monitor channels ...`: add, list, show, change, test and remove alert channels;
list, retry and send their deliveries."""

from __future__ import annotations

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.pagination import PageParams
from crownjewels.monitoring.channels import sender, service
from crownjewels.monitoring.channels.schemas import ChannelCreate, ChannelUpdate

app = typer.Typer(
    no_args_is_help=True,
    help="Where alerts go: email, signed webhooks, syslog/CEF; their deliveries.",
)
COLUMNS = ["name", "kind", "target", "format", "min_severity", "notify_secret_owners", "active"]
SEVERITIES = "low, medium, high or critical"


def mount(parent: typer.Typer) -> None:
    """Add `channels` to the `monitor` CLI app."""
    parent.add_typer(app, name="channels")


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name people recognise, e.g. 'SOC webhook'."),
    kind: str = typer.Option(..., "--kind", help="email, webhook or syslog."),
    target: str = typer.Option(
        "",
        "--target",
        help="Email addresses (comma-separated), a webhook URL, or udp|tcp://host:port.",
    ),
    fmt: str | None = typer.Option(
        None, "--format", help="webhook: json (default) or slack; syslog: cef."
    ),
    min_severity: str = typer.Option("medium", "--min-severity", help=SEVERITIES),
    owners: bool = typer.Option(
        False, "--owners", help="Also mail each alert to the owners of its secrets."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Add a channel; a webhook's signing key is printed once: give it to the receiver."""
    cli = state(ctx)
    data = ChannelCreate.model_validate(
        {
            "name": name,
            "kind": kind.strip().lower(),
            "target": target,
            "format": fmt.strip().lower() if fmt else None,
            "min_severity": min_severity.strip().lower(),
            "notify_secret_owners": owners,
        }
    )
    with cli.unit_of_work() as (session, actor):
        added = service.add_channel(
            session, actor=actor, data=data, sealer=service.sealer_for(cli.settings)
        )
    if as_json:
        emit_json(added)
        return
    emit_record(added, skip=("signing_key", "pending", "failed"))
    if added.signing_key:
        typer.echo(
            f"\nsigning key (shown only now; the receiver checks X-CrownJewels-Signature "
            f"with it):\n{added.signing_key}"
        )


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Every channel, with its deliveries waiting and given up."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = service.list_channels(session, actor=actor)
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, [*COLUMNS, "pending", "failed"], empty="no alert channels yet")


@app.command("show")
def show(ctx: typer.Context, name: str = typer.Argument(...), as_json: bool = JsonOpt) -> None:
    """One channel."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        row = service.get_channel(session, actor=actor, name=name)
    if as_json:
        emit_json(row)
    else:
        emit_record(row)


@app.command("update")
def update(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    target: str | None = typer.Option(None, "--target"),
    fmt: str | None = typer.Option(None, "--format"),
    min_severity: str | None = typer.Option(None, "--min-severity", help=SEVERITIES),
    owners: bool | None = typer.Option(
        None, "--owners/--no-owners", help="Mail the secrets' owners, or stop."
    ),
    active: bool | None = typer.Option(None, "--on/--off", help="Send through it, or pause it."),
    as_json: bool = JsonOpt,
) -> None:
    """Change a channel (only what is given)."""
    data = ChannelUpdate.model_validate(
        {
            "target": target,
            "format": fmt.strip().lower() if fmt else None,
            "min_severity": min_severity.strip().lower() if min_severity else None,
            "notify_secret_owners": owners,
            "active": active,
        }
    )
    with state(ctx).unit_of_work() as (session, actor):
        row = service.update_channel(session, actor=actor, name=name, data=data)
    if as_json:
        emit_json(row)
    else:
        emit_record(row)


@app.command("test")
def try_channel(
    ctx: typer.Context, name: str = typer.Argument(...), as_json: bool = JsonOpt
) -> None:
    """Send a made-up alert through the channel now; exit 1 when it did not get through."""
    cli = state(ctx)
    with cli.unit_of_work() as (session, actor):
        result = service.test_channel(
            session,
            actor=actor,
            name=name,
            sealer=service.sealer_for(cli.settings),
            base_url=cli.settings.base_url,
        )
    if as_json:
        emit_json(result)
    else:
        typer.echo(("ok: " if result.ok else "failed: ") + result.detail)
    if not result.ok:
        raise typer.Exit(1)


@app.command("new-key")
def new_key(ctx: typer.Context, name: str = typer.Argument(...), as_json: bool = JsonOpt) -> None:
    """Give a webhook a new signing key (printed once); the old one stops working."""
    cli = state(ctx)
    with cli.unit_of_work() as (session, actor):
        done = service.new_signing_key(
            session, actor=actor, name=name, sealer=service.sealer_for(cli.settings)
        )
    if as_json:
        emit_json(done)
        return
    typer.echo(f"new signing key of {done.name} (shown only now):\n{done.signing_key}")


@app.command("remove")
def remove(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Remove a channel and its deliveries."""
    with state(ctx).unit_of_work() as (session, actor):
        gone = service.remove_channel(session, actor=actor, name=name)
    typer.echo(f"removed the alert channel {gone.name}")


@app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    channel: str | None = typer.Option(None, "--channel", help="Of this channel only."),
    unsent: bool = typer.Option(False, "--unsent", help="Only those not sent yet."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows (1-500)."),
    as_json: bool = JsonOpt,
) -> None:
    """Webhook and syslog deliveries, newest first: status, attempts, last error."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows, total = service.list_deliveries(
            session,
            actor=actor,
            page=PageParams(limit=limit),
            unsent_only=unsent,
            channel=channel,
        )
    if as_json:
        emit_json(rows)
        return
    emit_table(
        rows,
        ["id", "created_at", "alert_ref", "channel", "status", "attempts", "last_error"],
        empty="no deliveries",
    )
    if total > len(rows):
        typer.echo(f"(1-{len(rows)} of {total}; see more with --limit)", err=True)


@app.command("retry")
def retry(
    ctx: typer.Context, delivery_id: str = typer.Argument(..., help="The delivery id.")
) -> None:
    """Make an unsent delivery due now (`channels send` or the worker sends it)."""
    with state(ctx).unit_of_work() as (session, actor):
        done = service.retry_delivery(session, actor=actor, delivery_id=delivery_id)
    typer.echo(f"the delivery of {done.alert_ref} to {done.channel} is due now")


@app.command("send")
def send(ctx: typer.Context) -> None:
    """Send every due delivery now (the worker does this every 15 seconds)."""
    cli = state(ctx)
    with cli.unit_of_work(write=False) as (session, actor):
        service.list_channels(session, actor=actor)  # the permission check
    report = sender.deliver(cli.database(), cli.settings)
    typer.echo(f"sent {report.sent}, failed {report.failed}")
