"""Pages of parties: people and organisations, their own pages with custody history, the add
and edit forms, and marking a person departing or departed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, NotFound
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
    refused,
    render,
    text,
)
from crownjewels.core.http import DbSession, Paging, require
from crownjewels.core.importing import ImportPage, form_page, read_upload, run_page
from crownjewels.core.pagination import PageParams
from crownjewels.core.panels import panels
from crownjewels.core.permissions import Permission as P
from crownjewels.core.tables import ImportReport
from crownjewels.custody import service as custody
from crownjewels.parties import accounts, imports, service, sessions
from crownjewels.parties.schemas import (
    Departure,
    OrganisationCreate,
    OrganisationFilter,
    OrganisationRead,
    OrganisationUpdate,
    OrgKind,
    OrgStatus,
    PersonCreate,
    PersonFilter,
    PersonKind,
    PersonRead,
    PersonStatus,
    PersonUpdate,
)

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.PARTIES_READ))]
Writer = Annotated[Actor, Depends(require(P.PARTIES_WRITE))]
Admin = Annotated[Actor, Depends(require(P.USERS_MANAGE))]


def _organisations(session: Session, actor: Actor) -> list[OrganisationRead]:
    orgs, _ = service.list_organisations(
        session, actor=actor, filters=OrganisationFilter(), page=PageParams(limit=500)
    )
    return orgs


def _query(request: Request, *names: str) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip() for k in names}


# --- people ----------------------------------------------------------------------------------


@router.get("/people")
def people(request: Request, session: DbSession, actor: Reader, paging: Paging) -> Response:
    """People, filtered by organisation, status, kind and name or email."""
    raw = _query(request, "organisation", "status", "kind", "q")
    errors: dict[str, str] = {}
    try:
        flt = PersonFilter.model_validate(
            {
                "organisation_id": raw["organisation"] or None,
                **{k: v or None for k, v in raw.items() if k != "organisation"},
            }
        )
        items, total = service.list_people(session, actor=actor, filters=flt, page=paging)
    except ValidationError as exc:
        errors, items, total = field_errors(exc), [], 0
    ctx: dict[str, Any] = {
        "people": items,
        "total": total,
        "paging": paging,
        "filters": raw,
        "errors": errors,
    }
    status = 422 if errors else 200
    if is_htmx(request) and request.headers.get("hx-target") == "results":
        return render(request, "parties/_people.html", ctx, status=status)
    ctx |= {
        "organisations": _organisations(session, actor),
        "statuses": list(PersonStatus),
        "kinds": list(PersonKind),
    }
    return render(request, "parties/people.html", ctx, status=status)


def _person_form(
    request: Request,
    session: Session,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    person: PersonRead | None = None,
) -> Response:
    """The add form, or with `person` the edit form (organisation and kind stay as they are)."""
    ctx = {
        "values": values,
        "errors": errors or {},
        "person": person,
        "organisations": [] if person else _organisations(session, actor),
        "kinds": list(PersonKind),
    }
    return render(request, "parties/person_form.html", ctx, status=status)


@router.get("/people/new")
def new_person_form(
    request: Request, session: DbSession, actor: Writer, organisation: str = ""
) -> Response:
    """The form to add a person (optionally preset to an organisation)."""
    values = {"organisation_id": organisation, "kind": PersonKind.EMPLOYEE.value}
    return _person_form(request, session, actor, values)


@router.post("/people/new")
def create_person(
    request: Request, session: DbSession, actor: Writer, form: PostedForm
) -> Response:
    """Add a person; a refused form comes back with the messages next to its fields."""
    fields = ("full_name", "email", "organisation_id", "kind", "country")
    try:
        data = PersonCreate.model_validate(
            {**{k: text(form, k) for k in fields}, "title": optional(form, "title")}
        )
        person = service.create_person(session, actor=actor, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        if not refused(exc):
            raise
        discard(session)
        fallback = "organisation_id" if isinstance(exc, NotFound) else ""
        return _person_form(
            request,
            session,
            actor,
            dict(form.items()),
            field_errors(exc, fallback=fallback),
            error_status(exc),
        )
    flash(request, f"{person.full_name} is added.")
    return redirect(f"/people/{person.id}")


_IMPORT = ImportPage(
    title="Import people",
    back="/people",
    back_label="Back to people",
    action="/people/import",
    columns=list(imports.COLUMNS),
    required=[imports.LABELS[f] for f in imports.REQUIRED],
)


@router.get("/people/import")
def import_people_form(request: Request, actor: Writer) -> Response:
    """The import page: upload a spreadsheet of people."""
    return form_page(request, _IMPORT)


@router.post("/people/import")
def import_people(
    request: Request, session: DbSession, actor: Writer, form: PostedForm
) -> Response:
    """Check an uploaded list of people (dry run), or import it once confirmed (checked again)."""

    def run(data: bytes, source: str, dry_run: bool) -> ImportReport:
        return imports.import_people(
            session, actor=actor, data=data, source=source, dry_run=dry_run
        )

    confirm = text(form, "confirm") == "yes"
    return run_page(request, session, _IMPORT, read_upload(form), run, confirm=confirm)


#: the slot of a person's page where other capabilities' panels go (routes.py plugs them in);
#: its subject is the person's `person_id` and `name`
PERSON_SLOT = "person"


def _person_page(
    request: Request, session: Session, actor: Actor, ref: str, **extra: Any
) -> Response:
    person = service.get_person(session, actor=actor, person_ref=ref)
    status = extra.pop("status", 200)
    events = custody.history(session, subject_type="person", subject_id=person.id)
    login_id = accounts.user_for_person(session, person_id=person.id)
    live = None
    if login_id and actor.can(P.USERS_MANAGE):
        live = sessions.live_sessions(session, user_id=login_id)
    ctx = {
        "person": person,
        "live_sessions": live,
        "slot_panels": panels(
            PERSON_SLOT,
            session,
            actor=actor,
            subject={"person_id": person.id, "name": person.full_name},
        ),
        "events": events,
        "actors": actor_labels(request, session, (e.actor for e in events)),
        "depart_errors": {},
        "values": {},
        **extra,
    }
    return render(request, "parties/person.html", ctx, status=status)


def _shown(read: PersonRead | OrganisationRead) -> dict[str, Any]:
    """A person or organisation as the flat values an edit form shows."""
    return {k: "" if v is None else v for k, v in read.model_dump(mode="json").items()}


@router.get("/people/{ref}/edit")
def edit_person_form(request: Request, session: DbSession, actor: Writer, ref: str) -> Response:
    """The form to change a person's name, email, country and job title."""
    found = service.get_person(session, actor=actor, person_ref=ref)
    return _person_form(request, session, actor, _shown(found), person=found)


