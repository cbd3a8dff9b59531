"""CLI sub-commands of the register: `crownjewels secrets add|list|show|update|review|retire|
import|export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from crownjewels.core.cli import (
    JsonOpt,
    emit_import,
    emit_json,
    emit_record,
    emit_table,
    read_import_file,
    state,
    write_export,
)
from crownjewels.core.errors import Invalid
from crownjewels.core.pagination import Page, PageParams
from crownjewels.inventory import imports, service
from crownjewels.inventory.schemas import (
    FACTOR_QUESTIONS,
    LEGAL_TESTS,
    Category,
    Factor,
    LegalTest,
    LocationKind,
    LocationPatterns,
    ReviewCreate,
    ReviewOutcome,
    ReviewRead,
    SecretCreate,
    SecretFilter,
    SecretRead,
    SecretStatus,
    SecretUpdate,
    StatusChange,
    Tier,
)

app = typer.Typer(no_args_is_help=True, help="The trade-secret register.")


def _choices(enum: type[Any]) -> str:
    return ", ".join(m.value for m in enum)


_CATEGORIES = _choices(Category)
_TIERS = _choices(Tier)
_FACTORS = _choices(Factor)
_TESTS = _choices(LegalTest)
_LOCATIONS = _choices(LocationKind)

# Options shared by `add` and `update`.
DescriptionOpt = typer.Option(None, "--description", help="What the secret is (plain text).")
DescriptionFileOpt = typer.Option(
    None, "--description-file", help="Read the description from this file ('-' for stdin)."
)
CategoryOpt = typer.Option(None, "--category", help=f"One of: {_CATEGORIES}.")
TierOpt = typer.Option(None, "--tier", help=f"One of: {_TIERS}.")
OwnerOpt = typer.Option(None, "--owner", help="The owner's email (a person in `people list`).")
UnitOpt = typer.Option(None, "--unit", help="Business unit.")
ValueOpt = typer.Option(None, "--value", help="Estimated value, e.g. 2500000.")
CostOpt = typer.Option(None, "--cost", help="Development cost, e.g. 400000.")
CurrencyOpt = typer.Option(None, "--currency", help="ISO 4217 code of value and cost, e.g. USD.")
RegionOpt = typer.Option(
    None, "--region", help="A country where it may be used (ISO code; repeatable)."
)
PersonalOpt = typer.Option(
    None,
    "--personal-data/--no-personal-data",
    help="Whether it holds personal data (its transfers abroad then need a mechanism).",
)
SubjectsOpt = typer.Option(
    None, "--subjects-in", help="A country of the data subjects (ISO code; repeatable)."
)
CadenceOpt = typer.Option(
    None, "--cadence", help="Review every N days (7-1095; default by tier: 90, 180, 365)."
)
FactorOpt = typer.Option(
    None,
    "--factor",
    help=f"Six-factor score NAME=SCORE[:rationale], SCORE 1-5 (repeatable). NAME: {_FACTORS}.",
)
LegalOpt = typer.Option(
    None,
    "--legal-test",
    help=f"Statutory test NAME=yes|no|unknown[:notes] (repeatable). NAME: {_TESTS} "
    "(not-generally-known: not generally known or readily ascertainable).",
)


# --- parsing of the compound options -------------------------------------------------------


def _description(text: str | None, path: Path | None) -> str | None:
    if text is not None and path is not None:
        raise Invalid("give --description or --description-file, not both", field="description")
    if path is None:
        return text
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"cannot read the description file {path}: {exc}") from None


def _enum(enum: type[Any], value: str, option: str) -> Any:
    try:
        return enum(value.strip().lower())
    except ValueError:
        raise Invalid(f"{option} {value!r}: unknown name; use one of: {_choices(enum)}") from None


def parse_factors(values: list[str]) -> dict[str, dict[str, Any]]:
    """`NAME=SCORE[:rationale]` options as the secrecy assessment."""
    out: dict[str, dict[str, Any]] = {}
    for value in values:
        name, sep, rest = value.partition("=")
        score, _, rationale = rest.partition(":")
        if not sep or not score.strip().isdigit():
            raise Invalid(
                f"--factor {value!r} is not NAME=SCORE[:rationale], e.g. measures=4:NDA and "
                "need-to-know access",
                field="secrecy_assessment",
            )
        factor = _enum(Factor, name, "--factor")
        out[factor.value] = {"score": int(score), "rationale": rationale.strip()}
    return out


_MET = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


def parse_legal_tests(values: list[str]) -> dict[str, dict[str, Any]]:
    """`NAME=yes|no|unknown[:notes]` options as the statutory tests."""
    out: dict[str, dict[str, Any]] = {}
    for value in values:
        name, sep, rest = value.partition("=")
        met, _, notes = rest.partition(":")
        met = met.strip().lower()
        if not sep or (met not in _MET and met != "unknown"):
            raise Invalid(
                f"--legal-test {value!r} is not NAME=yes|no|unknown[:notes]", field="legal_tests"
            )
        test = _enum(LegalTest, name, "--legal-test")
        out[test.value] = {"met": _MET.get(met), "notes": notes.strip()}
    return out


def parse_locations(values: list[str]) -> list[dict[str, Any]]:
    """`KIND:NAME` options as locations."""
    out = []
    for value in values:
        kind, sep, name = value.partition(":")
        if not sep or not name.strip():
            raise Invalid(
                f"--location {value!r} is not KIND:NAME, e.g. repository:git.corp/recipes; "
                f"KIND: {_LOCATIONS}",
                field="locations",
            )
        out.append({"kind": _enum(LocationKind, kind, "--location"), "name": name.strip()})
    return out


def _fields(**options: Any) -> dict[str, Any]:
    """The options the user gave (None and empty lists mean "not given")."""
    return {k: v for k, v in options.items() if v is not None and v != []}


# --- commands ------------------------------------------------------------------------------


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A short unique name."),
    description: str | None = DescriptionOpt,
    description_file: Path | None = DescriptionFileOpt,
    category: str | None = CategoryOpt,
    tier: str | None = TierOpt,
    owner: str | None = OwnerOpt,
    unit: str | None = UnitOpt,
    value: str | None = ValueOpt,
    cost: str | None = CostOpt,
    currency: str | None = CurrencyOpt,
    region: list[str] | None = RegionOpt,
    personal: bool | None = PersonalOpt,
    subjects: list[str] | None = SubjectsOpt,
    cadence: int | None = CadenceOpt,
    factor: list[str] | None = FactorOpt,
    legal_test: list[str] | None = LegalOpt,
    location: list[str] | None = typer.Option(
        None, "--location", help=f"Where it lives, KIND:NAME (repeatable). KIND: {_LOCATIONS}."
    ),
) -> None:
    """Register a trade secret (the SHA-256 of its description is sealed in the custody log)."""
    if owner is None:
        raise Invalid("--owner EMAIL is required: the person who answers for the secret")
    data = SecretCreate.model_validate(
        _fields(
            name=name,
            description=_description(description, description_file),
            category=category,
            tier=tier,
            owner_id=owner,
            business_unit=unit,
            estimated_value=value,
            development_cost=cost,
            currency=currency,
            allowed_regions=region,
            personal_data=personal,
            data_subject_regions=subjects,
            review_cadence_days=cadence,
            secrecy_assessment=parse_factors(factor or []),
            legal_tests=parse_legal_tests(legal_test or []),
            locations=parse_locations(location or []),
        )
    )
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        secret = service.register(session, actor=actor, data=data, company=st.settings.company_name)
    typer.echo(
        f"registered {secret.ref} {secret.name} ({secret.tier.value}, owner "
        f"{secret.owner_name}); next review {secret.next_review_on}"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    tier: str | None = typer.Option(None, "--tier", help=f"One of: {_TIERS}."),
    category: str | None = typer.Option(None, "--category", help=f"One of: {_CATEGORIES}."),
    owner: str | None = typer.Option(None, "--owner", help="The owner's email or id."),
    status: str | None = typer.Option(None, "--status", help=f"One of: {_choices(SecretStatus)}."),
    q: str | None = typer.Option(None, "--q", help="Text in the name, description or unit."),
    overdue: bool = typer.Option(False, "--overdue", help="Only active secrets due for review."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows (1-500)."),
    offset: int = typer.Option(0, "--offset", help="Skip this many rows first."),
    as_json: bool = JsonOpt,
) -> None:
    """The register, by name."""
    flt = SecretFilter.model_validate(
        _fields(
            tier=tier,
            category=category,
            owner_id=owner,
            status=status,
            q=q,
            overdue=overdue or None,
        )
    )
    page = PageParams(limit=limit, offset=offset)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows, total = service.list_secrets(session, actor=actor, filters=flt, page=page)
    if as_json:
        emit_json(Page(items=rows, total=total, limit=page.limit, offset=page.offset))
        return
    emit_table(
        [_row(s) for s in rows],
        ["ref", "name", "tier", "category", "owner", "status", "next_review"],
        empty="no trade secrets match; register one with `crownjewels secrets add`",
    )
    if total > offset + len(rows):
        typer.echo(
            f"({offset + 1}-{offset + len(rows)} of {total}; see more with --offset)", err=True
        )


def _row(secret: SecretRead) -> dict[str, Any]:
    due = f"{secret.next_review_on} OVERDUE" if secret.review_overdue else secret.next_review_on
    return {
        "ref": secret.ref,
        "name": secret.name,
        "tier": secret.tier,
        "category": secret.category,
        "owner": secret.owner_name,
        "status": secret.status,
        "next_review": due,
    }


@app.command("show")
def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Reference (TS-0001), id or name."),
    as_json: bool = JsonOpt,
) -> None:
    """One secret with its assessment, locations and reviews."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        secret = service.get(session, actor=actor, secret_ref=ref)
        reviews = service.reviews(session, actor=actor, secret_ref=secret.id)
    if as_json:
        emit_json({**secret.model_dump(mode="json"), "reviews": reviews})
        return
    _print_secret(secret, reviews)


