"""CLI sub-commands of vendor profiles: `crownjewels vendors add|list|show|update|status|
review|certify`, `vendors country add|remove`, `vendors subcontractor add|remove`,
`vendors contact add`, `vendors certificate`, `vendors transfers …`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.errors import Invalid
from crownjewels.core.pagination import Page, PageParams
from crownjewels.vault import service as vault
from crownjewels.vendors import certifications, contacts, service
from crownjewels.vendors.imports import commands as imports_commands
from crownjewels.vendors.schemas import (
    CertificationCreate,
    ContactCreate,
    CountryAdd,
    Criticality,
    ReviewCreate,
    Standard,
    StatusChange,
    SubcontractorAdd,
    VendorCreate,
    VendorFilter,
    VendorRead,
    VendorStatus,
    VendorUpdate,
)
from crownjewels.vendors.transfers import commands as transfers_commands

app = typer.Typer(no_args_is_help=True, help="Vendor profiles: the vendor file of each vendor.")
country_app = typer.Typer(no_args_is_help=True, help="Where a vendor processes our data.")
sub_app = typer.Typer(no_args_is_help=True, help="A vendor's subcontractors (other vendors).")
contact_app = typer.Typer(no_args_is_help=True, help="People we deal with at a vendor.")
app.add_typer(country_app, name="country")
app.add_typer(sub_app, name="subcontractor")
app.add_typer(contact_app, name="contact")
app.add_typer(transfers_commands.app, name="transfers")
app.command("import")(imports_commands.import_)
app.command("export")(imports_commands.export)


def _choices(enum: type[Any]) -> str:
    return ", ".join(m.value for m in enum)


def _fields(**options: Any) -> dict[str, Any]:
    """The options the user gave (None and empty lists mean "not given")."""
    return {k: v for k, v in options.items() if v is not None and v != []}


RefArg = typer.Argument(..., help="Vendor ref (VN-0001), id or organisation name.")
CriticalityOpt = typer.Option(None, "--criticality", help=f"One of: {_choices(Criticality)}.")
ServicesOpt = typer.Option(None, "--services", help="What the vendor does for us.")
CadenceOpt = typer.Option(
    None, "--cadence", help="Review every N months (1-60; default by criticality: 6, 12, 24, 36)."
)


@app.command("add")
def add(
    ctx: typer.Context,
    organisation: str = typer.Argument(..., help="The vendor organisation's name or id."),
    services: str | None = ServicesOpt,
    criticality: str | None = CriticalityOpt,
    country: list[str] | None = typer.Option(
        None, "--country", help="Where it processes our data (ISO code; repeatable)."
    ),
    status: str | None = typer.Option(None, "--status", help=f"One of: {_choices(VendorStatus)}."),
    cadence: int | None = CadenceOpt,
    notes: str | None = typer.Option(None, "--notes"),
) -> None:
    """Open the vendor file of an organisation of kind vendor."""
    if services is None or criticality is None:
        raise Invalid("--services TEXT and --criticality LEVEL are required")
    data = VendorCreate.model_validate(
        _fields(
            organisation_id=organisation,
            services=services,
            criticality=criticality.strip().lower(),
            countries=country,
            status=status,
            review_cadence_months=cadence,
            notes=notes,
        )
    )
    with state(ctx).unit_of_work() as (session, actor):
        v = service.create(session, actor=actor, data=data)
    typer.echo(
        f"added {v.ref} {v.name} ({v.criticality.value}, {v.status.value}); "
        f"next review {v.next_review_on}"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help=f"One of: {_choices(VendorStatus)}."),
    criticality: str | None = CriticalityOpt,
    country: str | None = typer.Option(
        None, "--country", help="Vendors whose data (or a subcontractor's) is in this country."
    ),
    q: str | None = typer.Option(None, "--q", help="Text in the name or services, or a ref."),
    review_due: bool = typer.Option(False, "--review-due", help="Only vendors due for review."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows (1-500)."),
    offset: int = typer.Option(0, "--offset", help="Skip this many rows first."),
    as_json: bool = JsonOpt,
) -> None:
    """The vendor profiles, by ref."""
    flt = VendorFilter.model_validate(
        _fields(
            status=status,
            criticality=criticality,
            country=country,
            q=q,
            review_due=review_due or None,
        )
    )
    page = PageParams(limit=limit, offset=offset)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows, total = service.list_vendors(session, actor=actor, filters=flt, page=page)
    if as_json:
        emit_json(Page(items=rows, total=total, limit=page.limit, offset=page.offset))
        return
    emit_table(
        [_row(v) for v in rows],
        ["ref", "name", "criticality", "status", "exposure", "next_review"],
        empty="no vendor profiles match; add one with `crownjewels vendors add`",
    )
    if total > offset + len(rows):
        typer.echo(
            f"({offset + 1}-{offset + len(rows)} of {total}; see more with --offset)", err=True
        )


def _row(v: VendorRead) -> dict[str, Any]:
    due = f"{v.next_review_on} DUE" if v.review_due else v.next_review_on
    return {
        "ref": v.ref,
        "name": v.name,
        "criticality": v.criticality,
        "status": v.status,
        "exposure": v.exposure,
        "next_review": due,
    }


@app.command("show")
def show(ctx: typer.Context, ref: str = RefArg, as_json: bool = JsonOpt) -> None:
    """One vendor with its countries, subcontractor chain, certifications and contacts."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        v = service.get(session, actor=actor, vendor_ref=ref)
    if as_json:
        emit_json(v)
        return
    emit_record(v, skip=("countries", "certifications", "contacts", "subcontractors", "chain"))
    typer.echo("\ncountries:")
    emit_table(v.countries, ["country", "country_name", "notes"], empty="  none recorded")
    typer.echo("\nsubcontractor chain:")
    emit_table(
        [{**c.model_dump(), "vendor": f"{'  ' * (c.depth - 1)}{c.ref} {c.name}"} for c in v.chain],
        ["vendor", "via_ref", "service", "countries"],
        empty="  no subcontractors",
    )
    typer.echo("\ncertifications:")
    emit_table(
        v.certifications,
        ["id", "label", "issuer", "certificate_number", "expires_on", "state", "document_id"],
        empty="  none recorded",
    )
    typer.echo("\ncontacts:")
    emit_table(
        v.contacts, ["id", "name", "email", "role", "phone", "is_primary"], empty="  none recorded"
    )
    typer.echo("\njurisdictions:")
    for panel in service.jurisdiction_panels(v):
        via = "" if panel.own else " (through a subcontractor)"
        if panel.profile is None:
            typer.echo(f"  {panel.code} {panel.name}{via}: no jurisdiction profile yet")
            continue
        typer.echo(f"  {panel.code} {panel.name}{via}:")
        for note in panel.notes:
            typer.echo(f"    - {note}")
        if panel.stale:
            typer.echo(f"    ! {panel.stale}")