@router.post("/people/{ref}/edit")
def edit_person(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Save a person's changes; a refused form comes back with the messages next to its fields."""
    found = service.get_person(session, actor=actor, person_ref=ref)
    try:
        changes = PersonUpdate.model_validate(
            {
                **{k: text(form, k) for k in ("full_name", "email", "country")},
                "title": optional(form, "title"),
            }
        )
        saved = service.update_person(session, actor=actor, person_ref=found.id, changes=changes)
    except (ValidationError, CrownJewelsError) as exc:
        if not refused(exc):
            raise
        discard(session)
        values = _shown(found) | dict(form.items())
        errors = field_errors(exc)
        return _person_form(
            request, session, actor, values, errors, error_status(exc), person=found
        )
    flash(request, f"{saved.full_name} is saved.")
    return redirect(f"/people/{saved.id}")


@router.get("/people/{ref}")
def person(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """A person with their custody history."""
    return _person_page(request, session, actor, ref)


@router.post("/people/{ref}/depart")
def depart(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Mark a person departing (a future date) or departed (today or earlier)."""
    try:
        departure = Departure.model_validate(
            {"on": optional(form, "on"), "notice_on": optional(form, "notice_on")}
        )
        person = service.depart_person(session, actor=actor, person_ref=ref, departure=departure)
    except (ValidationError, CrownJewelsError) as exc:
        if not refused(exc) or isinstance(exc, NotFound):
            raise
        discard(session)
        return _person_page(
            request,
            session,
            actor,
            ref,
            status=error_status(exc),
            depart_errors=field_errors(exc),
            values=dict(form.items()),
        )
    flash(request, f"{person.full_name} is now {person.status}.")
    return redirect(f"/people/{person.id}")


@router.post("/people/{ref}/sign-out")
def sign_out(request: Request, session: DbSession, actor: Admin, ref: str) -> Response:
    """Sign the person's login out everywhere: every live web session of theirs ends."""
    person = service.get_person(session, actor=actor, person_ref=ref)
    out = accounts.sign_out_everywhere(session, actor=actor, user_ref=person.id)
    flash(request, f"{person.full_name} is signed out everywhere ({out.sessions_ended} ended).")
    return redirect(f"/people/{person.id}")


# --- organisations ---------------------------------------------------------------------------


@router.get("/organisations")
def organisations(request: Request, session: DbSession, actor: Reader, paging: Paging) -> Response:
    """Organisations, filtered by kind, status, country and name."""
    raw = _query(request, "kind", "status", "country", "q")
    errors: dict[str, str] = {}
    try:
        flt = OrganisationFilter.model_validate({k: v or None for k, v in raw.items()})
        items, total = service.list_organisations(session, actor=actor, filters=flt, page=paging)
    except ValidationError as exc:
        errors, items, total = field_errors(exc), [], 0
    ctx = {
        "organisations": items,
        "total": total,
        "paging": paging,
        "filters": raw,
        "errors": errors,
        "kinds": list(OrgKind),
        "statuses": list(OrgStatus),
    }
    return render(request, "parties/organisations.html", ctx, status=422 if errors else 200)


def _org_form(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    org: OrganisationRead | None = None,
) -> Response:
    """The add form, or with `org` the edit form (its kind stays as it is)."""
    ctx = {
        "values": values,
        "errors": errors or {},
        "org": org,
        "kinds": list(OrgKind),
        "statuses": list(OrgStatus),
    }
    return render(request, "parties/organisation_form.html", ctx, status=status)


@router.get("/organisations/new")
def new_organisation_form(request: Request, actor: Writer) -> Response:
    """The form to add an organisation."""
    return _org_form(request, {"kind": OrgKind.VENDOR.value, "status": OrgStatus.ACTIVE.value})


@router.post("/organisations/new")
def create_organisation(
    request: Request, session: DbSession, actor: Writer, form: PostedForm
) -> Response:
    """Add an organisation; a refused form comes back with the messages next to its fields."""
    try:
        data = OrganisationCreate.model_validate(
            {
                **{k: text(form, k) for k in ("name", "kind", "country", "status")},
                **{k: optional(form, k) for k in ("website", "notes")},
            }
        )
        org = service.create_organisation(session, actor=actor, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        if not refused(exc):
            raise
        discard(session)
        return _org_form(request, dict(form.items()), field_errors(exc), error_status(exc))
    flash(request, f"{org.name} is added.")
    return redirect(f"/organisations/{org.id}")


@router.get("/organisations/{ref}/edit")
def edit_organisation_form(
    request: Request, session: DbSession, actor: Writer, ref: str
) -> Response:
    """The form to change an organisation's name, country, status, website and notes."""
    org = service.get_organisation(session, actor=actor, org_ref=ref)
    return _org_form(request, _shown(org), org=org)


@router.post("/organisations/{ref}/edit")
def edit_organisation(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Save an organisation's changes; a refused form comes back with its messages."""
    org = service.get_organisation(session, actor=actor, org_ref=ref)
    try:
        changes = OrganisationUpdate.model_validate(
            {
                **{k: text(form, k) for k in ("name", "country", "status")},
                **{k: optional(form, k) for k in ("website", "notes")},
            }
        )
        saved = service.update_organisation(session, actor=actor, org_ref=org.id, changes=changes)
    except (ValidationError, CrownJewelsError) as exc:
        if not refused(exc):
            raise
        discard(session)
        values = _shown(org) | dict(form.items())
        return _org_form(request, values, field_errors(exc), error_status(exc), org=org)
    flash(request, f"{saved.name} is saved.")
    return redirect(f"/organisations/{saved.id}")


@router.get("/organisations/{ref}")
def organisation(
    request: Request, session: DbSession, actor: Reader, paging: Paging, ref: str
) -> Response:
    """An organisation with its people and custody history."""
    org = service.get_organisation(session, actor=actor, org_ref=ref)
    members, total = service.list_people(
        session, actor=actor, filters=PersonFilter(organisation_id=org.id), page=paging
    )
    events = custody.history(session, subject_type="organisation", subject_id=org.id)
    ctx = {
        "org": org,
        "people": members,
        "total": total,
        "paging": paging,
        "events": events,
        "actors": actor_labels(request, session, (e.actor for e in events)),
    }
    return render(request, "parties/organisation.html", ctx)
