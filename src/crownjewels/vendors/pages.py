"""Pages of vendor profiles: the list with its risk view (countries x criticality) and filters,
a vendor's page (profile, countries with their jurisdiction panels, certifications with expiry
badges, transfer mechanisms and assessments, the subcontractor chain, contacts, custody
history), the create and edit forms, and the small forms on the vendor's page (the transfer
forms post to `transfers/pages.py`)."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
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
from crownjewels.core.http import AppSettings, DbSession, Paging, require
from crownjewels.core.pagination import PageParams
from crownjewels.core.panels import panels
from crownjewels.core.permissions import Permission as P
from crownjewels.settings import Settings
from crownjewels.vault import service as vault
from crownjewels.vendors import certifications, contacts, service
from crownjewels.vendors.diligence import service as diligence
from crownjewels.vendors.diligence.schemas import AssessmentFilter
from crownjewels.vendors.documents import VENDOR_OWNERS
from crownjewels.vendors.schemas import (
    STANDARD_NAMES,
    CertificationCreate,
    ContactCreate,
    ContactUpdate,
    CountryAdd,
    Criticality,
    ReviewCreate,
    StatusChange,
    SubcontractorAdd,
    VendorCreate,
    VendorFilter,
    VendorRead,
    VendorStatus,
    VendorUpdate,
)
from crownjewels.vendors.transfers import service as transfers
from crownjewels.vendors.transfers.schemas import (
    Ground,
    MechanismKind,
    Regime,
    SccModule,
    TiaOutcome,
)

router = APIRouter(prefix="/vendors", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.VENDORS_READ))]
Writer = Annotated[Actor, Depends(require(P.VENDORS_WRITE))]

_FILTERS = ("status", "criticality", "country", "q", "review_due", "certificate_expiring")


def _choices() -> dict[str, Any]:
    """The option lists the vendor templates use."""
    return {
        "criticalities": list(Criticality),
        "criticality_options": [(c.value, c.value) for c in Criticality],
        "statuses": list(VendorStatus),
        "standards": list(STANDARD_NAMES.items()),
        "mechanism_kinds": [(k.value, k.value) for k in MechanismKind],
        "regimes": [(r.value, r.value) for r in Regime],
        "scc_modules": [(m.value, m.value) for m in SccModule],
        "grounds": [(g.value, g.value.replace("-", " ")) for g in Ground],
        "outcomes": [(o.value, o.value.replace("-", " ")) for o in TiaOutcome],
    }


def countries_of(raw: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", raw) if c]


# --- the list and its risk view --------------------------------------------------------------


@router.get("")
def vendor_list(request: Request, session: DbSession, actor: Reader, paging: Paging) -> Response:
    """Vendors, filtered, with the risk view; htmx (filters) gets the results only."""
    raw = {k: request.query_params.get(k, "").strip() for k in _FILTERS}
    errors: dict[str, str] = {}
    try:
        flt = VendorFilter.model_validate(
            {
                **{k: v for k, v in raw.items() if v and k != "review_due"},
                "review_due": raw["review_due"] in ("true", "on", "1") or None,
            }
        )
        items, total = service.list_vendors(session, actor=actor, filters=flt, page=paging)
        matrix = service.risk_matrix(session, actor=actor, filters=flt)
    except (ValidationError, CrownJewelsError) as exc:
        errors, items, total, matrix = field_errors(exc), [], 0, None
    ctx = {
        "vendors": items,
        "total": total,
        "paging": paging,
        "filters": raw,
        "errors": errors,
        "matrix": matrix,
        **_choices(),
    }
    status = 422 if errors else 200
    if is_htmx(request) and request.headers.get("hx-target") == "results":
        return render(request, "vendors/_results.html", ctx, status=status)
    return render(request, "vendors/list.html", ctx, status=status)


# --- create and edit -------------------------------------------------------------------------


def _profile_fields(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {"services": text(form, "services")}
    if criticality := text(form, "criticality"):  # blank: "this field is required"
        data["criticality"] = criticality
    data["notes"] = optional(form, "notes")
    if cadence := optional(form, "review_cadence_months"):
        data["review_cadence_months"] = cadence
    return data


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    vendor: VendorRead | None = None,
    status: int = 200,
) -> Response:
    ctx = {
        "values": values,
        "errors": errors or {},
        "vendor": vendor,
        "organisations": []
        if vendor
        else sorted(service.organisations_without_profile(session, actor=actor).items(),
                    key=lambda kv: kv[1].lower()),
        **_choices(),
    }  # fmt: skip
    return render(request, "vendors/form.html", ctx, status=status)


@router.get("/new")
def new_form(request: Request, session: DbSession, actor: Writer) -> Response:
    """The form that opens a vendor file."""
    values = {"criticality": "", "status": VendorStatus.PROSPECT.value}
    return _form_page(request, session, actor, values=values)


@router.post("/new")
def create(request: Request, session: DbSession, actor: Writer, form: PostedForm) -> Response:
    """Open a vendor file; a refused form comes back with the messages next to its fields."""
    try:
        fields = {
            **_profile_fields(form),
            "organisation_id": text(form, "organisation_id"),
            "status": text(form, "status") or VendorStatus.PROSPECT.value,
            "countries": countries_of(text(form, "countries")),
        }
        if not fields["organisation_id"]:
            del fields["organisation_id"]  # "this field is required", not "no organisation ''"
        data = VendorCreate.model_validate(fields)
        vendor = service.create(session, actor=actor, data=data)
    except Exception as exc:
        if not refused(exc):
            raise
        discard(session)
        errors = {
            re.sub(r"^countries\.\d+$", "countries", k): v
            for k, v in field_errors(exc, fallback="organisation_id").items()  # type: ignore[arg-type]
        }
        return _form_page(
            request, session, actor, values=dict(form.items()), errors=errors,
            status=error_status(exc),  # type: ignore[arg-type]
        )  # fmt: skip
    flash(request, f"{vendor.ref} {vendor.name} is added.")
    return redirect(f"/vendors/{vendor.ref}")


def _values(vendor: VendorRead) -> dict[str, Any]:
    values: dict[str, Any] = vendor.model_dump(mode="json")
    return {k: ("" if v is None else v) for k, v in values.items()}


@router.get("/{ref}/edit")
def edit_form(request: Request, session: DbSession, actor: Writer, ref: str) -> Response:
    """The edit form, filled with the profile's current values."""
    vendor = service.get(session, actor=actor, vendor_ref=ref)
    return _form_page(request, session, actor, values=_values(vendor), vendor=vendor)


