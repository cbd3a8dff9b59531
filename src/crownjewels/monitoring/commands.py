"""`crownjewels monitor ...`: each part of monitoring mounts its commands on this app. The
intake's own are here: `ingest FILE.jsonl` (with a progress bar), `identities list|add|remove`,
`feed` (read the custody log now) and `retention` (apply it now)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state
from crownjewels.core.errors import Invalid
from crownjewels.monitoring import feed, intake, service
from crownjewels.monitoring.schemas import IdentityCreate, IdentityKind, Rejected
from crownjewels.monitoring.sources import commands as sources

app = typer.Typer(
    help="Monitoring: ingest activity, alerts and triage, channels, departures, log reviews.",
    no_args_is_help=True,
)
identities_app = typer.Typer(
    no_args_is_help=True, help="The identities people act under in other systems."
)
app.add_typer(identities_app, name="identities")

#: rejected lines printed in the plain summary (all of them with --json)
SHOWN_REJECTIONS = 20


def batches(stream: IO[bytes], size: int = intake.MAX_BATCH) -> Iterator[list[tuple[int, bytes]]]:
    """The non-blank lines of a file with their numbers, `size` at a time."""
    batch: list[tuple[int, bytes]] = []
    for number, line in enumerate(stream, start=1):
        if line.strip():
            batch.append((number, line))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


def _progress(total: int, *, quiet: bool) -> Progress:
    console = Console(file=sys.stderr)
    return Progress(
        TextColumn("ingesting"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[accepted]:,} kept, {task.fields[rejected]:,} rejected"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
        transient=False,
    )


@app.command("ingest")
def ingest_file(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., help="A file of JSON lines, one event per line; - reads standard input."
    ),
    kind: sources.SourceFormat | None = typer.Option(
        None, "--from", help="The file is another system's log: cloudtrail, m365 or cef."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Send a file of activity (the documented format, one JSON object per line) to monitoring,
    10,000 lines per transaction; rejected lines are named with their line number. With
    --from, the file is converted first (see `monitor convert`)."""
    if kind is not None:
        sources.ingest_converted(state(ctx), path, kind, as_json=as_json)
        return
    try:
        # standard input has no size: progress counts the bytes read
        handle: IO[bytes] = sys.stdin.buffer if str(path) == "-" else path.open("rb")
        size = 0 if str(path) == "-" else path.stat().st_size
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {exc.strerror}; check the path") from None
    st = state(ctx)
    totals: dict[str, Any] = {"accepted": 0, "unknown_actors": 0, "unclassified": 0, "batches": 0}
    rejected: list[Rejected] = []
    with handle, _progress(size, quiet=as_json) as progress:
        # a pipe or FIFO (/dev/stdin) has no size and no position: count the bytes read
        task = progress.add_task("ingest", total=size or None, accepted=0, rejected=0)
        done = 0
        for batch in batches(handle):
            done += sum(len(line) for _, line in batch)
            with st.unit_of_work() as (session, actor):
                result = service.ingest(
                    session, actor=actor, lines=[line for _, line in batch], channel="file"
                )
            totals["batches"] += 1
            for key in ("accepted", "unknown_actors", "unclassified"):
                totals[key] += getattr(result, key)
            rejected += [
                Rejected(line=batch[r.line - 1][0], reason=r.reason) for r in result.rejected
            ]
            progress.update(
                task,
                completed=done,
                accepted=totals["accepted"],
                rejected=len(rejected),
            )
    _summary(path, totals, rejected, as_json=as_json)
    if rejected:
        raise typer.Exit(1)


def _summary(
    path: Path, totals: dict[str, Any], rejected: list[Rejected], *, as_json: bool
) -> None:
    if as_json:
        emit_json({**totals, "rejected": rejected})
        return
    typer.echo(
        f"{path.name}: {totals['accepted']:,} events kept, {len(rejected):,} rejected "
        f"({totals['unknown_actors']:,} by unknown actors, {totals['unclassified']:,} on "
        f"unclassified resources) in {totals['batches']} batch(es)"
    )
    for r in rejected[:SHOWN_REJECTIONS]:
        typer.echo(f"  line {r.line}: {r.reason}", err=True)
    if len(rejected) > SHOWN_REJECTIONS:
        typer.echo(
            f"  … and {len(rejected) - SHOWN_REJECTIONS:,} more (--json lists all)", err=True
        )


@app.command("feed")
def run_feed(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Read the custody log's new accesses into monitoring now (the worker does it every few
    seconds)."""
    st = state(ctx)
    read = stored = 0
    while True:
        with st.unit_of_work() as (session, _actor):
            result = feed.run_once(session)
        read, stored = read + result.read, stored + result.stored
        if result.read < feed.BATCH:
            break
    if as_json:
        emit_json({"read": read, "stored": stored, "position": result.position})
    else:
        typer.echo(
            f"read {read:,} custody events, {stored:,} of them accesses; the feed is at "
            f"event {result.position:,}"
        )


@app.command("retention")
def apply_retention(
    ctx: typer.Context,
    days: int | None = typer.Option(
        None, "--days", help="Keep this many days (default: the retention setting)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Remove activity past the retention (PostgreSQL: whole months)."""
    st = state(ctx)
    keep = days or st.settings.monitoring_retention_days
    with st.unit_of_work() as (session, actor):
        result = service.purge_activity(session, actor=actor, days=keep)
    if as_json:
        emit_json(result)
        return
    months = f" ({', '.join(result.partitions)})" if result.partitions else ""
    typer.echo(
        f"removed {result.rows:,} events from before {result.cutoff:%Y-%m-%d}{months}; "
        f"keeping {keep} days"
    )


@identities_app.command("list")
def identities_list(
    ctx: typer.Context,
    person: str | None = typer.Option(None, "--person", help="Only this person's (email)."),
    as_json: bool = JsonOpt,
) -> None:
    """List the identities linked to people."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = (
            service.identities_of(session, actor=actor, person_ref=person)
            if person
            else service.list_identities(session, actor=actor)
        )
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "person_name", "kind", "value"], empty="no identities linked")


@identities_app.command("add")
def identities_add(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person: email, full name or id."),
    kind: IdentityKind = typer.Argument(..., help="email, username or key."),
    value: str = typer.Argument(..., help="The name as the other system writes it."),
    as_json: bool = JsonOpt,
) -> None:
    """Link another name to a person: their activity under it becomes theirs."""
    data = IdentityCreate(person=person, kind=kind, value=value)
    with state(ctx).unit_of_work() as (session, actor):
        row = service.add_identity(session, actor=actor, data=data)
    if as_json:
        emit_json(row)
    else:
        typer.echo(f"linked {row.kind} {row.value} to {row.person_name} ({row.id})")


@identities_app.command("remove")
def identities_remove(
    ctx: typer.Context,
    identity_id: str = typer.Argument(..., help="The identity's id (from `identities list`)."),
    as_json: bool = JsonOpt,
) -> None:
    """Unlink an identity."""
    with state(ctx).unit_of_work() as (session, actor):
        row = service.remove_identity(session, actor=actor, identity_id=identity_id)
    if as_json:
        emit_json(row)
    else:
        typer.echo(f"unlinked {row.kind} {row.value} from {row.person_name}")
