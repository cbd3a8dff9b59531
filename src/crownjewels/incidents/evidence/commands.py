"""`crownjewels incidents evidence list|show|register|handover|preserve|form|download`: a case's
evidence items, one item with its chain of custody, registering an item collected outside the
system (its hash typed, or computed from its file before any transaction starts), a hand-over,
the preservation of the system's records, the chain-of-custody form as a PDF, and a preserved
artefact decrypted from the vault."""

from __future__ import annotations

from pathlib import Path

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state, write_export
from crownjewels.core.errors import Invalid
from crownjewels.incidents.evidence import preserve, service
from crownjewels.incidents.evidence.schemas import (
    EvidenceKind,
    EvidenceRead,
    EvidenceRegister,
    HandoverCreate,
    PreserveRequest,
)
from crownjewels.vault import service as vault

evidence_app = typer.Typer(no_args_is_help=True, help="A case's evidence and its chain of custody.")
ITEM_COLUMNS = ["ref", "kind", "sha256", "size", "collected_at", "custodian", "handovers"]
HANDOVER_COLUMNS = [
    "number",
    "from_custodian",
    "to_custodian",
    "handed_at",
    "purpose",
    "custody_seq",
]
CASE = typer.Argument(..., help="The case: IN-0001.")
ITEM = typer.Argument(..., help="The evidence item: EV-0001.")


def mount(parent: typer.Typer) -> None:
    """Add `evidence` to the `incidents` CLI app."""
    parent.add_typer(evidence_app, name="evidence")


def _show(item: EvidenceRead, as_json: bool) -> None:
    if as_json:
        emit_json(item)
        return
    emit_record(item, skip=("handovers",))
    if item.handovers:
        typer.echo("")
        emit_table(item.handovers, HANDOVER_COLUMNS)


@evidence_app.command("list")
def list_(ctx: typer.Context, ref: str = CASE, as_json: bool = JsonOpt) -> None:
    """A case's evidence items, oldest first, with who holds each."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = service.list_items(session, actor=actor, ref=ref)
    if as_json:
        emit_json(rows)
        return
    emit_table(
        rows,
        ITEM_COLUMNS,
        empty=f"no evidence yet: `crownjewels incidents evidence preserve {ref.upper()}`",
    )


@evidence_app.command("show")
def show(ctx: typer.Context, ref: str = CASE, item: str = ITEM, as_json: bool = JsonOpt) -> None:
    """One item with its chain of custody and the custody events that record it."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.get_item(session, actor=actor, ref=ref, item_ref=item)
    _show(found, as_json)


def _digest(path: Path | None) -> service.FileDigest | None:
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            return service.digest(handle)
    except OSError:
        raise Invalid(f"{path}: cannot read it; give the path of the item's file") from None