@app.command("update")
def update(
    ctx: typer.Context,
    ref: str = RefArg,
    services: str | None = ServicesOpt,
    criticality: str | None = CriticalityOpt,
    cadence: int | None = CadenceOpt,
    next_review: str | None = typer.Option(None, "--next-review", help="YYYY-MM-DD."),
    notes: str | None = typer.Option(None, "--notes"),
    version: int | None = typer.Option(
        None, "--version", help="Refuse the change unless the profile is still at this version."
    ),
) -> None:
    """Change a profile's fields; the custody log records before and after."""
    fields = _fields(
        services=services,
        criticality=criticality.strip().lower() if criticality else None,
        review_cadence_months=cadence,
        next_review_on=next_review,
        notes=notes,
    )
    if not fields:
        raise Invalid("nothing to change: give at least one option, e.g. --criticality")
    changes = VendorUpdate.model_validate({**fields, "version": version})
    with state(ctx).unit_of_work() as (session, actor):
        v = service.update(session, actor=actor, vendor_ref=ref, changes=changes)
    typer.echo(f"updated {v.ref} {v.name}: now version {v.version}")


@app.command("status")
def status(
    ctx: typer.Context,
    ref: str = RefArg,
    new: str = typer.Argument(..., help=f"One of: {_choices(VendorStatus)}."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the custody log)."),
) -> None:
    """Move a vendor through its lifecycle (prospect, onboarding, active, suspended, offboarded)."""
    change = StatusChange.model_validate({"status": new.strip().lower(), "reason": reason})
    with state(ctx).unit_of_work() as (session, actor):
        v = service.change_status(session, actor=actor, vendor_ref=ref, change=change)
    typer.echo(f"{v.ref} {v.name} is now {v.status.value}")


