"""CLI: `crownjewels monitor convert --from cloudtrail|m365|cef FILE` (JSON lines in the
event format) and `crownjewels monitor syslog --port N` (the listener), mounted on the
monitor command group by the registry."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import sys
from enum import StrEnum
from pathlib import Path

import typer

from crownjewels.core.cli import CliState, emit_json, state
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission
from crownjewels.monitoring import intake
from crownjewels.monitoring import service as monitoring
from crownjewels.monitoring.schemas import Rejected
from crownjewels.monitoring.sources import cloudtrail, m365, syslog
from crownjewels.monitoring.sources.conversion import Conversion
from crownjewels.monitoring.sources.listener import Network, SyslogListener
from crownjewels.monitoring.sources.serving import StoreBatches, serve


class SourceFormat(StrEnum):
    """The formats `convert` (and `ingest --from`) read."""

    CLOUDTRAIL = "cloudtrail"
    M365 = "m365"
    CEF = "cef"


def read_source(kind: SourceFormat, data: bytes) -> Conversion:
    """A file of another system's activity in monitoring's event format."""
    if kind is SourceFormat.CLOUDTRAIL:
        return cloudtrail.read(data)
    if kind is SourceFormat.M365:
        return m365.read(data)
    text = data.decode("utf-8-sig", errors="replace")
    return syslog.convert_lines(text.splitlines())


def read_file(path: Path) -> bytes:
    """A file's bytes ('-': standard input), or Invalid naming the path."""
    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise Invalid(f"{path}: no such file; give the path of an exported log file") from None


def report_problems(path: Path, conversion: Conversion, *, limit: int = 50) -> None:
    """Each record that could not be read, on stderr as FILE: record N: reason."""
    for problem in conversion.problems[:limit]:
        typer.echo(f"{path}: {conversion.where(problem.line)}: {problem.reason}", err=True)
    if len(conversion.problems) > limit:
        typer.echo(f"{path}: … and {len(conversion.problems) - limit} more", err=True)


FromOpt = typer.Option(..., "--from", help="The file's format: cloudtrail, m365 or cef.")


def convert(
    file: Path = typer.Argument(..., help="The exported log ('-' for stdin); gzip is fine."),
    kind: SourceFormat = FromOpt,
    out: Path | None = typer.Option(None, "--out", help="Write the JSON lines to this file."),
    strict: bool = typer.Option(
        False, "--strict", help="Exit with code 1 when any record could not be read."
    ),
) -> None:
    """Convert another system's log (AWS CloudTrail JSON, a Microsoft 365 audit log CSV
    export, CEF or syslog lines) into monitoring's event format, one JSON object per line.
    Records that are not file activity or sign-ins are skipped and counted; unreadable ones
    are named on stderr with their number."""
    conversion = read_source(kind, read_file(file))
    if out is None:  # one write: echoing a million lines one by one flushes a million times
        sys.stdout.write("".join(line + "\n" for line in conversion.lines()))
        sys.stdout.flush()
    else:
        out.write_text("".join(line + "\n" for line in conversion.lines()), encoding="utf-8")
    report_problems(file, conversion)
    typer.echo(f"{file}: {conversion.summary()}", err=True)
    if not conversion.events and conversion.problems:
        raise typer.Exit(2)
    if strict and conversion.problems:
        raise typer.Exit(1)


