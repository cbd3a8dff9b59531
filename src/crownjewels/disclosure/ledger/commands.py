"""CLI: `crownjewels disclosures list|export|record`, the disclosure ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state
from crownjewels.core.files import write_whole
from crownjewels.custody import labels
from crownjewels.disclosure.ledger import export as ledger_export
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import EntryRead, LedgerChannel, LedgerFilter

app = typer.Typer(no_args_is_help=True, help="The disclosure ledger: who received which secret.")

_COLUMNS = ["id", "disclosed_at", "secret", "version", "recipient", "organisation", "channel",
            "agreement", "seq"]  # fmt: skip
_CHANNELS = ", ".join(c.value for c in LedgerChannel if c is not LedgerChannel.VAULT_COPY)

SecretOpt = typer.Option(None, "--secret", help="A secret's id or reference.")
OrgOpt = typer.Option(None, "--organisation", help="An organisation's id or name.")
PersonOpt = typer.Option(None, "--person", help="A person's id or email.")


def _filters(
    secret: str | None,
    organisation: str | None,
    person: str | None,
    since: datetime | None,
    until: datetime | None,
) -> LedgerFilter:
    def day(value: datetime | None) -> date | None:
        return value.date() if value else None

    return LedgerFilter(
        secret=secret, organisation=organisation, person=person, since=day(since), until=day(until)
    )


def _utc(value: datetime | None) -> datetime | None:
    """A time given without a zone is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _row(entry: EntryRead) -> dict[str, object]:
    return {
        "id": entry.id,
        "disclosed_at": f"{entry.disclosed_at:%Y-%m-%d %H:%M}",
        "secret": entry.secret_ref or entry.secret_id,
        "version": entry.document_version or "",
        "recipient": entry.recipient_name,
        "organisation": entry.recipient_organisation_name,
        "channel": entry.channel.value,
        "agreement": entry.agreement_ref or "",
        "seq": entry.custody_seq,
    }


@app.command("list")
def list_command(
    ctx: typer.Context,
    secret: str | None = SecretOpt,
    organisation: str | None = OrgOpt,
    person: str | None = PersonOpt,
    since: datetime | None = typer.Option(None, "--since", formats=["%Y-%m-%d"], help="First day."),
    until: datetime | None = typer.Option(None, "--until", formats=["%Y-%m-%d"], help="Last day."),
    as_json: bool = JsonOpt,
) -> None:
    """The ledger, oldest first, narrowed by secret, organisation, person and days."""
    wanted = _filters(secret, organisation, person, since, until)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = ledger.list_entries(session, actor=actor, filters=wanted)
    if as_json:
        emit_json(found)
    else:
        emit_table([_row(e) for e in found], _COLUMNS, empty="no disclosures")


@app.command("export")
def export_command(
    ctx: typer.Context,
    csv_file: Path | None = typer.Option(None, "--csv", help="Write the ledger as CSV here."),
    pdf_file: Path | None = typer.Option(None, "--pdf", help="Write a PDF report here."),
    secret: str | None = SecretOpt,
    organisation: str | None = OrgOpt,
    person: str | None = PersonOpt,
    since: datetime | None = typer.Option(None, "--since", formats=["%Y-%m-%d"], help="First day."),
    until: datetime | None = typer.Option(None, "--until", formats=["%Y-%m-%d"], help="Last day."),
) -> None:
    """Export the (filtered) ledger as CSV, a PDF report, or both."""
    if csv_file is None and pdf_file is None:
        raise typer.BadParameter("give --csv FILE, --pdf FILE or both")
    wanted = _filters(secret, organisation, person, since, until)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        entries = ledger.list_entries(session, actor=actor, filters=wanted)
        names = ledger_export.people_of(session, entries)
        by = labels.actor_text(session, actor.ref)
    if csv_file is not None:
        write_whole(csv_file, ledger_export.to_csv(entries, names).encode("utf-8"))
        typer.echo(f"wrote {csv_file}: {len(entries)} entries")
    if pdf_file is not None:
        write_whole(pdf_file, ledger_export.to_pdf(entries, wanted, by, names))
        typer.echo(f"wrote {pdf_file}: {len(entries)} entries")


@app.command("record")
def record_command(
    ctx: typer.Context,
    secret: str = typer.Argument(..., help="The secret's id or reference."),
    person: str = typer.Option(..., "--to", help="The recipient's email or person id."),
    description: str = typer.Option(..., "--description", help="What was disclosed, and how."),
    channel: LedgerChannel = typer.Option(
        LedgerChannel.MANUAL_ORAL, "--channel", help=f"One of: {_CHANNELS}."
    ),
    on: datetime | None = typer.Option(None, "--on", help="When it happened (default: now)."),
    agreement: str | None = typer.Option(None, "--agreement", help="Default: the first covering."),
    purpose: str = typer.Option("", "--purpose", help="Why (default: the description)."),
    as_json: bool = JsonOpt,
) -> None:
    """Record a disclosure made outside the vault; refused with every reason when the access
    rules would not let the person view the secret."""
    with state(ctx).unit_of_work() as (session, actor):
        entry = ledger.record_disclosure(
            session,
            actor=actor,
            secret=secret,
            person=person,
            channel=channel,
            on=_utc(on),
            description=description,
            agreement=agreement,
            purpose=purpose,
        )
    if as_json:
        emit_json(entry)
    else:
        typer.echo(
            f"recorded {entry.id}: {entry.secret_ref} to {entry.recipient_name} "
            f"({entry.channel.value}), custody #{entry.custody_seq}"
        )
