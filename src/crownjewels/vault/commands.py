"""CLI sub-commands: `crownjewels vault put|export-raw|list|show|personal-data|hold|release|
retain|destroy|certificate` and `crownjewels keys rotate`. `vault get` (a registered, marked
copy) and `vault identify` come from disclosure, mounted on this group by the registry."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.vault import keyring, lifecycle, reading, service, sweep
from crownjewels.vault.blobs import blob_store
from crownjewels.vault.schemas import DocumentRead, PersonalDataSet

app = typer.Typer(no_args_is_help=True, help="Encrypted documents: upload, read, destroy.")
keys_app = typer.Typer(no_args_is_help=True, help="The vault's key-encryption keys.")
_COLUMNS = ["id", "owner", "title", "version", "media_type", "size", "status", "hold"]


def _row(doc: DocumentRead) -> dict[str, object]:
    latest = doc.versions[-1] if doc.versions else None
    return {
        "id": doc.id,
        "owner": f"{doc.owner_type}:{doc.owner_label}",
        "title": doc.title,
        "version": doc.current_version,
        "media_type": latest.media_type if latest else None,
        "size": latest.size if latest else None,
        "status": doc.status.value,
        "hold": "yes" if doc.legal_hold else "",
    }


def _owner(secret: str | None, owner: str | None) -> tuple[str, str]:
    if secret:
        return "secret", secret
    if owner:
        kind, sep, ref = owner.partition(":")
        if sep and kind and ref:
            return kind, ref
    raise Invalid("name the owner: --secret TS-0001, or --owner TYPE:REF")


@app.command("put")
def put(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The file to upload ('-' for stdin)."),
    secret: str | None = typer.Option(None, "--secret", help="The secret (id, TS-0001, name)."),
    owner: str | None = typer.Option(None, "--owner", help="Another owner: TYPE:REF."),
    title: str = typer.Option("", "--title", help="A title (default: the file name)."),
    document: str | None = typer.Option(
        None, "--document", help="Add a new version of this document instead."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Encrypt a file into the vault, attached to a secret (or another owner)."""
    st = state(ctx)
    vault = service.open_vault(st.settings)
    name = None if str(file) == "-" else file.name
    owner_type, owner_ref = (None, None) if document else _owner(secret, owner)
    # Checked first; the file is encrypted into its blob with no transaction open (no lock
    # held however long it takes), then the rows are written.
    with st.unit_of_work(write=False) as (session, actor):
        doc_id, number = service.check_upload(
            session, actor=actor, owner_type=owner_type, owner_ref=owner_ref, document_id=document
        )
    with sys.stdin.buffer if name is None else file.open("rb") as upload:
        staged = service.stage_upload(vault, upload=upload, document_id=doc_id, number=number)
    with st.unit_of_work() as (session, actor):
        if document:
            doc = service.add_version(
                session,
                actor=actor,
                vault=vault,
                document_id=document,
                upload=staged,
                filename=name,
            )
        else:
            assert owner_type is not None
            assert owner_ref is not None
            doc = service.add_document(
                session,
                actor=actor,
                vault=vault,
                owner_type=owner_type,
                owner_ref=owner_ref,
                title=title,
                upload=staged,
                filename=name,
            )
    if as_json:
        emit_json(doc)
    else:
        v = doc.versions[-1]
        typer.echo(f"{doc.id} v{v.number}  {v.media_type}  {v.size} bytes  sha256 {v.sha256}")


@app.command("export-raw")
def export_raw(
    ctx: typer.Context,
    document: str = typer.Argument(..., help="The document id."),
    out: Path = typer.Option(..., "--out", help="Where to write the plaintext."),
    version: int | None = typer.Option(None, "--version", min=1, help="Default: the newest."),
) -> None:
    """Admins only: decrypt a version, unmarked and with no registered copy, to a file (for
    restores and legal exports; everyone else uses `vault get`). The file appears only if all
    of it authenticated."""
    st = state(ctx)
    vault = service.open_vault(st.settings)
    with st.unit_of_work() as (session, actor):
        if Role.ADMIN not in actor.roles:
            raise Forbidden("export-raw is for admins; `vault get` issues a registered copy")
        meta = reading.export_version(
            session, actor=actor, vault=vault, document_id=document, path=out, version=version
        )
    typer.echo(f"wrote {out} ({meta.size} bytes, v{meta.number}, sha256 {meta.sha256})")


@app.command("list")
def list_documents(
    ctx: typer.Context,
    secret: str | None = typer.Option(None, "--secret", help="Only this secret's documents."),
    as_json: bool = JsonOpt,
) -> None:
    """The documents you may see."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        docs = service.list_documents(
            session, actor=actor, owner_type="secret" if secret else None, owner_ref=secret
        )
    if as_json:
        emit_json(docs)
    else:
        emit_table([_row(d) for d in docs], _COLUMNS, empty="no documents")


@app.command("show")
def show(ctx: typer.Context, document: str = typer.Argument(...), as_json: bool = JsonOpt) -> None:
    """One document and its versions."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        doc = service.get_document(session, actor=actor, document_id=document)
    if as_json:
        emit_json(doc)
    else:
        emit_record(doc, skip=("versions",))
        emit_table(doc.versions, ["number", "media_type", "size", "sha256", "created_at"])