@router.post("/{ref}/edit")
def edit(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Save the changes; `version` refuses them if someone else changed the profile meanwhile."""
    vendor = service.get(session, actor=actor, vendor_ref=ref)
    try:
        changes = VendorUpdate.model_validate(
            {
                **_profile_fields(form),
                "next_review_on": optional(form, "next_review_on"),
                "version": text(form, "version") or None,
            }
        )
        vendor = service.update(session, actor=actor, vendor_ref=vendor.id, changes=changes)
    except Exception as exc:
        if not refused(exc):
            raise
        discard(session)
        return _form_page(
            request, session, actor, values=dict(form.items()),
            errors=field_errors(exc),  # type: ignore[arg-type]
            vendor=vendor, status=error_status(exc),  # type: ignore[arg-type]
        )  # fmt: skip
    flash(request, f"{vendor.ref} is saved.")
    return redirect(f"/vendors/{vendor.ref}")


# --- a vendor's page -------------------------------------------------------------------------

#: the slot of the vendor's page where other capabilities' panels go (routes.py plugs them
#: in); its subject is the vendor's `organisation_id` and `name`
PANEL_SLOT = "vendor"


def _vendor_page(
    request: Request,
    session: Session,
    actor: Actor,
    ref: str,
    *,
    status: int = 200,
    open_form: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    vendor = service.get(session, actor=actor, vendor_ref=ref)
    events = service.history(session, actor=actor, vendor_ref=vendor.id)
    may_write = service.may_write(actor)
    others = []
    if may_write:
        linked = {s.subcontractor_id for s in vendor.subcontractors}
        others = [
            {"ref": ref, "name": name}
            for vid, ref, name in service.vendor_choices(session, actor=actor)
            if vid != vendor.id and vid not in linked
        ]
    assessments, assessment_count = diligence.list_assessments(
        session, actor=actor, filters=AssessmentFilter(vendor=vendor.ref), page=PageParams(limit=10)
    )
    subject = {"organisation_id": vendor.organisation_id, "name": vendor.name}
    ctx = {
        "vendor": vendor,
        "transfers": transfers.listing(
            session, actor=actor, vendor_id=vendor.id, vendor_ref=vendor.ref, name=vendor.name
        ),
        "slot_panels": panels(PANEL_SLOT, session, actor=actor, subject=subject),
        "panels": service.jurisdiction_panels(vendor),
        "risk": diligence.latest_risk(session, actor=actor, vendor_ref=vendor.ref),
        "assessments": assessments,
        "assessment_count": assessment_count,
        "events": events,
        "actors": actor_labels(request, session, (e.actor for e in events)),
        "may_write": may_write,
        "may_attach": may_write and actor.can(P.DOCUMENTS_WRITE),
        "may_download": VENDOR_OWNERS.may_read(actor),
        "status_choices": service.status_choices(vendor),
        "other_vendors": others,
        "open_form": open_form,
        "errors": errors or {},
        "values": values or {},
        **_choices(),
    }
    return render(request, "vendors/detail.html", ctx, status=status)


@router.get("/{ref}")
def detail(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """A vendor with its countries, jurisdictions, certifications, chain, contacts, history."""
    return _vendor_page(request, session, actor, ref)


def sub_form(
    request: Request,
    session: Session,
    actor: Actor,
    ref: str,
    name: str,
    form: FormData,
    exc: Exception,
    *,
    fallback: str = "",
) -> Response:
    """The vendor's page again with one small form open, its messages next to its fields."""
    if not refused(exc):
        raise exc
    discard(session)
    return _vendor_page(
        request,
        session,
        actor,
        ref,
        status=error_status(exc),  # type: ignore[arg-type]
        open_form=name,
        errors=field_errors(exc, fallback=fallback),  # type: ignore[arg-type]
        values=dict(form.items()),
    )


def back(request: Request, vendor_ref: str, message: str, anchor: str) -> Response:
    flash(request, message)
    return redirect(f"/vendors/{vendor_ref}#{anchor}")


@router.post("/{ref}/status")
def change_status(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Move the vendor through its lifecycle, with the reason."""
    try:
        change = StatusChange.model_validate(
            {"status": text(form, "status"), "reason": text(form, "reason")}
        )
        v = service.change_status(session, actor=actor, vendor_ref=ref, change=change)
    except Exception as exc:
        return sub_form(request, session, actor, ref, "status", form, exc)
    return back(request, v.ref, f"{v.ref} is now {v.status.value}.", "status-change")


@router.post("/{ref}/review")
def record_review(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Record a periodic review; the next one follows from the cadence."""
    try:
        data = ReviewCreate.model_validate(
            {"reviewed_on": optional(form, "reviewed_on"), "notes": optional(form, "notes")}
        )
        v = service.review(session, actor=actor, vendor_ref=ref, data=data)
    except Exception as exc:
        return sub_form(request, session, actor, ref, "review", form, exc)
    return back(
        request, v.ref, f"The review is recorded; next one on {v.next_review_on}.", "review"
    )


@router.post("/{ref}/countries")
def add_country(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Record a processing country."""
    try:
        data = CountryAdd.model_validate(
            {"country": text(form, "country"), "notes": optional(form, "notes")}
        )
        v = service.add_country(session, actor=actor, vendor_ref=ref, data=data)
    except Exception as exc:
        return sub_form(request, session, actor, ref, "country", form, exc)
    return back(request, v.ref, f"{data.country} is added.", "countries")


@router.post("/{ref}/countries/{country}/remove")
def remove_country(
    request: Request, session: DbSession, actor: Writer, ref: str, country: str
) -> Response:
    """Forget a processing country."""
    v = service.remove_country(session, actor=actor, vendor_ref=ref, country=country)
    return back(request, v.ref, f"{country.upper()} is removed.", "countries")


@router.post("/{ref}/subcontractors")
def add_subcontractor(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Record a subcontractor; a cycle comes back as a message on the form."""
    try:
        data = SubcontractorAdd.model_validate(
            {
                "subcontractor": text(form, "subcontractor"),
                "service": text(form, "service"),
                "countries": countries_of(text(form, "countries")),
                "notes": optional(form, "notes"),
            }
        )
        v = service.add_subcontractor(session, actor=actor, vendor_ref=ref, data=data)
    except Exception as exc:
        return sub_form(request, session, actor, ref, "subcontractor", form, exc,
                         fallback="subcontractor")  # fmt: skip
    sub = next(
        x
        for x in v.subcontractors
        if data.subcontractor in (x.subcontractor_ref, x.subcontractor_id)
    )
    message = f"{sub.subcontractor_ref} {sub.subcontractor_name} is recorded as a subcontractor."
    return back(request, v.ref, message, "chain")


@router.post("/{ref}/subcontractors/{sub}/remove")
def remove_subcontractor(
    request: Request, session: DbSession, actor: Writer, ref: str, sub: str
) -> Response:
    """Forget a subcontracting link."""
    v = service.remove_subcontractor(session, actor=actor, vendor_ref=ref, subcontractor_ref=sub)
    return back(request, v.ref, "The subcontractor is removed.", "chain")


def file_of(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None


class Attachment(TypedDict):
    """A form's optional document as the recording services take it (keyword arguments)."""

    vault_: vault.Vault | None
    upload: vault.Upload | None
    filename: str | None


def attachment_of(form: FormData, name: str, settings: Settings) -> Attachment:
    """The document posted as `name`, with the vault it goes into; all None when none was
    chosen (the vault is opened only for a file)."""
    upload = file_of(form, name)
    if upload is None:
        return Attachment(vault_=None, upload=None, filename=None)
    return Attachment(
        vault_=vault.open_vault(settings), upload=upload.file, filename=upload.filename
    )


@router.post("/{ref}/certifications")
def add_certification(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Record a certification, with its certificate (optional) encrypted into the vault."""
    try:
        data = CertificationCreate.model_validate(
            {
                "standard": text(form, "standard"),
                "standard_name": optional(form, "standard_name"),
                "issuer": text(form, "issuer"),
                "scope": optional(form, "scope"),
                "certificate_number": optional(form, "certificate_number"),
                "issued_on": optional(form, "issued_on"),
                "expires_on": optional(form, "expires_on"),
            }
        )
        cert = certifications.add_certification(
            session,
            actor=actor,
            vendor_ref=ref,
            data=data,
            **attachment_of(form, "certificate", settings),
        )
    except Exception as exc:
        return sub_form(request, session, actor, ref, "certification", form, exc,
                         fallback="certificate")  # fmt: skip
    return back(request, ref, f"{cert.label} from {cert.issuer} is recorded.", "certifications")


@router.post("/{ref}/certifications/{cert_id}/remove")
def remove_certification(
    request: Request, session: DbSession, actor: Writer, ref: str, cert_id: str
) -> Response:
    """Forget a certification."""
    v = certifications.remove_certification(
        session, actor=actor, vendor_ref=ref, certification_id=cert_id
    )
    return back(request, v.ref, "The certification is removed.", "certifications")


@router.post("/{ref}/contacts")
def add_contact(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Record a contact at the vendor."""
    try:
        data = ContactCreate.model_validate(
            {
                "name": text(form, "name"),
                "email": text(form, "email"),
                "role": optional(form, "role"),
                "phone": optional(form, "phone"),
                "is_primary": text(form, "is_primary") in ("on", "true", "1"),
            }
        )
        c = contacts.add_contact(session, actor=actor, vendor_ref=ref, data=data)
    except Exception as exc:
        return sub_form(request, session, actor, ref, "contact", form, exc)
    return back(request, ref, f"{c.name} is added as a contact.", "contacts")


@router.post("/{ref}/contacts/{contact_id}/primary")
def make_primary(
    request: Request, session: DbSession, actor: Writer, ref: str, contact_id: str
) -> Response:
    """Make a contact the primary one."""
    c = contacts.update_contact(
        session, actor=actor, vendor_ref=ref, contact_id=contact_id,
        changes=ContactUpdate(is_primary=True),
    )  # fmt: skip
    return back(request, ref, f"{c.name} is now the primary contact.", "contacts")


@router.post("/{ref}/contacts/{contact_id}/remove")
def remove_contact(
    request: Request, session: DbSession, actor: Writer, ref: str, contact_id: str
) -> Response:
    """Forget a contact."""
    v = contacts.remove_contact(session, actor=actor, vendor_ref=ref, contact_id=contact_id)
    return back(request, v.ref, "The contact is removed.", "contacts")
