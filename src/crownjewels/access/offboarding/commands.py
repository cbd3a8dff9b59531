"""CLI of offboarding, mounted under `crownjewels access`: `offboard PERSON | --organisation ORG`
and `offboarding list|show|acknowledge|certify|report`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from crownjewels.access.offboarding import report as access_report
from crownjewels.access.offboarding import service as offboarding
from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.vault import service as vault

offboarding_app = typer.Typer(no_args_is_help=True, help="Offboarding records and reports.")
OFF_SKIP = ("statement",)


def mount(app: typer.Typer) -> None:
    """Add `offboard` and `offboarding` to the `access` CLI app."""
    app.command("offboard")(offboard)
    app.add_typer(offboarding_app, name="offboarding")


def offboard(
    ctx: typer.Context,
    person: str | None = typer.Argument(None, help="the person (id or email)"),
    organisation: str | None = typer.Option(None, "--organisation", help="a whole organisation"),
    as_json: bool = JsonOpt,
) -> None:
    """Offboard a person or a whole vendor organisation: revoke every live grant."""
    with state(ctx).unit_of_work() as (session, actor):
        made = offboarding.offboard(session, actor=actor, person=person, organisation=organisation)
    if as_json:
        emit_json(made)
        return
    typer.echo(
        f"{made.ref}: offboarding {made.subject_name}, {made.grants_revoked} grant(s) revoked; "
        f"next: `access offboarding certify {made.ref}` and the exit acknowledgement"
    )


@offboarding_app.command("list")
def offboarding_list(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Every offboarding, newest first."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = offboarding.list_offboardings(session, actor=actor)
    if as_json:
        emit_json(found)
        return
    emit_table(found, ["ref", "subject_name", "status", "grants_revoked", "started_at"])


@offboarding_app.command("show")
def offboarding_show(
    ctx: typer.Context, ref: str = typer.Argument(...), as_json: bool = JsonOpt
) -> None:
    """One offboarding record."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = offboarding.get(session, actor=actor, ref=ref)
    if as_json:
        emit_json(found)
        return
    emit_record(found)


@offboarding_app.command("acknowledge")
def offboarding_acknowledge(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    person: str | None = typer.Option(None, "--person", help="for an organisation's offboarding"),
) -> None:
    """Record the exit-obligations acknowledgement (the person, or a signed paper copy)."""
    with state(ctx).unit_of_work() as (session, actor):
        done = offboarding.acknowledge_exit(session, actor=actor, ref=ref, person=person)
    typer.echo(f"{done.ref}: acknowledgement recorded; status {done.status}")


@offboarding_app.command("certify")
def offboarding_certify(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    file: Path | None = typer.Option(None, "--file", help="the signed certificate (PDF …)"),
    statement: str | None = typer.Option(None, "--statement", help="or the statement's text"),
) -> None:
    """Collect the return-or-destruction certificate: a file into the vault, or a statement."""
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        if file is not None:
            with file.open("rb") as handle:
                done = offboarding.certify(
                    session,
                    actor=actor,
                    ref=ref,
                    upload=handle,
                    vault_=vault.open_vault(st.settings),
                    filename=file.name,
                )
        else:
            done = offboarding.certify(session, actor=actor, ref=ref, statement=statement)
    typer.echo(f"{done.ref}: certificate collected; status {done.status}")


@offboarding_app.command("report")
def offboarding_report(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    days: int = typer.Option(access_report.REPORT_DAYS, "--days", min=1, max=3650),
    csv_: bool = typer.Option(False, "--csv", help="CSV instead of JSON"),
) -> None:
    """What the offboarded people accessed in the last 90 days (JSON, or CSV)."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = offboarding.report(session, actor=actor, ref=ref, days=days)
    if csv_:
        typer.echo(access_report.to_csv(found), nl=False)
    else:
        typer.echo(json.dumps(found.model_dump(mode="json"), indent=2))
