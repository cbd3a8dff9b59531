"""CLI sub-commands of a vendor's cross-border transfers: `crownjewels vendors transfers
list|mechanism|tia|revoke-mechanism|revoke-tia`."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state
from crownjewels.core.errors import Invalid
from crownjewels.vault import service as vault
from crownjewels.vendors.transfers import service
from crownjewels.vendors.transfers.schemas import (
    Ground,
    MechanismCreate,
    MechanismKind,
    Regime,
    SccModule,
    TiaCreate,
    TiaOutcome,
)

app = typer.Typer(
    no_args_is_help=True,
    help="Transfer mechanisms (SCCs, BCRs, derogations, China's) and transfer impact "
    "assessments under which personal data may reach a vendor across a border.",
)

RefArg = typer.Argument(..., help="Vendor ref (VN-0001), id or organisation name.")
RegimeOpt = typer.Option(
    ..., "--regime", help=f"The origin's regime: {', '.join(r.value for r in Regime)}."
)
FileOpt = typer.Option(None, "--file", help="The document itself: stored encrypted in the vault.")


def _choices(enum: type[Any]) -> str:
    return ", ".join(m.value for m in enum)


def _fields(**options: Any) -> dict[str, Any]:
    """The options the user gave (None and empty lists mean "not given")."""
    return {k: v for k, v in options.items() if v is not None and v != []}


def _opened(stack: ExitStack, file: Path | None) -> BinaryIO | None:
    if file is None:
        return None
    if not file.is_file():
        raise Invalid(f"no file {file}; give the path of the document", field="file")
    return stack.enter_context(file.open("rb"))


Recorded = TypeVar("Recorded")


def _recorded(ctx: typer.Context, file: Path | None, record: Callable[..., Recorded]) -> Recorded:
    """Run one record verb in its unit of work, with the file (if any) going into the vault."""
    st = state(ctx)
    with ExitStack() as stack:
        upload = _opened(stack, file)
        vault_ = vault.open_vault(st.settings) if upload is not None else None
        with st.unit_of_work() as (session, actor):
            return record(
                session,
                actor=actor,
                vault_=vault_,
                upload=upload,
                filename=file.name if file else None,
            )


@app.command("list")
def list_transfers(ctx: typer.Context, ref: str = RefArg, as_json: bool = JsonOpt) -> None:
    """A vendor's mechanisms (with their state today) and assessments, revoked ones too."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.transfers(session, actor=actor, vendor_ref=ref)
    if as_json:
        emit_json(found)
        return
    typer.echo(f"{found.vendor_ref} {found.vendor_name}\n\nmechanisms:")
    emit_table(
        [
            {**m.model_dump(), "countries": ", ".join(m.countries) or "all"}
            for m in found.mechanisms
        ],
        ["number", "regime", "label", "countries", "effective_on", "expires_on", "state"],
        empty="  none recorded",
    )
    typer.echo("\ntransfer impact assessments:")
    emit_table(
        [{**a.model_dump(), "revoked": a.revoked_at is not None} for a in found.assessments],
        ["number", "regime", "country", "assessed_on", "outcome", "revoked"],
        empty="  none recorded",
    )