def _print_secret(secret: SecretRead, reviews: list[ReviewRead]) -> None:
    emit_record(
        secret,
        skip=("description", "secrecy_assessment", "legal_tests", "locations", "legend"),
    )
    typer.echo("\ndescription:")
    typer.echo("  " + secret.description.strip().replace("\n", "\n  "))
    typer.echo(f"\nlegend:\n  {secret.legend}")
    typer.echo(f"\nsecrecy assessment (six factors, mean {secret.secrecy_score or '-'}):")
    if not secret.secrecy_assessment:
        typer.echo("  not assessed; score it with --factor NAME=SCORE:rationale")
    for factor in Factor:
        score = secret.secrecy_assessment.get(factor)
        if score is not None:
            typer.echo(f"  {factor.value:<20} {score.score}  {score.rationale}")
        else:
            typer.echo(f"  {factor.value:<20} -  ({FACTOR_QUESTIONS[factor]})")
    typer.echo("\nlegal tests:")
    for test in LegalTest:
        result = secret.legal_tests.get(test)
        met = (
            "unknown"
            if result is None or result.met is None
            else ("met" if result.met else "NOT met")
        )
        notes = f"  {result.notes}" if result and result.notes else ""
        typer.echo(f"  {test.value:<20} {met}  ({LEGAL_TESTS[test]}){notes}")
    typer.echo("\nlocations:")
    emit_table(
        secret.locations,
        ["kind", "name", "country", "owner_name", "patterns", "notes"],
        empty="  none recorded",
    )
    typer.echo("\nreviews:")
    emit_table(reviews, ["reviewed_on", "reviewer", "outcome", "notes"], empty="  none yet")


