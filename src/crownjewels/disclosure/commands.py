"""CLI: `crownjewels vault get` (a registered, marked copy), `vault identify FILE` and
`vault copies`, mounted on the vault's command group by the registry."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state
from crownjewels.core.files import write_whole
from crownjewels.disclosure import planting, service
from crownjewels.disclosure.schemas import Channel, CopyRead

_COLUMNS = ["id", "issued_at", "document", "version", "recipient", "organisation", "channel",
            "purpose", "marked"]  # fmt: skip


def get(
    ctx: typer.Context,
    document: str = typer.Argument(..., help="The document id."),
    out: Path = typer.Option(..., "--out", help="Where to write the copy."),
    purpose: str = typer.Option(..., "--purpose", help="Why the copy is needed (recorded)."),
    to: str | None = typer.Option(
        None, "--to", help="The recipient's email or person id (default: yourself)."
    ),
    version: int | None = typer.Option(None, "--version", min=1, help="Default: the newest."),
    plant: str | None = typer.Option(
        None,
        "--plant",
        help="Plant a canary token in the copy: docx (DOCX copies), pdf (PDF copies) or honey.",
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Issue a registered copy of a document, marked for its recipient, to a file."""
    st = state(ctx)
    issuer = service.issuer(st.settings)
    with st.unit_of_work() as (session, actor):
        issued = service.issue_copy(
            session,
            actor=actor,
            vault_=issuer.vault,
            key=issuer.key,
            document_id=document,
            purpose=purpose,
            channel=Channel.CLI,
            recipient=to,
            version=version,
            plant=planting.PlantRequest(plant, st.settings.resolved_canary_base_url())
            if plant
            else None,
        )
    write_whole(out, issued.data)  # only once the copy is registered (committed)
    copy = issued.copy
    if as_json:
        emit_json(copy)
        return
    how = f"marked ({', '.join(copy.methods)})" if copy.marked else "NOT marked"
    typer.echo(
        f"wrote {out}: copy {copy.id} of v{copy.version_number} for {copy.recipient_name}"
        f"{f' ({copy.recipient_organisation})' if copy.recipient_organisation else ''}, {how}"
    )
    if issued.canary:
        typer.echo(f"canary {issued.canary} planted in the copy")
    if not copy.marked:
        typer.echo(
            f"warning: {copy.media_type} cannot carry a mark; the copy is registered, but a "
            "found file of this type cannot be traced to it",
            err=True,
        )


def identify(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A file found in the wild ('-' for stdin)."),
    as_json: bool = JsonOpt,
) -> None:
    """Read the marks of a found file and name its copy, recipient and date (or the vault
    original it equals). Exit code 0 when a copy or an original is named, 1 when no mark
    survives or the marks are damaged or foreign."""
    st = state(ctx)
    data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    key = service.issuer(st.settings).key
    with st.unit_of_work() as (session, actor):
        result = service.identify(session, actor=actor, key=key, data=data)
    if as_json:
        emit_json(result)
    elif result.identified:
        typer.echo(f"identified: {result.message}")
    elif result.known:
        typer.echo(f"original: {result.message}")
    else:
        typer.echo(f"not identified ({result.verdict.value}): {result.message}", err=True)
    if not result.known:
        raise typer.Exit(1)


def _row(copy: CopyRead) -> dict[str, object]:
    return {
        "id": copy.id,
        "issued_at": f"{copy.issued_at:%Y-%m-%d %H:%M}",
        "document": copy.document_title or copy.document_id,
        "version": copy.version_number,
        "recipient": copy.recipient_name,
        "organisation": copy.recipient_organisation,
        "channel": copy.channel.value,
        "purpose": copy.purpose,
        "marked": "yes" if copy.marked else "NO",
    }


def copies(
    ctx: typer.Context,
    secret: str | None = typer.Option(None, "--secret", help="Only this secret's documents."),
    document: str | None = typer.Option(None, "--document", help="Only this document."),
    as_json: bool = JsonOpt,
) -> None:
    """The copies issued, newest first, and who holds each."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.list_copies(session, actor=actor, secret_ref=secret, document_id=document)
    if as_json:
        emit_json(found)
    else:
        emit_table([_row(c) for c in found], _COLUMNS, empty="no copies issued")


def mount(app: typer.Typer) -> None:
    """Add `get`, `identify` and `copies` to the vault's command group."""
    app.command("get")(get)
    app.command("identify")(identify)
    app.command("copies")(copies)
