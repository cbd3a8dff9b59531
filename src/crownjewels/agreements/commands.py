"""CLI sub-commands of the agreements file:
`crownjewels agreements add|list|show|terminate|renew|upload|analyse`.
`analyse FILE` works on a file alone, with no database; `analyse --agreement REF` analyses and
stores the newest recorded version."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

import typer

from crownjewels.agreements import documents, reads, service
from crownjewels.agreements.analysis.types import Analysis
from crownjewels.agreements.schemas import (
    AgreementCreate,
    AgreementDetail,
    AgreementFilter,
    AgreementKind,
    AgreementRead,
    AgreementStatus,
    PartyRole,
    Renewal,
    ScopeKind,
    Termination,
)
from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.errors import Invalid
from crownjewels.core.pagination import PageParams
from crownjewels.vault import service as vault

# pypdf logs recoverable damage as warnings on stderr; the CLI's one line says what is wrong
logging.getLogger("pypdf").setLevel(logging.ERROR)

app = typer.Typer(no_args_is_help=True, help="Agreements: NDAs, MSAs, DPAs, SOWs, clause checks.")

_KINDS = ", ".join(k.value for k in AgreementKind)
_STATUSES = ", ".join(s.value for s in AgreementStatus)


def _date(value: str | None, option: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


def _law(value: str | None) -> tuple[str | None, str | None]:
    """`US` or `US-CA` as (country, subdivision)."""
    if not value:
        return None, None
    code = value.strip().upper()
    return (code[:2], code) if "-" in code else (code, None)


def _signatory(value: str) -> dict[str, Any]:
    """`NAME[:TITLE[:YYYY-MM-DD[:PARTY]]]` as a signatory."""
    name, title, signed, party = [*value.split(":", 3), "", "", ""][:4]
    if not name.strip():
        raise Invalid(
            f"--signatory {value!r} is not NAME[:TITLE[:YYYY-MM-DD[:PARTY]]], e.g. "
            "'Priya Shah:COO:2026-01-15:Lotus Process Services'"
        )
    return {
        "name": name,
        "title": title.strip() or None,
        "signed_on": _date(signed, "--signatory date"),
        "party": party.strip() or None,
    }


def _row(a: AgreementRead) -> dict[str, Any]:
    expiry = str(a.expires_on or "open-ended")
    if a.renewal_due:
        expiry += " RENEWAL DUE"
    return {
        "ref": a.ref,
        "kind": a.kind,
        "title": a.title,
        "status": a.status,
        "parties": ", ".join(p.name for p in a.parties),
        "effective": a.effective_on,
        "expires": expiry,
        "in_force": "yes" if a.in_force_today else "no",
    }


@app.command("add")
def add(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="A title, e.g. 'Mutual NDA with Lotus'."),
    kind: str = typer.Option("nda", "--kind", help=f"One of: {_KINDS}."),
    org: list[str] | None = typer.Option(
        None, "--org", help="An organisation party (name or id; repeatable)."
    ),
    person: list[str] | None = typer.Option(
        None, "--person", help="A person party (email or id; repeatable)."
    ),
    role: str = typer.Option(
        "recipient", "--role", help="The parties' role: recipient, discloser or mutual."
    ),
    status: str = typer.Option("draft", "--status", help="draft or in_force."),
    effective: str | None = typer.Option(None, "--effective", help="YYYY-MM-DD (inclusive)."),
    expires: str | None = typer.Option(
        None, "--expires", help="YYYY-MM-DD (inclusive); none: open-ended."
    ),
    survival_years: int | None = typer.Option(
        None, "--survival-years", help="Years confidentiality survives the end."
    ),
    law: str | None = typer.Option(
        None, "--governing-law", help="ISO country, optionally with subdivision: US, US-CA, DE."
    ),
    forum: str | None = typer.Option(None, "--forum", help="Courts or arbitration named."),
    secret: list[str] | None = typer.Option(
        None, "--secret", help="A secret in scope (TS-0001; repeatable): scope 'named'."
    ),
    category: list[str] | None = typer.Option(
        None, "--category", help="A category in scope (repeatable): scope 'categories'."
    ),
    signatory: list[str] | None = typer.Option(
        None, "--signatory", help="NAME[:TITLE[:YYYY-MM-DD[:PARTY]]] (repeatable)."
    ),
    notice_days: int = typer.Option(60, "--notice-days", help="Renewal reminder lead time."),
    breach_notice_hours: int | None = typer.Option(
        None, "--breach-notice-hours", help="Hours within which a breach must be notified."
    ),
    notes: str | None = typer.Option(None, "--notes", help="Free text."),
    as_json: bool = JsonOpt,
) -> None:
    """Record an agreement."""
    if secret and category:
        raise Invalid("give --secret or --category, not both: an agreement has one kind of scope")
    country, subdivision = _law(law)
    data = AgreementCreate.model_validate(
        {
            "kind": kind.strip().lower(),
            "title": title,
            "status": status.strip().lower(),
            "effective_on": _date(effective, "--effective"),
            "expires_on": _date(expires, "--expires"),
            "survival_years": survival_years,
            "governing_law": country,
            "governing_law_subdivision": subdivision,
            "forum": forum,
            "scope": ScopeKind.NAMED if secret else ScopeKind.CATEGORIES if category else "all",
            "secrets": secret or [],
            "categories": category or [],
            "renewal_notice_days": notice_days,
            "breach_notice_hours": breach_notice_hours,
            "notes": notes,
            "parties": [{"organisation": o, "role": PartyRole(role)} for o in org or []]
            + [{"person": p, "role": PartyRole(role)} for p in person or []],
            "signatories": [_signatory(s) for s in signatory or []],
        }
    )
    with state(ctx).unit_of_work() as (session, actor):
        agreement = service.create(session, actor=actor, data=data)
    if as_json:
        emit_json(agreement)
        return
    typer.echo(f"recorded {agreement.ref} {agreement.title} ({agreement.kind}, {agreement.status})")


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", help=f"One of: {_KINDS}."),
    status: str | None = typer.Option(None, "--status", help=f"One of: {_STATUSES}."),
    party: str | None = typer.Option(None, "--party", help="An organisation party (name or id)."),
    person: str | None = typer.Option(None, "--person", help="A person party (email or id)."),
    secret: str | None = typer.Option(None, "--secret", help="Covering this secret."),
    expiring: int | None = typer.Option(
        None, "--expiring-within", help="In force and expiring within N days."
    ),
    renewal_due: bool = typer.Option(
        False, "--renewal-due", help="Only those inside their renewal window."
    ),
    limit: int = typer.Option(100, "--limit", min=1, max=500),
    as_json: bool = JsonOpt,
) -> None:
    """The agreements, soonest expiry first."""
    flt = AgreementFilter.model_validate(
        {
            "kind": kind,
            "status": status,
            "organisation": party,
            "person": person,
            "secret": secret,
            "expiring_within_days": expiring,
            "renewal_due": renewal_due or None,
        }
    )
    with state(ctx).unit_of_work(write=False) as (session, actor):
        items, total = reads.list_agreements(
            session, actor=actor, filters=flt, page=PageParams(limit=limit)
        )
    if as_json:
        emit_json({"items": items, "total": total})
        return
    emit_table(
        [_row(a) for a in items], list(_row(items[0]) if items else ["ref"]), empty="no agreements"
    )


@app.command("show")
def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Reference (AG-2026-001) or id."),
    as_json: bool = JsonOpt,
) -> None:
    """One agreement with its parties, scope, versions and clause findings."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        agreement = documents.detail(session, actor=actor, agreement_ref=ref)
    if as_json:
        emit_json(agreement)
        return
    _print(agreement)


