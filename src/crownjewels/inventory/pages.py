"""Pages of the register: the listing with filters and live search, a secret's page with its
custody history, the register and edit forms, locations, reviews and status changes."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from crownjewels.core import tables
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden, NotFound
from crownjewels.core.forms import (
    PostedForm,
    actor_labels,
    discard,
    error_status,
    field_errors,
    flash,
    is_htmx,
    optional,
    redirect,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, Paging, attachment, require
from crownjewels.core.importing import ImportPage, form_page, read_upload, run_page
from crownjewels.core.pagination import PageParams
from crownjewels.core.panels import panels
from crownjewels.core.permissions import Permission as P
from crownjewels.custody import service as custody
from crownjewels.inventory import imports, rules, service
from crownjewels.inventory.schemas import (
    FACTOR_QUESTIONS,
    LEGAL_TESTS,
    Category,
    Factor,
    LegalTest,
    LocationCreate,
    LocationKind,
    LocationPatterns,
    ReviewCreate,
    SecretCreate,
    SecretFilter,
    SecretRead,
    SecretStatus,
    SecretUpdate,
    StatusChange,
    Tier,
)
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonFilter, PersonRead

router = APIRouter(prefix="/secrets", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.SECRETS_READ_ALL, P.SECRETS_READ_OWN))]
Writer = Annotated[Actor, Depends(require(P.SECRETS_WRITE_ALL, P.SECRETS_WRITE_OWN))]
Format = Literal["csv", "xlsx"]

#: blank rows offered for locations on the register form
NEW_LOCATION_ROWS = 3
_FILTERS = ("tier", "category", "status", "owner", "overdue", "q")
_LEGAL_MET = {"yes": True, "no": False}


def _choices() -> dict[str, Any]:
    """The option lists every register template uses."""
    return {
        "tiers": list(Tier),
        "categories": list(Category),
        "statuses": list(SecretStatus),
        "factors": FACTOR_QUESTIONS,
        "legal_tests": list(LegalTest),
        "legal_test_labels": LEGAL_TESTS,
        "location_kinds": list(LocationKind),
        "outcomes": service.outcomes(),
    }


def _people(session: Session, actor: Actor) -> list[PersonRead]:
    people, _ = parties.list_people(
        session, actor=actor, filters=PersonFilter(), page=PageParams(limit=500)
    )
    return people


# --- the register ----------------------------------------------------------------------------


@router.get("")
def register_list(request: Request, session: DbSession, actor: Reader, paging: Paging) -> Response:
    """The register, filtered and paginated; htmx (live search) gets the results table only."""
    raw = {k: request.query_params.get(k, "").strip() for k in _FILTERS}
    errors: dict[str, str] = {}
    try:
        flt = _filter(raw)
        items, total = service.list_secrets(session, actor=actor, filters=flt, page=paging)
    except (ValidationError, CrownJewelsError) as exc:
        errors, items, total = field_errors(exc, fallback="owner"), [], 0
    ctx = {"secrets": items, "total": total, "paging": paging, "filters": raw, "errors": errors}
    if is_htmx(request) and request.headers.get("hx-target") == "results":
        return render(request, "inventory/_results.html", ctx, status=422 if errors else 200)
    ctx |= {"people": _people(session, actor), **_choices()}
    return render(request, "inventory/list.html", ctx, status=422 if errors else 200)


def _filter(raw: dict[str, str]) -> SecretFilter:
    return SecretFilter.model_validate(
        {
            **{k: v for k, v in raw.items() if v and k not in ("owner", "overdue")},
            "owner_id": raw["owner"] or None,
            "overdue": raw["overdue"] in ("true", "on", "1") or None,
        }
    )


@router.get("/export.{fmt}")
def export(request: Request, session: DbSession, actor: Reader, fmt: Format) -> Response:
    """The register under the listing's filters, as CSV or XLSX (the import's columns)."""
    flt = _filter({k: request.query_params.get(k, "").strip() for k in _FILTERS})
    content, media_type = imports.export(session, actor=actor, filters=flt, fmt=fmt)
    headers = {"Content-Disposition": attachment(f"register.{fmt}")}
    return Response(content, media_type=media_type, headers=headers)


_IMPORT = ImportPage(
    title="Import secrets",
    back="/secrets",
    back_label="Back to the register",
    action="/secrets/import",
    columns=list(imports.COLUMNS),
    required=[imports.LABELS[f] for f in imports.REQUIRED],
)


@router.get("/import")
def import_form(request: Request, actor: Writer) -> Response:
    """The import page: upload a spreadsheet of new secrets."""
    return form_page(request, _IMPORT)


@router.post("/import")
def import_file(
    request: Request, session: DbSession, actor: Writer, settings: AppSettings, form: PostedForm
) -> Response:
    """Check an uploaded register (dry run), or import it once confirmed (checked again)."""

    def run(data: bytes, source: str, dry_run: bool) -> tables.ImportReport:
        return imports.import_secrets(
            session,
            actor=actor,
            data=data,
            source=source,
            company=settings.company_name,
            dry_run=dry_run,
        )

    confirm = text(form, "confirm") == "yes"
    return run_page(request, session, _IMPORT, read_upload(form), run, confirm=confirm)


# --- register and edit forms -----------------------------------------------------------------


def _form_key(key: str) -> str:
    """The form field of a schema error location (secrecy_assessment.value.score -> factor...)."""
    for schema, form in (("secrecy_assessment.", "factor."), ("legal_tests.", "legal.")):
        if key.startswith(schema):
            return form + key.removeprefix(schema)
    return re.sub(r"^locations\.(\d+)\.", r"loc.\1.", key)


def _errors(exc: ValidationError | CrownJewelsError, form: FormData) -> dict[str, str]:
    fallback = ""
    if isinstance(exc, CrownJewelsError) and exc.status_code == 404:
        # a person lookup missed: the owner's, or a location owner's
        owner = text(form, "owner_id")
        fallback = "owner_id" if owner and repr(owner) in exc.message else ""
    return {_form_key(k): v for k, v in field_errors(exc, fallback=fallback).items()}


def _fields(form: FormData) -> dict[str, Any]:
    """The fields shared by the register and edit forms, as the schemas take them."""
    data: dict[str, Any] = {
        k: text(form, k) for k in ("name", "description", "category", "tier", "owner_id")
    }
    for k in ("business_unit", "estimated_value", "development_cost", "currency"):
        data[k] = optional(form, k)
    data["allowed_regions"] = [r for r in re.split(r"[\s,;]+", text(form, "allowed_regions")) if r]
    data["personal_data"] = text(form, "personal_data") == "yes"
    subjects = text(form, "data_subject_regions")
    data["data_subject_regions"] = [r for r in re.split(r"[\s,;]+", subjects) if r]
    data["secrecy_assessment"], data["legal_tests"] = {}, {}
    for f in Factor:  # a factor counts once it has a score or a rationale
        score, why = optional(form, f"factor.{f}.score"), text(form, f"factor.{f}.rationale")
        if score or why:
            data["secrecy_assessment"][f.value] = {"score": score, "rationale": why}
    for t in LegalTest:
        met, notes = text(form, f"legal.{t}.met"), text(form, f"legal.{t}.notes")
        if met or notes:
            data["legal_tests"][t.value] = {"met": _LEGAL_MET.get(met), "notes": notes}
    if cadence := optional(form, "review_cadence_days"):
        data["review_cadence_days"] = cadence
    if not data["owner_id"]:
        del data["owner_id"]  # "owner: this field is required", not "no person ''"
    return data


def _locations(form: FormData) -> list[dict[str, Any]]:
    rows = []
    for i in range(NEW_LOCATION_ROWS):
        row = {k: optional(form, f"loc.{i}.{k}") for k in ("kind", "name", "owner_id", "notes")}
        if row["name"] or row["notes"]:
            rows.append(row)
    return rows


def _values(secret: SecretRead) -> dict[str, Any]:
    """A secret as the flat form fields the edit form shows."""
    values: dict[str, Any] = secret.model_dump(mode="json")
    values["allowed_regions"] = ", ".join(secret.allowed_regions)
    values["data_subject_regions"] = ", ".join(secret.data_subject_regions)
    values["personal_data"] = "yes" if secret.personal_data else ""
    for factor, score in secret.secrecy_assessment.items():
        values[f"factor.{factor}.score"] = str(score.score)
        values[f"factor.{factor}.rationale"] = score.rationale
    for test, result in secret.legal_tests.items():
        met = {True: "yes", False: "no"}.get(result.met) if result.met is not None else ""
        values[f"legal.{test}.met"], values[f"legal.{test}.notes"] = met, result.notes
    return {k: ("" if v is None else v) for k, v in values.items()}


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    secret: SecretRead | None = None,
    status: int = 200,
) -> Response:
    ctx = {
        "values": values,
        "errors": errors or {},
        "secret": secret,
        "people": _people(session, actor),
        "location_rows": NEW_LOCATION_ROWS,
        **_choices(),
    }
    return render(request, "inventory/form.html", ctx, status=status)


@router.get("/new")
def new_form(request: Request, session: DbSession, actor: Writer) -> Response:
    """The register form; a secret owner is preset as the owner."""
    values = {"owner_id": actor.person_id or "", "tier": Tier.SENSITIVE.value}
    return _form_page(request, session, actor, values=values)


@router.post("/new")
def create(
    request: Request, session: DbSession, actor: Writer, settings: AppSettings, form: PostedForm
) -> Response:
    """Register a secret; a refused form comes back with the messages next to its fields."""
    try:
        data = SecretCreate.model_validate({**_fields(form), "locations": _locations(form)})
        secret = service.register(session, actor=actor, data=data, company=settings.company_name)
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        values = dict(form.items())
        return _form_page(
            request,
            session,
            actor,
            values=values,
            errors=_errors(exc, form),
            status=error_status(exc),
        )
    flash(request, f"{secret.ref} {secret.name} is registered.")
    return redirect(f"/secrets/{secret.ref}")


def _writable(session: Session, actor: Actor, ref: str) -> SecretRead:
    secret = service.get(session, actor=actor, secret_ref=ref)
    if not service.may_write(actor, secret):
        raise Forbidden(
            "your roles do not allow changing this secret; its owner, legal or an admin can"
        )
    return secret


@router.get("/{ref}/edit")
def edit_form(request: Request, session: DbSession, actor: Writer, ref: str) -> Response:
    """The edit form, filled with the secret's current values."""
    secret = _writable(session, actor, ref)
    return _form_page(request, session, actor, values=_values(secret), secret=secret)