@evidence_app.command("register")
def register(
    ctx: typer.Context,
    ref: str = CASE,
    description: str = typer.Option(..., "--description", help="What it is and what it holds."),
    sha256: str | None = typer.Option(None, "--sha256", help="Its SHA-256 (64 hex digits)."),
    file: Path | None = typer.Option(
        None, "--file", help="Its file: the SHA-256 and size are computed from it (not kept)."
    ),
    size: int | None = typer.Option(None, "--size", help="Its size in bytes."),
    collected_by: str = typer.Option(..., "--collected-by", help="Who collected it."),
    collected_at: str = typer.Option(
        ..., "--collected-at", help="When: 2026-12-07T14:09 (UTC unless a zone is given)."
    ),
    collected_where: str = typer.Option("", "--collected-where", help="Where it was collected."),
    stored_at: str = typer.Option(..., "--stored-at", help="Where it is kept."),
    custodian: str | None = typer.Option(
        None, "--custodian", help="Who holds it (whoever collected it, when not given)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Register an item collected outside the system (a forensic image, an email export)."""
    data = EvidenceRegister.model_validate(
        {
            "description": description,
            "sha256": sha256,
            "size": size,
            "collected_by": collected_by,
            "collected_at": collected_at,
            "collected_where": collected_where,
            "stored_at": stored_at,
            "custodian": custodian,
        }
    )
    computed = _digest(file)  # read before the transaction: an image may take minutes
    with state(ctx).unit_of_work() as (session, actor):
        done = service.register(session, actor=actor, ref=ref, data=data, computed=computed)
    if as_json:
        emit_json(done)
        return
    typer.echo(
        f"registered {done.ref} of {done.case_ref}: SHA-256 {done.sha256}; "
        f"{done.custodian} holds it at {done.stored_at}"
    )


@evidence_app.command("handover")
def handover(
    ctx: typer.Context,
    ref: str = CASE,
    item: str = ITEM,
    from_: str = typer.Option(..., "--from", help="Who hands it over (its current custodian)."),
    to: str = typer.Option(..., "--to", help="Who receives it."),
    at: str = typer.Option(..., "--at", help="When: 2026-12-07T14:09 (UTC unless zoned)."),
    purpose: str = typer.Option("", "--purpose", help="Why it changes hands."),
    stored_at: str = typer.Option("", "--stored-at", help="Where it is kept after it."),
    as_json: bool = JsonOpt,
) -> None:
    """Record that an item changed hands."""
    data = HandoverCreate.model_validate(
        {
            "from_custodian": from_,
            "to_custodian": to,
            "handed_at": at,
            "purpose": purpose,
            "stored_at": stored_at,
        }
    )
    with state(ctx).unit_of_work() as (session, actor):
        done = service.hand_over(session, actor=actor, ref=ref, item_ref=item, data=data)
    if as_json:
        emit_json(done)
        return
    last = done.handovers[-1]
    typer.echo(
        f"{done.ref}: hand-over {last.number} from {last.from_custodian} to "
        f"{last.to_custodian} recorded (custody event #{last.custody_seq})"
    )


@evidence_app.command("preserve")
def preserve_(
    ctx: typer.Context,
    ref: str = CASE,
    kinds: list[EvidenceKind] = typer.Option(
        [], "--kind", help="bundle, ledger or findings (repeat); every kind without."
    ),
    note: str = typer.Option("", "--note", help="Why now (kept with each item)."),
    as_json: bool = JsonOpt,
) -> None:
    """Preserve the case's custody bundle, ledger snapshot and findings in the vault, under
    legal hold."""
    wanted = PreserveRequest.model_validate({"note": note, **({"kinds": kinds} if kinds else {})})
    cli = state(ctx)
    with cli.unit_of_work() as (session, actor):
        made = preserve.preserve(
            session,
            actor=actor,
            ref=ref,
            request=wanted,
            vault_=vault.open_vault(cli.settings),
            key=preserve.signing_key(cli.settings.home),
        )
    if as_json:
        emit_json(made)
        return
    for m in made:
        typer.echo(f"preserved {m.ref} ({m.kind_words}): SHA-256 {m.sha256}, {m.size:,} bytes")


@evidence_app.command("form")
def form(
    ctx: typer.Context,
    ref: str = CASE,
    item: str = ITEM,
    out: Path | None = typer.Option(None, "--out", help="The PDF to write (stdout without)."),
) -> None:
    """The chain-of-custody form of an item as a PDF."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        _, data = service.form(session, actor=actor, ref=ref, item_ref=item)
    write_export(data, out=out)


@evidence_app.command("download")
def download(
    ctx: typer.Context,
    ref: str = CASE,
    item: str = ITEM,
    out: Path = typer.Option(..., "--out", help="The file to write."),
) -> None:
    """Write a preserved artefact, decrypted from the vault (a recorded read), to a file."""
    cli = state(ctx)
    with cli.unit_of_work() as (session, actor):
        meta = service.write_artefact(
            session,
            actor=actor,
            ref=ref,
            item_ref=item,
            vault_=vault.open_vault(cli.settings),
            path=out,
        )
    typer.echo(f"wrote {out} ({meta.size:,} bytes, SHA-256 {meta.sha256})")