@app.command("mechanism")
def mechanism(
    ctx: typer.Context,
    ref: str = RefArg,
    kind: str = typer.Option(..., "--kind", help=f"One of: {_choices(MechanismKind)}."),
    regime: str = RegimeOpt,
    module: str | None = typer.Option(None, "--module", help=f"SCCs: {_choices(SccModule)}."),
    country: list[str] = typer.Option(
        [], "--country", help="A destination it covers (repeat; none: every destination)."
    ),
    ground: str | None = typer.Option(
        None, "--ground", help=f"A derogation's or exemption's ground: {_choices(Ground)}."
    ),
    filed: str | None = typer.Option(
        None, "--filed", help="China standard contract: filed with the CAC on (YYYY-MM-DD)."
    ),
    effective: str | None = typer.Option(None, "--effective", help="In force from (YYYY-MM-DD)."),
    expires: str | None = typer.Option(None, "--expires", help="Ends on (YYYY-MM-DD)."),
    reference: str | None = typer.Option(None, "--reference", help="Where it is (annex, ref)."),
    notes: str | None = typer.Option(None, "--notes"),
    file: Path | None = FileOpt,
) -> None:
    """Record a transfer mechanism with a vendor, for one origin regime."""
    data = MechanismCreate.model_validate(
        _fields(
            kind=kind.strip().lower(),
            regime=regime.strip().upper(),
            module=module.strip().upper() if module else None,
            countries=country,
            ground=ground,
            filed_on=filed,
            effective_on=effective,
            expires_on=expires,
            reference=reference,
            notes=notes,
        )
    )
    made = _recorded(ctx, file, partial(service.record_mechanism, vendor_ref=ref, data=data))
    where = ", ".join(made.countries) or "every destination"
    stored = "; the document is stored encrypted in the vault" if made.document_id else ""
    typer.echo(
        f"recorded {made.label} for {made.regime.value} transfers to {where} ({made.number}), "
        f"{made.state.value}{stored}"
    )


@app.command("tia")
def tia(
    ctx: typer.Context,
    ref: str = RefArg,
    regime: str = RegimeOpt,
    country: str = typer.Option(..., "--country", help="The destination assessed."),
    assessed: str = typer.Option(..., "--assessed", help="Assessed on (YYYY-MM-DD)."),
    outcome: str = typer.Option(..., "--outcome", help=f"One of: {_choices(TiaOutcome)}."),
    summary: str | None = typer.Option(None, "--summary", help="What it found, which measures."),
    file: Path | None = FileOpt,
) -> None:
    """Record a transfer impact assessment of one destination for one origin regime."""
    data = TiaCreate.model_validate(
        _fields(
            regime=regime.strip().upper(),
            country=country,
            assessed_on=assessed,
            outcome=outcome.strip().lower(),
            summary=summary,
        )
    )
    made = _recorded(ctx, file, partial(service.record_assessment, vendor_ref=ref, data=data))
    stored = "; the document is stored encrypted in the vault" if made.document_id else ""
    typer.echo(
        f"recorded the {made.regime.value} transfer impact assessment of {made.country} of "
        f"{made.assessed_on}: {made.outcome.value} ({made.number}){stored}"
    )


ReasonOpt = typer.Option(..., "--reason", help="Why it no longer holds.")


@app.command("revoke-mechanism")
def revoke_mechanism(
    ctx: typer.Context,
    ref: str = RefArg,
    mechanism_id: str = typer.Argument(
        ..., help="The mechanism's number, e.g. M2 (`transfers list` shows them)."
    ),
    reason: str = ReasonOpt,
) -> None:
    """Revoke a transfer mechanism: it no longer admits transfers."""
    with state(ctx).unit_of_work() as (session, actor):
        done = service.revoke_mechanism(
            session, actor=actor, vendor_ref=ref, mechanism_id=mechanism_id, reason=reason
        )
    typer.echo(f"revoked {done.label} for {done.regime.value} ({mechanism_id.upper()})")


@app.command("revoke-tia")
def revoke_tia(
    ctx: typer.Context,
    ref: str = RefArg,
    assessment_id: str = typer.Argument(
        ..., help="The assessment's number, e.g. T1 (`transfers list` shows them)."
    ),
    reason: str = ReasonOpt,
) -> None:
    """Revoke a transfer impact assessment (superseded, or the destination's law changed)."""
    with state(ctx).unit_of_work() as (session, actor):
        done = service.revoke_assessment(
            session, actor=actor, vendor_ref=ref, assessment_id=assessment_id, reason=reason
        )
    typer.echo(f"revoked the {done.country} transfer impact assessment ({assessment_id.upper()})")