def ingest_converted(st: CliState, path: Path, kind: SourceFormat, *, as_json: bool) -> None:
    """`monitor ingest --from KIND FILE`: convert the file, then store its events through the
    intake, 10,000 per transaction; problems are named by the file's own record or line."""
    conversion = read_source(kind, read_file(path))
    lines = [e.model_dump(mode="json", exclude_none=True) for e in conversion.events]
    totals = {"accepted": 0, "unknown_actors": 0, "unclassified": 0, "batches": 0}
    rejected = list(conversion.problems)
    for start in range(0, len(lines), intake.MAX_BATCH):
        with st.unit_of_work() as (session, actor):
            result = monitoring.ingest(
                session, actor=actor, lines=lines[start : start + intake.MAX_BATCH], channel="file"
            )
        totals["batches"] += 1
        for key in ("accepted", "unknown_actors", "unclassified"):
            totals[key] += getattr(result, key)
        # the intake numbers the events it was given: back to the file's records
        origins = conversion.origins[start:]
        rejected += [Rejected(line=origins[r.line - 1], reason=r.reason) for r in result.rejected]
    rejected.sort(key=lambda r: r.line)
    if as_json:
        emit_json({**totals, "unit": conversion.unit, "skipped": dict(conversion.skipped),
                   "rejected": rejected})  # fmt: skip
    else:
        skipped = sum(conversion.skipped.values())
        typer.echo(
            f"{path.name}: {totals['accepted']:,} events kept from {kind.value}, "
            f"{len(rejected):,} {conversion.unit}(s) rejected, {skipped:,} skipped (not file "
            f"activity or sign-ins; {totals['unknown_actors']:,} by unknown actors, "
            f"{totals['unclassified']:,} on unclassified resources)"
        )
        for problem in rejected[:20]:
            typer.echo(f"  {conversion.where(problem.line)}: {problem.reason}", err=True)
        if len(rejected) > 20:
            typer.echo(f"  … and {len(rejected) - 20:,} more (--json lists all)", err=True)
    if rejected:
        raise typer.Exit(1)


def listen(
    ctx: typer.Context,
    port: int = typer.Option(
        5514, "--port", min=0, max=65535, help="The port, for TCP and UDP (0: any free one)."
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="The address to listen on (0.0.0.0: every interface)."
    ),
    tcp: bool = typer.Option(True, "--tcp/--no-tcp", help="Listen on TCP."),
    udp: bool = typer.Option(True, "--udp/--no-udp", help="Listen on UDP."),
    batch: int = typer.Option(
        1000, "--batch", min=1, max=10_000, help="The most lines stored in one transaction."
    ),
    flush: float = typer.Option(
        0.5, "--flush-seconds", min=0.01, max=60.0, help="How long a batch waits to fill up."
    ),
    allow: list[str] = typer.Option(
        [], "--allow", help="Accept only senders in this network (repeat: 10.0.0.0/8 …)."
    ),
) -> None:
    """Receive activity by syslog (RFC 5424 over TCP, octet-counted or one message per line,
    and over UDP) carrying CEF or a JSON event, and store it in batches until Ctrl-C or
    SIGTERM. Syslog has no authentication: listen on 127.0.0.1 behind your log relay, or
    name your senders' networks with --allow (and firewall the port)."""
    st = state(ctx)
    if not (tcp or udp):
        raise Invalid("--no-tcp and --no-udp together leave nothing to listen on", field="tcp")
    networks = [_network(text) for text in allow]
    with st.unit_of_work(write=False) as (_, actor):  # refuse now, not at the first batch
        actor.require(Permission.ACTIVITY_INGEST, what="receiving activity by syslog")
    handler = StoreBatches(st)
    listener = SyslogListener(handler, host=host, port=port, tcp=tcp, udp=udp,
                              batch_size=batch, flush_after=flush, allow=networks)  # fmt: skip
    over = " and ".join(name for name, on in (("TCP", tcp), ("UDP", udp)) if on)
    ready = f"listening for syslog on {host}:{{port}} over {over}; Ctrl-C stops"
    try:
        asyncio.run(serve(listener, on_ready=ready))
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise Invalid(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port "
                "(ports below 1024 need administrator rights) or --host"
            ) from None
        raise
    totals = handler.totals
    typer.echo(
        f"stopped: {totals.lines} line(s) received, {totals.stored} stored, "
        f"{totals.rejected} not readable, {listener.stats.dropped} dropped (UDP, queue full), "
        f"{listener.stats.failed_batches} batch(es) failed, {listener.stats.refused} refused "
        "(sender not allowed)",
        err=True,
    )


def _network(text: str) -> Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise Invalid(
            f"--allow {text!r} is not a network; write an address or a range such as "
            "10.0.0.0/8 or 2001:db8::/32",
            field="allow",
        ) from None


def mount(app: typer.Typer) -> None:
    """Add `convert` and `syslog` to the monitor command group."""
    app.command("convert")(convert)
    app.command("syslog")(listen)
