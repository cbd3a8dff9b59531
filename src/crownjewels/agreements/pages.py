"""Pages of the agreements file: the listing with filters and expiry badges, an agreement's
page (parties, scope, dates, versions, custody history, the clause table with each finding's
evidence highlighted in the document text), the record and edit forms, and the forms to upload,
analyse, review findings, put in force, terminate and renew."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from crownjewels.agreements import documents, service
from crownjewels.agreements.highlight import highlight
from crownjewels.agreements.schemas import (
    Activation,
    AgreementCreate,
    AgreementDetail,
    AgreementFilter,
    AgreementKind,
    AgreementRead,
    AgreementStatus,
    AgreementUpdate,
    FindingReview,
    FindingStatus,
    PartyCreate,
    PartyRole,
    Renewal,
    ReviewDecision,
    ScopeKind,
    SignatoryCreate,
    Termination,
)
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden, Invalid
from crownjewels.core.forms import (
    PostedForm,
    actor_labels,
    discard,
    error_status,
    field_errors,
    flash,
    optional,
    redirect,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, Paging, audited_read, require
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import body_limit
from crownjewels.custody import service as custody
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import Category, SecretFilter
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrganisationFilter, PersonFilter
from crownjewels.vault import service as vault

router = APIRouter(prefix="/agreements", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.AGREEMENTS_READ))]
Writer = Annotated[Actor, Depends(require(P.AGREEMENTS_WRITE))]
Reviewer = Annotated[Actor, Depends(require(P.AGREEMENTS_REVIEW))]
_FILTERS = ("kind", "status", "party", "expiring", "renewal_due", "q")
SIGNATORY_ROWS = 2
_BIG = PageParams(limit=500)


def _choices() -> dict[str, Any]:
    return {
        "kinds": list(AgreementKind),
        "statuses": list(AgreementStatus),
        "scopes": list(ScopeKind),
        "roles": list(PartyRole),
        "categories": list(Category),
        "finding_statuses": list(FindingStatus),
    }


# --- the listing -----------------------------------------------------------------------------


def _organisations(session: Session, actor: Actor) -> list[Any]:
    if not actor.can(P.PARTIES_READ):
        return []
    orgs, _ = parties.list_organisations(
        session, actor=actor, filters=OrganisationFilter(), page=_BIG
    )
    return orgs


@router.get("")
def agreement_list(request: Request, session: DbSession, actor: Reader, paging: Paging) -> Response:
    """The agreements with filters, expiry badges and renewal reminders."""
    raw = {k: request.query_params.get(k, "").strip() for k in _FILTERS}
    errors: dict[str, str] = {}
    items: list[AgreementRead] = []
    total = 0
    try:
        flt = AgreementFilter.model_validate(
            {
                "kind": raw["kind"] or None,
                "status": raw["status"] or None,
                "organisation": raw["party"] or None,
                "expiring_within_days": raw["expiring"] or None,
                "renewal_due": raw["renewal_due"] in ("true", "on", "1") or None,
                "q": raw["q"] or None,
            }
        )
        items, total = service.list_agreements(session, actor=actor, filters=flt, page=paging)
    except (ValidationError, CrownJewelsError) as exc:
        errors = field_errors(exc, fallback="party")
    ctx = {
        "agreements": items,
        "total": total,
        "paging": paging,
        "filters": raw,
        "errors": errors,
        "organisations": _organisations(session, actor),
        **_choices(),
    }
    return render(request, "agreements/list.html", ctx, status=422 if errors else 200)


# --- record and edit -------------------------------------------------------------------------


def _people(session: Session, actor: Actor) -> list[Any]:
    if not actor.can(P.PARTIES_READ):
        return []
    people, _ = parties.list_people(session, actor=actor, filters=PersonFilter(), page=_BIG)
    return people


def _secrets(session: Session, actor: Actor) -> list[Any]:
    secrets, _ = inventory.list_secrets(session, actor=actor, filters=SecretFilter(), page=_BIG)
    return secrets


def _law(value: str) -> tuple[str | None, str | None]:
    code = value.strip().upper()
    if not code:
        return None, None
    return (code[:2], code) if "-" in code else (code, None)


def _fields(form: FormData) -> dict[str, Any]:
    """The fields the record and edit forms share, as the schemas take them."""
    country, subdivision = _law(text(form, "governing_law"))
    scope = text(form, "scope") or ScopeKind.ALL.value
    return {
        "kind": text(form, "kind") or None,
        "title": text(form, "title"),
        "effective_on": optional(form, "effective_on"),
        "expires_on": optional(form, "expires_on"),
        "survival_years": optional(form, "survival_years"),
        "trade_secrets_survive": text(form, "trade_secrets_survive") in ("on", "true", "1"),
        "governing_law": country,
        "governing_law_subdivision": subdivision,
        "forum": optional(form, "forum"),
        "scope": scope,
        "secrets": [s for s in form.getlist("secrets") if isinstance(s, str) and s]
        if scope == ScopeKind.NAMED
        else [],
        "categories": [c for c in form.getlist("categories") if isinstance(c, str) and c]
        if scope == ScopeKind.CATEGORIES
        else [],
        "renewal_notice_days": optional(form, "renewal_notice_days") or 60,
        "notes": optional(form, "notes"),
    }


def _new_parties(form: FormData) -> list[dict[str, Any]]:
    role = text(form, "party_role") or PartyRole.RECIPIENT.value
    orgs = [o for o in form.getlist("organisations") if isinstance(o, str) and o]
    people = [p for p in form.getlist("people") if isinstance(p, str) and p]
    return [{"organisation": o, "role": role} for o in orgs] + [
        {"person": p, "role": role} for p in people
    ]


def _new_signatories(form: FormData) -> list[dict[str, Any]]:
    rows = []
    for i in range(SIGNATORY_ROWS):
        name = text(form, f"sig.{i}.name")
        if name:
            rows.append(
                {
                    "name": name,
                    "title": optional(form, f"sig.{i}.title"),
                    "signed_on": optional(form, f"sig.{i}.signed_on"),
                    "party": optional(form, f"sig.{i}.party"),
                }
            )
    return rows


def _values(agreement: AgreementRead) -> dict[str, Any]:
    values: dict[str, Any] = agreement.model_dump(mode="json")
    values["governing_law"] = agreement.governing_law_subdivision or agreement.governing_law or ""
    values["secrets"] = [s.id for s in agreement.secrets]
    values["trade_secrets_survive"] = "on" if agreement.trade_secrets_survive else ""
    return {k: ("" if v is None else v) for k, v in values.items()}


def _form_key(key: str) -> str:
    if key.startswith("signatories."):
        return "signatories"
    if key.startswith("parties."):
        return "parties"
    if key == "governing_law_subdivision":
        return "governing_law"
    return key.split(".")[0]


#: the field a whole-form message (a model validator's) belongs next to, by how it starts
_MESSAGE_FIELDS = (
    ("expires_on", "expires_on"),
    ("governing_law_subdivision", "governing_law"),
    ("scope 'named'", "secrets"),
    ("scope 'categories'", "categories"),
    ("an agreement in force needs effective_on", "effective_on"),
    ("a new agreement", "status"),
)


def _errors(exc: ValidationError | CrownJewelsError) -> dict[str, str]:
    fallback = "parties" if isinstance(exc, CrownJewelsError) and exc.status_code == 404 else ""
    out: dict[str, str] = {}
    for key, message in field_errors(exc, fallback=fallback).items():
        if not key:
            key = next((f for start, f in _MESSAGE_FIELDS if message.startswith(start)), "")
        out.setdefault(_form_key(key) if key else "", message)
    return out


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    values: dict[str, Any],
    form: FormData | None = None,
    errors: dict[str, str] | None = None,
    agreement: AgreementRead | None = None,
    status: int = 200,
) -> Response:
    listed = {
        k: [v for v in form.getlist(k) if isinstance(v, str)] if form else values.get(k, [])
        for k in ("secrets", "categories", "organisations", "people")
    }
    ctx = {
        "values": values,
        "listed": listed,
        "errors": errors or {},
        "agreement": agreement,
        "organisations": _organisations(session, actor),
        "people": _people(session, actor),
        "secrets": _secrets(session, actor),
        "signatory_rows": SIGNATORY_ROWS,
        **_choices(),
    }
    return render(request, "agreements/form.html", ctx, status=status)


@router.get("/new")
def new_form(request: Request, session: DbSession, actor: Writer) -> Response:
    """The form to record an agreement."""
    values = {
        "kind": "nda",
        "scope": "all",
        "renewal_notice_days": 60,
        "trade_secrets_survive": "on",
        "party_role": "recipient",
    }
    return _form_page(request, session, actor, values=values)


@router.post("/new")
def create(request: Request, session: DbSession, actor: Writer, form: PostedForm) -> Response:
    """Record an agreement; a refused form comes back with the messages next to its fields."""
    try:
        data = AgreementCreate.model_validate(
            {
                **_fields(form),
                "status": text(form, "status") or AgreementStatus.DRAFT.value,
                "parties": _new_parties(form),
                "signatories": _new_signatories(form),
            }
        )
        agreement = service.create(session, actor=actor, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        return _form_page(
            request,
            session,
            actor,
            values=dict(form.items()),
            form=form,
            errors=_errors(exc),
            status=error_status(exc),
        )
    flash(request, f"{agreement.ref} {agreement.title} is recorded.")
    return redirect(f"/agreements/{agreement.ref}")


@router.get("/{ref}/edit")
def edit_form(request: Request, session: DbSession, actor: Writer, ref: str) -> Response:
    """The edit form, filled with the agreement's current values."""
    agreement = service.get(session, actor=actor, agreement_ref=ref)
    return _form_page(request, session, actor, values=_values(agreement), agreement=agreement)