def _print(a: AgreementDetail) -> None:
    emit_record(
        a,
        skip=("parties", "secrets", "categories", "signatories", "versions", "findings", "notes"),
    )
    typer.echo("\nparties:")
    emit_table(a.parties, ["role", "name", "organisation_id", "person_id"], empty="  none")
    typer.echo(f"\nscope: {a.scope}")
    for s in a.secrets:
        typer.echo(f"  {s.ref} {s.name}")
    for c in a.categories:
        typer.echo(f"  category {c}")
    typer.echo("\nsignatories:")
    emit_table(a.signatories, ["name", "title", "signed_on"], empty="  none")
    typer.echo("\nversions:")
    emit_table(
        a.versions,
        ["number", "filename", "media_type", "uploaded_at", "analysed_at"],
        empty="  none",
    )
    if a.findings:
        typer.echo(f"\nclause findings (version {a.findings_version}):")
        emit_table(
            [
                {
                    "requirement": f.requirement,
                    "status": f.effective_status,
                    "strictness": f.strictness,
                    "review": f.review or "-",
                }
                for f in a.findings
            ],
            ["requirement", "status", "strictness", "review"],
        )


@app.command("terminate")
def terminate(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Reference (AG-2026-001) or id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the custody log)."),
    on: str | None = typer.Option(
        None, "--on", help="The day termination takes effect, YYYY-MM-DD (default today)."
    ),
) -> None:
    """Terminate an agreement; it binds through the day before the termination date."""
    data = Termination(reason=reason, terminated_on=_date(on, "--on"))
    with state(ctx).unit_of_work() as (session, actor):
        a = service.terminate(session, actor=actor, agreement_ref=ref, data=data)
    typer.echo(f"{a.ref} is terminated with effect from {a.terminated_on}")


