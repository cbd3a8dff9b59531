"""`crownjewels monitor syslog`: the listener wired to monitoring's intake, one unit of work
per batch, until SIGINT or SIGTERM (the last batch is stored before it exits)."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime

import typer

from crownjewels.core.cli import CliState
from crownjewels.monitoring import service as monitoring
from crownjewels.monitoring.sources import syslog
from crownjewels.monitoring.sources.conversion import Conversion
from crownjewels.monitoring.sources.listener import Received, SyslogListener

#: the problems of one batch printed in full; the rest are counted
_SHOWN = 3


@dataclass
class Totals:
    """What the listener stored since it started."""

    lines: int = 0
    stored: int = 0
    rejected: int = 0
    batches: int = 0
    notes: list[str] = field(default_factory=list)


class StoreBatches:
    """The batch handler: reads each line (CEF or a JSON event, in RFC 5424 or behind a BSD
    header) and stores the good events through `monitoring.service.ingest` in one unit of
    work per batch; bad lines are named on stderr with their sender."""

    def __init__(self, state: CliState) -> None:
        self.state = state
        self.totals = Totals()

    def __call__(self, batch: list[Received]) -> None:
        conversion = Conversion(unit="line")
        for number, item in enumerate(batch, start=1):
            syslog.read_line(item.text, at=number, received_at=item.received_at, into=conversion)
        problems = [(p.line, p.reason) for p in conversion.problems]
        stored = 0
        if conversion.events:
            lines = [e.model_dump(mode="json", exclude_none=True) for e in conversion.events]
            with self.state.unit_of_work() as (session, actor):
                result = monitoring.ingest(session, actor=actor, lines=lines, channel="syslog")
            stored = result.accepted
            # the intake numbers the events it was given: back to the batch's own lines
            problems += [(conversion.origins[r.line - 1], r.reason) for r in result.rejected]
        self._report(batch, stored, sorted(problems))

    def _report(self, batch: list[Received], stored: int, problems: list[tuple[int, str]]) -> None:
        totals = self.totals
        totals.batches += 1
        totals.lines += len(batch)
        totals.stored += stored
        totals.rejected += len(problems)
        now = datetime.now(UTC).strftime("%H:%M:%S")
        typer.echo(
            f"{now} stored {stored} of {len(batch)} line(s)"
            + (f"; {len(problems)} not readable" if problems else ""),
            err=True,
        )
        for number, reason in problems[:_SHOWN]:
            item = batch[number - 1]
            typer.echo(f"  {item.transport} {item.peer}: {reason}: {item.text[:80]!r}", err=True)
        if len(problems) > _SHOWN:
            typer.echo(f"  … and {len(problems) - _SHOWN} more", err=True)


async def serve(listener: SyslogListener, *, on_ready: str) -> None:
    """Listen until SIGINT or SIGTERM, then hand over what is queued and return."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    await listener.start()
    typer.echo(on_ready.format(port=listener.bound_port))
    try:
        await stopping.wait()
    finally:
        await listener.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
