"""`crownjewels leaks index`: fingerprint the queued document versions (or re-index a secret,
or everything), `leaks index status` and `leaks index sources`, each with `--json`."""

from __future__ import annotations

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.pagination import PageParams
from crownjewels.leaks.index import service
from crownjewels.leaks.index.schemas import IndexReport
from crownjewels.vault import service as vault_service

index_app = typer.Typer(
    invoke_without_command=True,
    help="The fingerprint index of the secrets' documents: index what is queued (default), "
    "re-index a secret (--secret) or all (--all); `status`, `sources`.",
)
SOURCE_COLUMNS = [
    "secret_ref",
    "name",
    "version_number",
    "kind",
    "language",
    "status",
    "fingerprints",
    "reason",
]


def mount(app: typer.Typer) -> None:
    """Add `index` to the `leaks` CLI app."""
    app.add_typer(index_app, name="index")


def _summary(report: IndexReport) -> str:
    parts = [f"{report.indexed} indexed ({report.fingerprints} fingerprints)"]
    if report.unreadable:
        parts.append(f"{report.unreadable} unreadable")
    if report.empty:
        parts.append(f"{report.empty} empty")
    if report.skipped:
        parts.append(f"{report.skipped} skipped (no longer a secret's live document)")
    return "fingerprinted: " + ", ".join(parts)


@index_app.callback()
def index(
    ctx: typer.Context,
    secret: str | None = typer.Option(
        None, "--secret", help="Re-index every document version of this secret (TS-0003)."
    ),
    everything: bool = typer.Option(
        False, "--all", help="Re-index every document version of every secret."
    ),
    limit: int = typer.Option(500, "--limit", min=1, help="Queued versions to index at most."),
    as_json: bool = JsonOpt,
) -> None:
    """Fingerprint the queued versions (or re-index with --secret / --all)."""
    if ctx.invoked_subcommand is not None:
        return
    cli = state(ctx)
    vault = vault_service.open_vault(cli.settings)
    with cli.unit_of_work() as (session, actor):
        if secret or everything:
            report = service.reindex(session, actor=actor, vault=vault, secret_ref=secret)
        else:
            report = service.index_pending(session, actor=actor, vault=vault, limit=limit)
    if as_json:
        emit_json(report)
        return
    for source in report.sources:
        line = f"{source.secret_ref or '-'}  {source.name} v{source.version_number}: "
        line += source.status if source.status != "indexed" else f"{source.fingerprints} prints"
        if source.reason:
            line += f" ({source.reason})"
        typer.echo(line)
    typer.echo(_summary(report))


@index_app.command("status")
def index_status(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """The index at a glance: sources, fingerprints, versions waiting, stale parameters."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.status(session, actor=actor)
    if as_json:
        emit_json(found)
        return
    emit_record(found)


@index_app.command("sources")
def index_sources(
    ctx: typer.Context,
    secret: str | None = typer.Option(None, "--secret", help="Only this secret's (TS-0003)."),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    offset: int = typer.Option(0, "--offset", min=0),
    as_json: bool = JsonOpt,
) -> None:
    """The fingerprinted sources: each document version (and honey string) with its state,
    a page at a time (--limit, --offset)."""
    page = PageParams(limit=limit, offset=offset)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found, total = service.list_sources(session, actor=actor, secret_ref=secret, page=page)
    if as_json:
        emit_json(found)
        return
    emit_table(found, SOURCE_COLUMNS)
    if total > offset + len(found):
        typer.echo(
            f"{offset + 1:,}–{offset + len(found):,} of {total:,}: "
            f"--offset {offset + len(found)} for the next ones"
        )
