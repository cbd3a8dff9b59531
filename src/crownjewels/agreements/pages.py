"""Pages of the agreements file: the listing with filters and expiry badges, an agreement's
page (parties, scope, dates, versions, custody history, the clause table with each finding's
evidence highlighted in the document text), the record and edit forms, and the forms to put in
force, terminate, renew and add parties and signatories. Parsing and rendering the forms is in
`forms.py`; uploading, analysing and reviewing the document in `clauses.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from crownjewels.agreements import clauses, reads, service
from crownjewels.agreements.forms import (
    agreement_page,
    choices,
    errors_of,
    fields,
    form_page,
    new_parties,
    new_signatories,
    organisations,
    refused,
    values_of,
)
from crownjewels.agreements.schemas import (
    Activation,
    AgreementCreate,
    AgreementFilter,
    AgreementRead,
    AgreementStatus,
    AgreementUpdate,
    PartyCreate,
    PartyRole,
    Renewal,
    SignatoryCreate,
    Termination,
)
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden, Invalid
from crownjewels.core.forms import (
    PostedForm,
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
from crownjewels.core.permissions import Permission as P

router = APIRouter(prefix="/agreements", include_in_schema=False)
router.include_router(clauses.router)
Reader = Annotated[Actor, Depends(require(P.AGREEMENTS_READ))]
Writer = Annotated[Actor, Depends(require(P.AGREEMENTS_WRITE))]
_FILTERS = ("kind", "status", "party", "expiring", "renewal_due", "findings", "q")


# --- the listing -----------------------------------------------------------------------------


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
                "findings_to_decide": raw["findings"] == "undecided" or None,
                "q": raw["q"] or None,
            }
        )
        items, total = reads.list_agreements(session, actor=actor, filters=flt, page=paging)
    except (ValidationError, CrownJewelsError) as exc:
        errors = field_errors(exc, fallback="party")
    ctx = {
        "agreements": items,
        "total": total,
        "paging": paging,
        "filters": raw,
        "errors": errors,
        "organisations": organisations(session, actor),
        **choices(),
    }
    return render(request, "agreements/list.html", ctx, status=422 if errors else 200)


# --- record and edit -------------------------------------------------------------------------


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
    return form_page(request, session, actor, values=values)


@router.post("/new")
def create(request: Request, session: DbSession, actor: Writer, form: PostedForm) -> Response:
    """Record an agreement; a refused form comes back with the messages next to its fields."""
    try:
        data = AgreementCreate.model_validate(
            {
                **fields(form),
                "status": text(form, "status") or AgreementStatus.DRAFT.value,
                "parties": new_parties(form),
                "signatories": new_signatories(form),
            }
        )
        agreement = service.create(session, actor=actor, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        return form_page(
            request,
            session,
            actor,
            values=dict(form.items()),
            form=form,
            errors=errors_of(exc),
            status=error_status(exc),
        )
    flash(request, f"{agreement.ref} {agreement.title} is recorded.")
    return redirect(f"/agreements/{agreement.ref}")


@router.get("/{ref}/edit")
def edit_form(request: Request, session: DbSession, actor: Writer, ref: str) -> Response:
    """The edit form, filled with the agreement's current values."""
    agreement = reads.get(session, actor=actor, agreement_ref=ref)
    return form_page(request, session, actor, values=values_of(agreement), agreement=agreement)


@router.post("/{ref}/edit")
def edit(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Save the changes; `version` refuses them if someone else changed the agreement."""
    agreement = reads.get(session, actor=actor, agreement_ref=ref)
    try:
        changes = AgreementUpdate.model_validate(
            {**fields(form), "version": text(form, "version") or None}
        )
        agreement = service.update(
            session, actor=actor, agreement_ref=agreement.id, changes=changes
        )
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        return form_page(
            request,
            session,
            actor,
            values=dict(form.items()),
            form=form,
            errors=errors_of(exc),
            agreement=agreement,
            status=error_status(exc),
        )
    flash(request, f"{agreement.ref} is saved.")
    return redirect(f"/agreements/{agreement.ref}")


# --- an agreement's page ---------------------------------------------------------------------


@router.get("/{ref}")
@audited_read
def detail(
    request: Request, session: DbSession, actor: Reader, settings: AppSettings, ref: str
) -> Response:
    """An agreement with its versions, clause table and evidence in the text (showing the text
    decrypts the analysed version: a DOCUMENT_READ in the custody log)."""
    return agreement_page(request, session, actor, settings, ref)


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
        return refused(request, session, actor, settings, ref, exc, form, "status_errors")
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
        return refused(request, session, actor, settings, ref, exc, form, "status_errors")
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
        return refused(request, session, actor, settings, ref, exc, form, "status_errors")
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
        return refused(request, session, actor, settings, ref, exc, form, "party_errors")
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
        return refused(request, session, actor, settings, ref, exc, form, "party_errors")
    flash(request, f"{agreement.signatories[-1].name}'s signature is recorded.")
    return redirect(f"/agreements/{ref}#parties")
