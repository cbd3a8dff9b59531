"""CLI: `crownjewels monitor convert --from cloudtrail|m365|cef FILE` (JSON lines in the
event format) and `crownjewels monitor syslog --port N` (the listener), mounted on the
monitor command group by the registry."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from crownjewels.core.errors import Invalid
from crownjewels.monitoring.sources import cloudtrail, m365, syslog
from crownjewels.monitoring.sources.conversion import Conversion


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
    if out is None:
        for line in conversion.lines():
            typer.echo(line)
    else:
        out.write_text("".join(line + "\n" for line in conversion.lines()), encoding="utf-8")
    report_problems(file, conversion)
    typer.echo(f"{file}: {conversion.summary()}", err=True)
    if not conversion.events and conversion.problems:
        raise typer.Exit(2)
    if strict and conversion.problems:
        raise typer.Exit(1)


def mount(app: typer.Typer) -> None:
    """Add `convert` (and `syslog`) to the monitor command group."""
    app.command("convert")(convert)