@router.post("/{ref}/edit")
def edit(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Save the changes; `version` refuses them if someone else changed the agreement."""
    agreement = service.get(session, actor=actor, agreement_ref=ref)
    try:
        changes = AgreementUpdate.model_validate(
            {**_fields(form), "version": text(form, "version") or None}
        )
        agreement = service.update(
            session, actor=actor, agreement_ref=agreement.id, changes=changes
        )
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        return _form_page(
            request,
            session,
            actor,
            values=dict(form.items()),
            form=form,
            errors=_errors(exc),
            agreement=agreement,
            status=error_status(exc),
        )
    flash(request, f"{agreement.ref} is saved.")
    return redirect(f"/agreements/{agreement.ref}")


# --- an agreement's page ---------------------------------------------------------------------


def _document_text(
    session: Session, actor: Actor, settings: Any, agreement: AgreementDetail
) -> dict[str, Any]:
    """The analysed version's text with its evidence marked, or why it is not shown."""
    if agreement.findings_version is None:
        return {"pieces": [], "marks": {}, "text_note": ""}
    if not documents.AGREEMENT_OWNERS.may_read(actor):
        return {"pieces": [], "marks": {}, "text_note": "Showing the text needs documents:read."}
    version = next(v for v in agreement.versions if v.number == agreement.findings_version)
    try:
        _, body = documents.version_text(
            session,
            actor=actor,
            vault_=vault.open_vault(settings),
            agreement_ref=agreement.id,
            number=version.number,
        )
    except CrownJewelsError as exc:
        return {"pieces": [], "marks": {}, "text_note": f"The text cannot be shown: {exc.message}"}
    if documents.text_digest(body) != version.text_sha256:
        note = "The text no longer matches the analysis (the extractor changed); analyse again."
        return {"pieces": [], "marks": {}, "text_note": note}
    pieces, marks = highlight(body, agreement.findings)
    return {"pieces": pieces, "marks": marks, "text_note": ""}


def _agreement_page(
    request: Request,
    session: Session,
    actor: Actor,
    settings: Any,
    ref: str,
    *,
    status: int = 200,
    **forms: Any,
) -> Response:
    agreement = documents.detail(session, actor=actor, agreement_ref=ref)
    events = custody.history(session, subject_type="agreement", subject_id=agreement.id)
    ctx = {
        "agreement": agreement,
        "events": events,
        "actors": actor_labels(request, session, (e.actor for e in events)),
        "may_write": actor.can(P.AGREEMENTS_WRITE),
        "may_upload": actor.can(P.AGREEMENTS_WRITE) and actor.can(P.DOCUMENTS_WRITE),
        "may_analyse": actor.can(P.AGREEMENTS_WRITE),
        "may_review": actor.can(P.AGREEMENTS_REVIEW),
        "may_download": documents.AGREEMENT_OWNERS.may_read(actor),
        "upload_errors": {},
        "analyse_errors": {},
        "status_errors": {},
        "review_errors": {},
        "review_finding": None,
        "party_errors": {},
        "values": {},
        "organisations": _organisations(session, actor) if actor.can(P.AGREEMENTS_WRITE) else [],
        "people": _people(session, actor) if actor.can(P.AGREEMENTS_WRITE) else [],
        **_document_text(session, actor, settings, agreement),
        **_choices(),
        **forms,
    }
    return render(request, "agreements/detail.html", ctx, status=status)


@router.get("/{ref}")
@audited_read
def detail(
    request: Request, session: DbSession, actor: Reader, settings: AppSettings, ref: str
) -> Response:
    """An agreement with its versions, clause table and evidence in the text (showing the text
    decrypts the analysed version: a DOCUMENT_READ in the custody log)."""
    return _agreement_page(request, session, actor, settings, ref)


def _refused(
    request: Request,
    session: Session,
    actor: Actor,
    settings: Any,
    ref: str,
    exc: ValidationError | CrownJewelsError,
    form: FormData,
    errors_key: str,
    **extra: Any,
) -> Response:
    if isinstance(exc, Forbidden) or getattr(exc, "status_code", 0) == 404:
        raise exc
    discard(session)
    return _agreement_page(
        request,
        session,
        actor,
        settings,
        ref,
        status=error_status(exc),
        values=dict(form.items()),
        **{errors_key: field_errors(exc, fallback="file" if errors_key == "upload_errors" else "")},
        **extra,
    )


def _file(form: FormData) -> UploadFile:
    value = form.get("file")
    if not isinstance(value, UploadFile) or not value.filename:
        raise Invalid("choose the agreement file (PDF, DOCX or text)", field="file")
    return value


@router.post("/{ref}/versions")
@body_limit()
def upload(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Store a new version of the agreement's document (encrypted into the vault)."""
    try:
        upload_ = _file(form)
        version = documents.upload_version(
            session,
            actor=actor,
            vault_=vault.open_vault(settings),
            agreement_ref=ref,
            upload=upload_.file,
            filename=upload_.filename,
        )
    except CrownJewelsError as exc:
        return _refused(request, session, actor, settings, ref, exc, form, "upload_errors")
    flash(request, f"Version {version.number} is in the vault, encrypted.")
    return redirect(f"/agreements/{ref}#versions")


@router.post("/{ref}/analyse")
def analyse(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Analyse a version clause by clause; a file that cannot be read is shown, nothing kept."""
    try:
        number = optional(form, "version")
        detail_ = documents.analyse_version(
            session,
            actor=actor,
            vault_=vault.open_vault(settings),
            agreement_ref=ref,
            number=int(number) if number and number.isdigit() else None,
            embeddings=settings.analysis_embeddings,
        )
    except CrownJewelsError as exc:
        return _refused(request, session, actor, settings, ref, exc, form, "analyse_errors")
    flash(request, f"Version {detail_.findings_version} is analysed: see the clause table.")
    return redirect(f"/agreements/{ref}#clauses")


@router.post("/{ref}/findings/{finding_id}/review")
def review(
    request: Request,
    session: DbSession,
    actor: Reviewer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
    finding_id: str,
) -> Response:
    """Legal accepts a finding or overrides its status with a reason."""
    try:
        data = FindingReview.model_validate(
            {
                "decision": text(form, "decision") or None,
                "status": optional(form, "status")
                if text(form, "decision") == ReviewDecision.OVERRIDDEN
                else None,
                "reason": optional(form, "reason"),
            }
        )
        finding = documents.review_finding(
            session, actor=actor, agreement_ref=ref, finding_id=finding_id, data=data
        )
    except (ValidationError, CrownJewelsError) as exc:
        return _refused(
            request,
            session,
            actor,
            settings,
            ref,
            exc,
            form,
            "review_errors",
            review_finding=finding_id,
        )
    flash(request, f"The finding on {finding.title} is {finding.review}.")
    return redirect(f"/agreements/{ref}#finding-{finding_id}")


@router.post("/{ref}/activate")
def activate(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Put a signed draft in force."""
    try:
        data = Activation.model_validate({"effective_on": optional(form, "effective_on")})
        agreement = service.activate(session, actor=actor, agreement_ref=ref, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        return _refused(request, session, actor, settings, ref, exc, form, "status_errors")
    flash(request, f"{agreement.ref} is in force from {agreement.effective_on}.")
    return redirect(f"/agreements/{ref}")


@router.post("/{ref}/terminate")
def terminate(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Terminate the agreement with effect from a day, with the reason."""
    try:
        data = Termination.model_validate(
            {"reason": text(form, "reason"), "terminated_on": optional(form, "terminated_on")}
        )
        agreement = service.terminate(session, actor=actor, agreement_ref=ref, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        return _refused(request, session, actor, settings, ref, exc, form, "status_errors")
    flash(request, f"{agreement.ref} is terminated with effect from {agreement.terminated_on}.")
    return redirect(f"/agreements/{ref}")


@router.post("/{ref}/renew")
def renew(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Extend the agreement to a new expiry date."""
    try:
        expires = optional(form, "expires_on")
        if expires is None and text(form, "indefinite") != "on":
            raise Invalid("give the new expiry date, or tick open-ended", field="expires_on")
        data = Renewal.model_validate(
            {"expires_on": expires, "reason": optional(form, "renew_reason")}
        )
        agreement = service.renew(session, actor=actor, agreement_ref=ref, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        return _refused(request, session, actor, settings, ref, exc, form, "status_errors")
    flash(request, f"{agreement.ref} is renewed until {agreement.expires_on or 'further notice'}.")
    return redirect(f"/agreements/{ref}")


@router.post("/{ref}/parties")
def add_party(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Name another organisation or person as a party."""
    try:
        target = text(form, "party")
        kind, _, key = target.partition(":")
        data = PartyCreate.model_validate(
            {
                "organisation": key if kind == "org" else None,
                "person": key if kind == "person" else None,
                "role": text(form, "party_role") or PartyRole.RECIPIENT.value,
            }
        )
        agreement = service.add_party(session, actor=actor, agreement_ref=ref, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        return _refused(request, session, actor, settings, ref, exc, form, "party_errors")
    flash(request, f"{agreement.parties[-1].name} is a party of {agreement.ref}.")
    return redirect(f"/agreements/{ref}#parties")


@router.post("/{ref}/signatories")
def add_signatory(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Record who signed, for which party and when."""
    try:
        data = SignatoryCreate.model_validate(
            {
                "name": text(form, "name"),
                "title": optional(form, "title"),
                "party": optional(form, "party"),
                "signed_on": optional(form, "signed_on"),
            }
        )
        agreement = service.add_signatory(session, actor=actor, agreement_ref=ref, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        return _refused(request, session, actor, settings, ref, exc, form, "party_errors")
    flash(request, f"{agreement.signatories[-1].name}'s signature is recorded.")
    return redirect(f"/agreements/{ref}#parties")
