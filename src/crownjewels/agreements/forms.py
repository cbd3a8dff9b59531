"""The agreements pages' forms: parsing the record, edit and party forms into what the schemas
take, and rendering the form page and the agreement's page with a refused form's messages next
to its fields (the agreement's page also shows the analysed text with its evidence marked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from crownjewels.agreements import documents
from crownjewels.agreements.highlight import highlight
from crownjewels.agreements.rules import triage
from crownjewels.agreements.schemas import (
    AgreementDetail,
    AgreementKind,
    AgreementRead,
    AgreementStatus,
    FindingStatus,
    PartyRole,
    ScopeKind,
)
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden, Invalid
from crownjewels.core.forms import (
    actor_labels,
    discard,
    error_status,
    field_errors,
    optional,
    render,
    text,
)
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.custody import service as custody
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import Category, SecretFilter
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrganisationFilter, PersonFilter
from crownjewels.vault import service as vault

SIGNATORY_ROWS = 2
_BIG = PageParams(limit=500)


def choices() -> dict[str, Any]:
    return {
        "kinds": list(AgreementKind),
        "statuses": list(AgreementStatus),
        "scopes": list(ScopeKind),
        "roles": list(PartyRole),
        "categories": list(Category),
        "finding_statuses": list(FindingStatus),
    }


def organisations(session: Session, actor: Actor) -> list[Any]:
    if not actor.can(P.PARTIES_READ):
        return []
    orgs, _ = parties.list_organisations(
        session, actor=actor, filters=OrganisationFilter(), page=_BIG
    )
    return orgs


def people(session: Session, actor: Actor) -> list[Any]:
    if not actor.can(P.PARTIES_READ):
        return []
    people, _ = parties.list_people(session, actor=actor, filters=PersonFilter(), page=_BIG)
    return people


def secrets(session: Session, actor: Actor) -> list[Any]:
    secrets, _ = inventory.list_secrets(session, actor=actor, filters=SecretFilter(), page=_BIG)
    return secrets


def _law(value: str) -> tuple[str | None, str | None]:
    code = value.strip().upper()
    if not code:
        return None, None
    return (code[:2], code) if "-" in code else (code, None)


def fields(form: FormData) -> dict[str, Any]:
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
        "breach_notice_hours": optional(form, "breach_notice_hours"),
        "notes": optional(form, "notes"),
    }


def new_parties(form: FormData) -> list[dict[str, Any]]:
    role = text(form, "party_role") or PartyRole.RECIPIENT.value
    orgs = [o for o in form.getlist("organisations") if isinstance(o, str) and o]
    people = [p for p in form.getlist("people") if isinstance(p, str) and p]
    return [{"organisation": o, "role": role} for o in orgs] + [
        {"person": p, "role": role} for p in people
    ]


def new_signatories(form: FormData) -> list[dict[str, Any]]:
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


def values_of(agreement: AgreementRead) -> dict[str, Any]:
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
    ("the expiry date", "expires_on"),
    ("the governing law", "governing_law"),
    ("scope 'named'", "secrets"),
    ("scope 'categories'", "categories"),
    ("an agreement in force needs", "effective_on"),
    ("a new agreement", "status"),
)


def errors_of(exc: ValidationError | CrownJewelsError) -> dict[str, str]:
    fallback = "parties" if isinstance(exc, CrownJewelsError) and exc.status_code == 404 else ""
    out: dict[str, str] = {}
    for key, message in field_errors(exc, fallback=fallback).items():
        if not key:
            key = next((f for start, f in _MESSAGE_FIELDS if message.startswith(start)), "")
        out.setdefault(_form_key(key) if key else "", message)
    return out


def form_page(
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
        "organisations": organisations(session, actor),
        "people": people(session, actor),
        "secrets": secrets(session, actor),
        "signatory_rows": SIGNATORY_ROWS,
        **choices(),
    }
    return render(request, "agreements/form.html", ctx, status=status)


def document_text(
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


def agreement_page(
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
        "accept_errors": {},
        "triage": triage(agreement.findings),
        "party_errors": {},
        "values": {},
        "organisations": organisations(session, actor) if actor.can(P.AGREEMENTS_WRITE) else [],
        "people": people(session, actor) if actor.can(P.AGREEMENTS_WRITE) else [],
        **document_text(session, actor, settings, agreement),
        **choices(),
        **forms,
    }
    return render(request, "agreements/detail.html", ctx, status=status)


def refused(
    request: Request,
    session: Session,
    actor: Actor,
    settings: Any,
    ref: str,
    exc: ValidationError | CrownJewelsError,
    form: FormData,
    errors_key: str,
    place: Callable[[str], str] | None = None,
    **extra: Any,
) -> Response:
    """The agreement's page again with the refused form's values and its messages; `place`
    names the field a whole-form message belongs next to."""
    if isinstance(exc, Forbidden) or getattr(exc, "status_code", 0) == 404:
        raise exc
    discard(session)
    errors = field_errors(exc, fallback="file" if errors_key == "upload_errors" else "")
    if place is not None and "" in errors:
        errors.setdefault(place(errors[""]) or "", errors.pop(""))
    return agreement_page(
        request,
        session,
        actor,
        settings,
        ref,
        status=error_status(exc),
        values=dict(form.items()),
        **{errors_key: errors},
        **extra,
    )


def file_of(form: FormData) -> UploadFile:
    value = form.get("file")
    if not isinstance(value, UploadFile) or not value.filename:
        raise Invalid("choose the agreement file (PDF, DOCX or text)", field="file")
    return value