@app.command("personal-data")
def personal_data(
    ctx: typer.Context,
    document: str = typer.Argument(...),
    personal: bool = typer.Option(
        True, "--yes/--no", help="Whether the document holds personal data."
    ),
    subjects: list[str] = typer.Option(
        [], "--subjects-in", help="A country of the data subjects (ISO code; repeatable)."
    ),
) -> None:
    """Flag a document as holding personal data (or not): its transfers abroad then need a
    mechanism of the origin's regime, even when its secret as a whole holds none."""
    data = PersonalDataSet(personal_data=personal, data_subject_regions=subjects)
    with state(ctx).unit_of_work() as (session, actor):
        doc = service.mark_personal_data(
            session,
            actor=actor,
            document_id=document,
            personal_data=data.personal_data,
            data_subject_regions=data.data_subject_regions,
        )
    where = (
        f" (data subjects in {', '.join(doc.data_subject_regions)})"
        if doc.data_subject_regions
        else ""
    )
    typer.echo(f"{document}: {'holds' if doc.personal_data else 'holds no'} personal data{where}")


@app.command("hold")
def hold(
    ctx: typer.Context,
    document: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why (litigation, investigation)."),
) -> None:
    """Put a document under legal hold: it cannot be destroyed until released."""
    with state(ctx).unit_of_work() as (session, actor):
        lifecycle.set_hold(session, actor=actor, document_id=document, reason=reason)
    typer.echo(f"{document} is under legal hold")


@app.command("release")
def release(
    ctx: typer.Context,
    document: str = typer.Argument(...),
    reason: str | None = typer.Option(None, "--reason"),
) -> None:
    """Release a document's legal hold."""
    with state(ctx).unit_of_work() as (session, actor):
        lifecycle.release_hold(session, actor=actor, document_id=document, reason=reason)
    typer.echo(f"{document}: legal hold released")


@app.command("retain")
def retain(
    ctx: typer.Context,
    document: str = typer.Argument(...),
    until: str = typer.Option(..., "--until", help="YYYY-MM-DD, or 'none'."),
) -> None:
    """Set how long a document must be kept."""
    when = None
    if until.lower() != "none":
        try:
            when = datetime.combine(date.fromisoformat(until), time(), tzinfo=UTC)
        except ValueError:
            raise Invalid(f"--until {until!r} is not a date like 2030-12-31 (or 'none')") from None
    with state(ctx).unit_of_work() as (session, actor):
        lifecycle.set_retention(session, actor=actor, document_id=document, until=when)
    typer.echo(f"{document}: retained until {until}")


@app.command("destroy")
def destroy(
    ctx: typer.Context,
    document: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why it is destroyed."),
    as_json: bool = JsonOpt,
) -> None:
    """Crypto-shred a document and print its destruction certificate."""
    st = state(ctx)
    vault = service.open_vault(st.settings)
    with st.unit_of_work() as (session, actor):
        cert = lifecycle.destroy(
            session, actor=actor, vault=vault, document_id=document, reason=reason
        )
    if as_json:
        emit_json(cert)
    else:
        emit_record(cert, skip=("inclusion_proof",))


@app.command("certificate")
def certificate(
    ctx: typer.Context, document: str = typer.Argument(...), as_json: bool = JsonOpt
) -> None:
    """The destruction certificate of a destroyed document, with its custody proof."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        cert = lifecycle.certificate(session, actor=actor, document_id=document)
    if as_json:
        emit_json(cert)
    else:
        emit_record(cert, skip=("inclusion_proof",))


@app.command("sweep")
def sweep_blobs(
    ctx: typer.Context,
    older_than_hours: float = typer.Option(
        24, "--older-than-hours", min=0, help="Leave blobs younger than this (uploads in flight)."
    ),
) -> None:
    """Delete blobs that no committed version names (left by a crash mid-upload)."""
    st = state(ctx)
    store = blob_store(st.settings)
    with st.unit_of_work() as (session, actor):
        gone = sweep.sweep_orphans(
            session, actor=actor, store=store, grace=timedelta(hours=older_than_hours)
        )
    typer.echo(f"deleted {len(gone)} orphan blobs")


@keys_app.command("rotate")
def rotate(
    ctx: typer.Context,
    purge_old: bool = typer.Option(
        False, "--purge-old", help="Delete the old KEK instead of keeping it aside."
    ),
) -> None:
    """Make a new KEK and re-wrap every data key under it (content is not re-encrypted)."""
    st = state(ctx)
    ring, old = keyring.begin_file_rotation(st.settings)
    with st.unit_of_work() as (session, actor):
        result = keyring.rotate_keys(session, actor=actor, ring=ring)
    kept = keyring.finish_file_rotation(st.settings, old, purge_old=purge_old)
    typer.echo(f"re-wrapped {result.rewrapped} data keys under {result.to_kek_id}")
    if kept is not None:
        typer.echo(
            f"the old KEK is kept at {kept}; nothing in the database needs it now. Delete it "
            "once no backup taken before this rotation needs restoring."
        )