@app.command("renew")
def renew(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Reference (AG-2026-001) or id."),
    expires: str = typer.Option(
        ..., "--expires", help="The new expiry date, YYYY-MM-DD, or 'never' for open-ended."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why (kept in the custody log)."),
) -> None:
    """Extend an agreement to a new expiry; an expired one is back in force."""
    new = None if expires.strip().lower() == "never" else _date(expires, "--expires")
    data = Renewal(expires_on=new, reason=reason)
    with state(ctx).unit_of_work() as (session, actor):
        a = service.renew(session, actor=actor, agreement_ref=ref, data=data)
    typer.echo(f"{a.ref} is renewed until {a.expires_on or 'further notice'} ({a.status})")


@app.command("upload")
def upload(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Reference (AG-2026-001) or id."),
    path: Path = typer.Argument(..., help="The agreement file (PDF, DOCX or text)."),
    as_json: bool = JsonOpt,
) -> None:
    """Store a new version of the agreement's document, encrypted in the vault."""
    st = state(ctx)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle, st.unit_of_work() as (session, actor):
        version = documents.upload_version(
            session,
            actor=actor,
            vault_=vault.open_vault(st.settings),
            agreement_ref=ref,
            upload=handle,
            filename=path.name,
        )
    if as_json:
        emit_json(version)
        return
    typer.echo(
        f"stored version {version.number} ({version.media_type}, sha256 {version.sha256[:16]}…)"
    )


def _print_analysis(analysis: Analysis) -> None:
    typer.echo(
        f"profile {analysis.profile} (kind {analysis.kind}, jurisdiction "
        f"{analysis.jurisdiction or 'none'})"
    )
    if analysis.fallback:
        typer.echo(f"note: {analysis.fallback}")
    for f in analysis.findings:
        typer.echo(f"\n[{f.status}] {f.requirement} ({f.strictness}): {f.title}")
        typer.echo(f"  {f.explanation}")
        for e in f.evidence:
            typer.echo(f"  > [{e.start}-{e.end}] {e.text[:160]}")
    for note in analysis.notes:
        typer.echo(f"\nnote: {note}")


@app.command("analyse")
def analyse(
    ctx: typer.Context,
    path: Path | None = typer.Argument(
        None, help="An agreement file (PDF, DOCX or text): analysed alone, nothing recorded."
    ),
    agreement: str | None = typer.Option(
        None, "--agreement", help="Analyse and store the newest version of this agreement."
    ),
    version: int | None = typer.Option(None, "--version", help="With --agreement: this version."),
    jurisdiction: str | None = typer.Option(
        None,
        "--jurisdiction",
        help="ISO country or subdivision whose profile applies, e.g. US-CA, DE, CN, IN; one "
        "without a profile is analysed under the fallback the output names.",
    ),
    kind: str = typer.Option("nda", "--kind", help=f"One of: {_KINDS}."),
    as_json: bool = JsonOpt,
) -> None:
    """Check an agreement clause by clause, citing the sentences as evidence.

    Each requirement is satisfied, contradicted or not mentioned. A FILE is analysed alone
    (no installation needed); --agreement REF analyses and stores a recorded version."""
    if (path is None) == (agreement is None):
        raise Invalid("give a FILE to analyse, or --agreement REF (not both)")
    if agreement is not None and jurisdiction:
        raise Invalid(
            "--jurisdiction applies to a FILE; a recorded agreement is analysed under its own "
            "governing law (change it with the API or the edit page)"
        )
    if path is not None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Invalid(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            agreement_kind = AgreementKind(kind.strip().lower())
        except ValueError:
            raise Invalid(f"--kind {kind!r} is unknown; use one of: {_KINDS}") from None
        analysis = documents.analyse_file(
            data,
            filename=path.name,
            kind=agreement_kind.value,
            jurisdiction=jurisdiction.strip().upper() if jurisdiction else None,
            embeddings=state(ctx).settings.analysis_embeddings,
        )
        if as_json:
            emit_json(analysis.to_dict())
        else:
            _print_analysis(analysis)
        return
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        detail = documents.analyse_version(
            session,
            actor=actor,
            vault_=vault.open_vault(st.settings),
            agreement_ref=agreement or "",
            number=version,
            embeddings=st.settings.analysis_embeddings,
        )
    if as_json:
        emit_json(
            {"ref": detail.ref, "version": detail.findings_version, "findings": detail.findings}
        )
        return
    typer.echo(f"analysed {detail.ref} version {detail.findings_version}:")
    emit_table(
        [
            {"requirement": f.requirement, "status": f.status, "strictness": f.strictness}
            for f in detail.findings
        ],
        ["requirement", "status", "strictness"],
    )
