"""`crownjewels incidents letters|letter|legal-step|legal-steps`: the letters a case calls for,
a letter drafted from the case's records as DOCX, PDF or text (with what counsel must complete
said on stderr), and the case's legal steps (record one, list them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state, write_export
from crownjewels.core.forms import parse_day
from crownjewels.incidents.legal import service
from crownjewels.incidents.legal.schemas import StepCreate, TemplateRead
from crownjewels.vault import service as vault

CASE = typer.Argument(..., help="The case: IN-0001.")
STEP_COLUMNS = ["number", "kind", "taken_at", "note", "recorded_by"]


def mount(parent: typer.Typer) -> None:
    """Add `letters`, `letter`, `legal-step` and `legal-steps` to the `incidents` CLI app."""
    parent.command("letters")(letters)
    parent.command("letter")(letter)
    parent.command("legal-step")(legal_step)
    parent.command("legal-steps")(legal_steps)


def _row(t: TemplateRead) -> dict[str, str]:
    takes = ", ".join(c.value for c in t.recipients) if t.takes_recipient else "-"
    return {
        "letter": t.key,
        "title": t.title,
        "to": t.to,
        "recipients": takes or "add one to the case",
        "note": t.note or "",
    }


def letters(
    ctx: typer.Context,
    ref: str = CASE,
    everything: bool = typer.Option(False, "--all", help="Every letter, not only those due."),
    as_json: bool = JsonOpt,
) -> None:
    """The letters a case calls for, whom each goes to and whom it may be addressed to."""
    cli = state(ctx)
    with cli.unit_of_work(write=False) as (session, actor):
        rows = service.templates(
            session, actor=actor, ref=ref, tz=cli.settings.timezone, everything=everything
        )
    if as_json:
        emit_json(rows)
        return
    emit_table([_row(t) for t in rows], ["letter", "title", "to", "recipients", "note"])


def _day(value: str | None) -> date | None:
    return parse_day(value, field="respond_by")


def letter(
    ctx: typer.Context,
    ref: str = CASE,
    template: str = typer.Argument(..., help="The letter: cease-and-desist, vendor-breach …"),
    to: str | None = typer.Option(None, "--to", help="Its recipient: an email, name or ref."),
    agreement: str | None = typer.Option(None, "--agreement", help="Under this AG-… only."),
    fmt: str = typer.Option("docx", "--format", help="docx, pdf or text."),
    out: Path | None = typer.Option(None, "--out", help="Write here (default: its file name)."),
    respond_by: str | None = typer.Option(None, "--respond-by", help="Comply by (YYYY-MM-DD)."),
) -> None:
    """Draft a letter from the case's records (recorded in its custody log with its hash)."""
    cli = state(ctx)
    opened = vault.open_vault(cli.settings)
    with cli.unit_of_work() as (session, actor):
        made = service.draft(
            session, actor=actor, ref=ref, template=template, recipient=to, agreement=agreement,
            fmt=fmt.strip().lower(), tz=cli.settings.timezone, company=cli.settings.company_name,
            respond_by=_day(respond_by), vault_=opened,
        )  # fmt: skip
    for note in made.built.notes:
        typer.echo(f"note: {note}", err=True)
    if made.media_type.startswith("text/") and out is None:
        typer.echo(made.data.decode(), nl=False)
        return
    write_export(made.data, out=out or Path(made.filename))


def legal_step(
    ctx: typer.Context,
    ref: str = CASE,
    kind: str = typer.Argument(..., help="counsel-engaged, letter-sent, tro-applied, …, other."),
    at: str | None = typer.Option(None, "--at", help="When (YYYY-MM-DDTHH:MM, UTC); now."),
    note: str = typer.Option("", "--note", help="Court, docket, firm, how it was sent."),
    as_json: bool = JsonOpt,
) -> None:
    """Record a legal step taken in a case (never in the future)."""
    data = StepCreate.model_validate({"kind": kind.strip().lower(), "taken_at": at, "note": note})
    with state(ctx).unit_of_work() as (session, actor):
        done = service.record_step(session, actor=actor, ref=ref, data=data)
    if as_json:
        emit_json(done)
        return
    typer.echo(
        f"{ref.strip().upper()}: legal step {done.number} recorded: {done.kind_words} "
        f"({done.taken_at:%Y-%m-%d %H:%M} UTC)"
    )


def legal_steps(ctx: typer.Context, ref: str = CASE, as_json: bool = JsonOpt) -> None:
    """A case's legal steps in the order they were taken."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = service.steps(session, actor=actor, ref=ref)
    if as_json:
        emit_json(rows)
        return
    emit_table(
        rows,
        STEP_COLUMNS,
        empty=f"no legal step yet: `crownjewels incidents legal-step {ref.upper()} KIND`",
    )