@app.command("review")
def review(
    ctx: typer.Context,
    ref: str = RefArg,
    on: str | None = typer.Option(None, "--on", help="Date held, YYYY-MM-DD (default today)."),
    notes: str | None = typer.Option(None, "--notes", help="What the review found."),
) -> None:
    """Record a periodic review; the next one is scheduled by the cadence."""
    data = ReviewCreate.model_validate(_fields(reviewed_on=on, notes=notes))
    with state(ctx).unit_of_work() as (session, actor):
        v = service.review(session, actor=actor, vendor_ref=ref, data=data)
    typer.echo(f"reviewed {v.ref}; next review on {v.next_review_on}")


@app.command("certify")
def certify(
    ctx: typer.Context,
    ref: str = RefArg,
    standard: str = typer.Option(..., "--standard", help=f"One of: {_choices(Standard)}."),
    issuer: str = typer.Option(..., "--issuer", help="The certification body or auditor."),
    name: str | None = typer.Option(None, "--name", help="The standard's name (for `other`)."),
    scope: str | None = typer.Option(None, "--scope", help="What the certificate covers."),
    number: str | None = typer.Option(None, "--number", help="The certificate number."),
    issued: str | None = typer.Option(None, "--issued", help="YYYY-MM-DD."),
    expires: str | None = typer.Option(None, "--expires", help="YYYY-MM-DD."),
    file: Path | None = typer.Option(
        None, "--file", help="The certificate itself: stored encrypted in the vault."
    ),
) -> None:
    """Record a certification a vendor holds, optionally with its certificate file."""
    data = CertificationCreate.model_validate(
        _fields(
            standard=standard.strip().lower(),
            issuer=issuer,
            standard_name=name,
            scope=scope,
            certificate_number=number,
            issued_on=issued,
            expires_on=expires,
        )
    )
    if file is not None and not file.is_file():
        raise Invalid(f"no file {file}; give the path of the certificate", field="file")
    st = state(ctx)
    vault_ = vault.open_vault(st.settings) if file is not None else None
    with st.unit_of_work() as (session, actor):
        if file is None:
            cert = certifications.add_certification(session, actor=actor, vendor_ref=ref, data=data)
        else:
            with file.open("rb") as upload:
                cert = certifications.add_certification(
                    session,
                    actor=actor,
                    vendor_ref=ref,
                    data=data,
                    vault_=vault_,
                    upload=upload,
                    filename=file.name,
                )
    stored = f"; certificate in the vault as {cert.document_id}" if cert.document_id else ""
    expiry = f"expires {cert.expires_on} ({cert.state.value})" if cert.expires_on else "no expiry"
    typer.echo(f"recorded {cert.label} from {cert.issuer} ({cert.id}), {expiry}{stored}")


@app.command("certificate")
def certificate(
    ctx: typer.Context,
    ref: str = RefArg,
    certification: str = typer.Argument(..., help="The certification's id (`vendors show`)."),
    file: Path = typer.Argument(..., help="The certificate file: stored encrypted in the vault."),
) -> None:
    """Store (or replace) the certificate file of a recorded certification."""
    if not file.is_file():
        raise Invalid(f"no file {file}; give the path of the certificate", field="file")
    st = state(ctx)
    vault_ = vault.open_vault(st.settings)
    with st.unit_of_work() as (session, actor), file.open("rb") as upload:
        cert = certifications.attach_certificate(
            session,
            actor=actor,
            vault_=vault_,
            vendor_ref=ref,
            certification_id=certification,
            upload=upload,
            filename=file.name,
        )
    typer.echo(f"{cert.label} certificate in the vault as {cert.document_id}")