@router.post("/{ref}/edit")
def edit(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Save the changes; `version` refuses them if someone else changed the secret meanwhile."""
    secret = _writable(session, actor, ref)
    try:
        changes = SecretUpdate.model_validate({**_fields(form), "version": text(form, "version")})
        secret = service.update(
            session,
            actor=actor,
            secret_ref=secret.id,
            changes=changes,
            company=settings.company_name,
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
            errors=_errors(exc, form),
            secret=secret,
            status=error_status(exc),
        )
    flash(request, f"{secret.ref} is saved.")
    return redirect(f"/secrets/{secret.ref}")


# --- a secret's page, reviews and status -----------------------------------------------------

#: the slot of the secret's page where capabilities above show their panels (registry.py
#: plugs them in); its subject is the secret's `secret_id` and `secret_ref`
SECRET_SLOT = "secret"


def _secret_page(
    request: Request,
    session: Session,
    actor: Actor,
    ref: str,
    *,
    status: int = 200,
    **forms: Any,
) -> Response:
    secret = service.get(session, actor=actor, secret_ref=ref)
    events = custody.history(session, subject_type="secret", subject_id=secret.id)
    may_write = service.may_write(actor, secret)
    ctx = {
        "secret": secret,
        "reviews": service.reviews(session, actor=actor, secret_ref=secret.id),
        "events": events,
        "actors": actor_labels(request, session, (e.actor for e in events)),
        "may_write": may_write,
        "people": _people(session, actor) if may_write else [],  # owners for a new location
        "status_choices": service.status_choices(secret),
        "assessed": rules.factors_assessed(secret.secrecy_assessment),
        "slot_panels": panels(
            SECRET_SLOT,
            session,
            actor=actor,
            subject={"secret_id": secret.id, "secret_ref": secret.ref},
        ),
        "review_errors": {},
        "status_errors": {},
        "location_errors": {},
        "values": {},
        **_choices(),
        **forms,
    }
    return render(request, "inventory/detail.html", ctx, status=status)


@router.get("/{ref}")
def detail(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """A secret with every field, its reviews and its custody history."""
    return _secret_page(request, session, actor, ref)


#: the add-location form's fields carry this prefix: the review form on the page has "notes" too
_LOC = "location."


@router.post("/{ref}/locations")
def add_location(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Record another place where the secret lives; a refused form comes back on the page."""
    secret = _writable(session, actor, ref)  # so a NotFound below is the location's owner
    try:
        data = LocationCreate.model_validate(
            {
                **{k: text(form, _LOC + k) for k in ("kind", "name")},
                **{k: optional(form, _LOC + k) for k in ("owner_id", "country", "notes")},
                "patterns": _pattern_lines(text(form, _LOC + "patterns")),
            }
        )
        service.add_location(session, actor=actor, secret_ref=secret.id, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        errors = field_errors(exc, fallback="owner_id" if isinstance(exc, NotFound) else "")
        return _secret_page(
            request,
            session,
            actor,
            ref,
            status=error_status(exc),
            location_errors={(_LOC + k if k else ""): v for k, v in errors.items()},
            values=dict(form.items()),
        )
    flash(request, f"{data.name} is recorded as a location of {secret.ref}.")
    return redirect(f"/secrets/{secret.ref}#locations")


def _pattern_lines(value: str) -> list[str]:
    """A textarea's patterns: one per line, blank lines skipped."""
    return [line.strip() for line in value.splitlines() if line.strip()]


@router.post("/{ref}/locations/{location_id}/patterns")
def set_location_patterns(
    request: Request,
    session: DbSession,
    actor: Writer,
    form: PostedForm,
    ref: str,
    location_id: str,
) -> Response:
    """Set where monitoring finds a location in other systems' activity."""
    try:
        data = LocationPatterns(patterns=_pattern_lines(text(form, "patterns")))
    except ValidationError:
        flash(
            request,
            "A pattern is one URL prefix, path glob or s3://bucket/prefix per line, without "
            "spaces, at most 50 of them; the patterns were not changed.",
            kind="error",
        )
        return redirect(f"/secrets/{ref}#locations")
    secret = service.set_location_patterns(
        session, actor=actor, secret_ref=ref, location_id=location_id, data=data
    )
    flash(request, f"The monitoring patterns of the location of {secret.ref} are saved.")
    return redirect(f"/secrets/{secret.ref}#locations")


@router.post("/{ref}/locations/{location_id}/remove")
def remove_location(
    request: Request, session: DbSession, actor: Writer, ref: str, location_id: str
) -> Response:
    """Forget a location; the custody log keeps what it was."""
    secret = service.remove_location(session, actor=actor, secret_ref=ref, location_id=location_id)
    flash(request, f"The location is removed from {secret.ref}.")
    return redirect(f"/secrets/{secret.ref}#locations")


@router.post("/{ref}/review")
def record_review(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Record a review; the next one is scheduled by the register's cadence."""
    try:
        data = ReviewCreate.model_validate(
            {
                "outcome": text(form, "outcome") or None,
                "notes": optional(form, "notes"),
                "reviewed_on": optional(form, "reviewed_on"),
            }
        )
        service.review(session, actor=actor, secret_ref=ref, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden) or getattr(exc, "status_code", 0) == 404:
            raise
        discard(session)
        return _secret_page(
            request,
            session,
            actor,
            ref,
            status=error_status(exc),
            review_errors=field_errors(exc),
            values=dict(form.items()),
        )
    flash(request, "The review is recorded.")
    return redirect(f"/secrets/{ref}")


@router.post("/{ref}/status")
def change_status(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Retire the secret, or record it disclosed or lost (or reactivate it), with the reason."""
    try:
        change = StatusChange.model_validate(
            {"status": text(form, "status"), "reason": text(form, "reason")}
        )
        secret = service.change_status(session, actor=actor, secret_ref=ref, change=change)
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden) or getattr(exc, "status_code", 0) == 404:
            raise
        discard(session)
        return _secret_page(
            request,
            session,
            actor,
            ref,
            status=error_status(exc),
            status_errors=field_errors(exc),
            values=dict(form.items()),
        )
    flash(request, f"{secret.ref} is now {secret.status}.")
    return redirect(f"/secrets/{ref}")
