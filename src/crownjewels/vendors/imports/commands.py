"""`crownjewels vendors import FILE [--dry-run]` and `vendors export [--format csv|xlsx]`."""

from __future__ import annotations

from pathlib import Path

import typer

from crownjewels.core.cli import emit_import, read_import_file, state, write_export
from crownjewels.core.errors import Invalid
from crownjewels.vendors.imports import service as imports
from crownjewels.vendors.schemas import VendorFilter


def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .csv or .xlsx file with the export's columns."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row; write nothing."),
) -> None:
    """Open a vendor profile for every row of a spreadsheet, or none (bad rows: FILE:LINE)."""
    data = read_import_file(file)
    with state(ctx).unit_of_work() as (session, actor):
        report = imports.import_vendors(
            session, actor=actor, data=data, source=file.name, dry_run=dry_run
        )
    emit_import(report, dry_run=dry_run)


def export(
    ctx: typer.Context,
    fmt: str = typer.Option("csv", "--format", help="csv or xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file (default: stdout)."),
    status: str | None = typer.Option(None, "--status", help="Only vendors in this status."),
) -> None:
    """The vendor list as CSV or XLSX, with the columns `vendors import` reads."""
    if fmt not in ("csv", "xlsx"):
        raise Invalid(f"--format {fmt!r} is not csv or xlsx", field="format")
    flt = VendorFilter.model_validate({"status": status} if status else {})
    with state(ctx).unit_of_work(write=False) as (session, actor):
        content, _ = imports.export(session, actor=actor, filters=flt, fmt=fmt)
    write_export(content, out=out)