@country_app.command("add")
def country_add(
    ctx: typer.Context,
    ref: str = RefArg,
    country: str = typer.Argument(..., help="ISO 3166 code, e.g. IN or PHL."),
    notes: str | None = typer.Option(None, "--notes"),
) -> None:
    """Record a country where the vendor processes our data."""
    data = CountryAdd.model_validate(_fields(country=country, notes=notes))
    with state(ctx).unit_of_work() as (session, actor):
        v = service.add_country(session, actor=actor, vendor_ref=ref, data=data)
    typer.echo(f"{v.ref} processes data in: {', '.join(c.country for c in v.countries)}")


@country_app.command("remove")
def country_remove(
    ctx: typer.Context,
    ref: str = RefArg,
    country: str = typer.Argument(..., help="ISO 3166 code."),
) -> None:
    """Forget a processing country."""
    with state(ctx).unit_of_work() as (session, actor):
        v = service.remove_country(session, actor=actor, vendor_ref=ref, country=country)
    listed = ", ".join(c.country for c in v.countries) or "none"
    typer.echo(f"{v.ref} processes data in: {listed}")


@sub_app.command("add")
def subcontractor_add(
    ctx: typer.Context,
    ref: str = RefArg,
    subcontractor: str = typer.Argument(..., help="The subcontractor's vendor ref or name."),
    service_: str = typer.Option(..., "--service", help="What it does for the vendor."),
    country: list[str] | None = typer.Option(
        None, "--country", help="Where it handles our data (repeatable; default: its own)."
    ),
    notes: str | None = typer.Option(None, "--notes"),
) -> None:
    """Record that another vendor does part of this vendor's service (a cycle is refused)."""
    data = SubcontractorAdd.model_validate(
        _fields(subcontractor=subcontractor, service=service_, countries=country, notes=notes)
    )
    with state(ctx).unit_of_work() as (session, actor):
        v = service.add_subcontractor(session, actor=actor, vendor_ref=ref, data=data)
    typer.echo(
        f"{v.ref} subcontracts to {len(v.chain)} vendor(s); exposure: {', '.join(v.exposure)}"
    )


@sub_app.command("remove")
def subcontractor_remove(
    ctx: typer.Context,
    ref: str = RefArg,
    subcontractor: str = typer.Argument(..., help="The subcontractor's vendor ref or name."),
) -> None:
    """Forget a subcontracting link."""
    with state(ctx).unit_of_work() as (session, actor):
        v = service.remove_subcontractor(
            session, actor=actor, vendor_ref=ref, subcontractor_ref=subcontractor
        )
    typer.echo(f"{v.ref} subcontracts to {len(v.chain)} vendor(s)")


@contact_app.command("add")
def contact_add(
    ctx: typer.Context,
    ref: str = RefArg,
    name: str = typer.Option(..., "--name"),
    email: str = typer.Option(..., "--email"),
    role: str | None = typer.Option(None, "--role", help="e.g. account manager, DPO, CISO."),
    phone: str | None = typer.Option(None, "--phone"),
    primary: bool = typer.Option(False, "--primary", help="The one who receives questionnaires."),
    person: str | None = typer.Option(None, "--person", help="Link to a person (email or id)."),
) -> None:
    """Record someone we deal with at the vendor."""
    data = ContactCreate.model_validate(
        _fields(name=name, email=email, role=role, phone=phone, is_primary=primary,
                person_id=person)
    )  # fmt: skip
    with state(ctx).unit_of_work() as (session, actor):
        c = contacts.add_contact(session, actor=actor, vendor_ref=ref, data=data)
    typer.echo(f"added contact {c.name} <{c.email}>{' (primary)' if c.is_primary else ''} ({c.id})")