@app.command("patterns")
def patterns(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The secret: reference, id or name."),
    location: str = typer.Argument(..., help="The location: its name or id."),
    pattern: list[str] | None = typer.Option(
        None,
        "--pattern",
        help="A URL prefix, path glob (/srv/sftp/recipes/**) or s3://bucket/prefix "
        "(repeatable; none clears them).",
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Set where monitoring finds a location in other systems' activity."""
    data = LocationPatterns(patterns=pattern or [])
    with state(ctx).unit_of_work() as (session, actor):
        secret = service.set_location_patterns(
            session, actor=actor, secret_ref=ref, location_id=location, data=data
        )
    if as_json:
        emit_json(secret)
        return
    shown = ", ".join(data.patterns) or "none (not matched)"
    typer.echo(f"{secret.ref} {location}: monitoring patterns {shown}")


@app.command("update")
def update(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Reference (TS-0001), id or name."),
    name: str | None = typer.Option(None, "--name", help="A new unique name."),
    description: str | None = DescriptionOpt,
    description_file: Path | None = DescriptionFileOpt,
    category: str | None = CategoryOpt,
    tier: str | None = TierOpt,
    owner: str | None = OwnerOpt,
    unit: str | None = UnitOpt,
    value: str | None = ValueOpt,
    cost: str | None = CostOpt,
    currency: str | None = CurrencyOpt,
    region: list[str] | None = typer.Option(
        None, "--region", help="Allowed countries (ISO codes; repeatable): replaces the list."
    ),
    personal: bool | None = PersonalOpt,
    subjects: list[str] | None = SubjectsOpt,
    cadence: int | None = CadenceOpt,
    factor: list[str] | None = typer.Option(
        None,
        "--factor",
        help=f"NAME=SCORE[:rationale] (repeatable): changes only the named factors. {_FACTORS}.",
    ),
    legal_test: list[str] | None = typer.Option(
        None,
        "--legal-test",
        help=f"NAME=yes|no|unknown[:notes] (repeatable): changes only the named tests. {_TESTS}.",
    ),
    version: int | None = typer.Option(
        None, "--version", help="Refuse the change unless the secret is still at this version."
    ),
) -> None:
    """Change a secret's fields; the custody log records before and after."""
    fields = _fields(
        name=name,
        description=_description(description, description_file),
        category=category,
        tier=tier,
        owner_id=owner,
        business_unit=unit,
        estimated_value=value,
        development_cost=cost,
        currency=currency,
        allowed_regions=region,
        personal_data=personal,
        data_subject_regions=subjects,
        review_cadence_days=cadence,
    )
    factors, tests = parse_factors(factor or []), parse_legal_tests(legal_test or [])
    if not fields and not factors and not tests:
        raise Invalid("nothing to change: give at least one option, e.g. --tier or --factor")
    SecretUpdate.model_validate(fields)  # refuse bad input before opening the transaction
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        if factors or tests:  # merge the named factors and tests into the current ones
            current = service.get(session, actor=actor, secret_ref=ref)
            if factors:
                fields["secrecy_assessment"] = {
                    **{k.value: v.model_dump() for k, v in current.secrecy_assessment.items()},
                    **factors,
                }
            if tests:
                fields["legal_tests"] = {
                    **{k.value: v.model_dump() for k, v in current.legal_tests.items()},
                    **tests,
                }
        changes = SecretUpdate.model_validate({**fields, "version": version})
        secret = service.update(
            session,
            actor=actor,
            secret_ref=ref,
            changes=changes,
            company=st.settings.company_name,
        )
    typer.echo(f"updated {secret.ref} {secret.name}: now version {secret.version}")


@app.command("review")
def review(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Reference (TS-0001), id or name."),
    outcome: str = typer.Option(
        "confirmed", "--outcome", help=f"One of: {_choices(ReviewOutcome)}."
    ),
    notes: str | None = typer.Option(None, "--notes", help="What the review found."),
    on: str | None = typer.Option(None, "--on", help="Date held, YYYY-MM-DD (default today)."),
) -> None:
    """Record a periodic review; the next one is scheduled by the cadence."""
    data = ReviewCreate.model_validate(_fields(outcome=outcome, notes=notes, reviewed_on=on))
    with state(ctx).unit_of_work() as (session, actor):
        done = service.review(session, actor=actor, secret_ref=ref, data=data)
    typer.echo(f"reviewed ({done.outcome.value}); next review on {done.next_review_on}")


_END_STATES = (SecretStatus.RETIRED, SecretStatus.DISCLOSED, SecretStatus.LOST)


@app.command("retire")
def retire(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Reference (TS-0001), id or name."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the custody log)."),
    status: str = typer.Option(
        "retired", "--status", help="retired, disclosed (made public) or lost (leaked)."
    ),
) -> None:
    """Retire a secret, or record that it was disclosed or lost."""
    new = _enum(SecretStatus, status, "--status")
    if new not in _END_STATES:
        raise Invalid("--status must be retired, disclosed or lost", field="status")
    change = StatusChange(status=new, reason=reason)
    with state(ctx).unit_of_work() as (session, actor):
        secret = service.change_status(session, actor=actor, secret_ref=ref, change=change)
    typer.echo(f"{secret.ref} {secret.name} is now {secret.status.value}")


FormatOpt = typer.Option("csv", "--format", help="csv or xlsx.")
OutOpt = typer.Option(None, "--out", help="Write to this file (default: standard output).")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .csv or .xlsx file with the export's columns."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row; write nothing."),
) -> None:
    """Register every row of a spreadsheet, or none: each bad row is listed as FILE:LINE."""
    data = read_import_file(file)
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        report = imports.import_secrets(
            session,
            actor=actor,
            data=data,
            source=file.name,
            company=st.settings.company_name,
            dry_run=dry_run,
        )
    emit_import(report, dry_run=dry_run)


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: str = FormatOpt,
    out: Path | None = OutOpt,
    tier: str | None = typer.Option(None, "--tier", help=f"One of: {_TIERS}."),
    status: str | None = typer.Option(None, "--status", help=f"One of: {_choices(SecretStatus)}."),
    owner: str | None = typer.Option(None, "--owner", help="The owner's email."),
) -> None:
    """The register as CSV or XLSX, with the columns `secrets import` reads."""
    if fmt not in ("csv", "xlsx"):
        raise Invalid(f"--format {fmt!r} is not csv or xlsx", field="format")
    flt = SecretFilter.model_validate(_fields(tier=tier, status=status, owner_id=owner))
    with state(ctx).unit_of_work(write=False) as (session, actor):
        content, _ = imports.export(session, actor=actor, filters=flt, fmt=fmt)
    write_export(content, out=out)
