"""JSON API of vendor profiles under /api/v1/vendors."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, status
from pydantic import ValidationError

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.http import AppSettings, DbSession, Paging, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import RequestBody
from crownjewels.core.wording import plain_message
from crownjewels.vault import service as vault
from crownjewels.vendors import certifications, contacts, service
from crownjewels.vendors.schemas import (
    CertificationCreate,
    CertificationRead,
    ContactCreate,
    ContactRead,
    ContactUpdate,
    CountryAdd,
    Criticality,
    ReviewCreate,
    RiskMatrix,
    StatusChange,
    SubcontractorAdd,
    VendorCreate,
    VendorFilter,
    VendorRead,
    VendorStatus,
    VendorUpdate,
)

router = APIRouter(prefix="/vendors", tags=["vendors"])
Reader = Annotated[Actor, Depends(require(P.VENDORS_READ))]
Writer = Annotated[Actor, Depends(require(P.VENDORS_WRITE))]

#: a certificate is a few pages; anything larger is surely the wrong file
MAX_CERTIFICATE_BYTES = 20 << 20


def _certificate(request: Request) -> bytes:
    """The raw request body (the certificate file), refused past 20 MiB (read in the route's
    worker thread as it arrives)."""
    data = RequestBody(request).read(MAX_CERTIFICATE_BYTES + 1)
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise Invalid("the certificate is larger than 20 MiB; upload the certificate itself")
    if not data:
        raise Invalid("the request body is empty; send the certificate file as the body")
    return data


def _filters(
    status_: VendorStatus | None = Query(default=None, alias="status"),
    criticality: Criticality | None = None,
    country: str | None = Query(default=None, description="ISO code; the vendor's exposure"),
    q: str | None = Query(default=None, max_length=200, description="name, services or ref"),
    review_due: bool | None = None,
) -> VendorFilter:
    try:
        return VendorFilter(
            status=status_, criticality=criticality, country=country, q=q, review_due=review_due
        )
    except ValidationError as exc:
        raise Invalid("; ".join(plain_message(e) for e in exc.errors()), field="country") from None


Filters = Annotated[VendorFilter, Depends(_filters)]


@router.get("", response_model=Page[VendorRead], summary="List vendor profiles")
def list_vendors(
    session: DbSession, actor: Reader, paging: Paging, filters: Filters
) -> Page[VendorRead]:
    """Vendor profiles, filtered (country matches where the vendor or its chain processes data)."""
    items, total = service.list_vendors(session, actor=actor, filters=filters, page=paging)
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/risk", response_model=RiskMatrix, summary="Vendors by country and criticality")
def risk(session: DbSession, actor: Reader, filters: Filters) -> RiskMatrix:
    """The risk view: vendors counted by exposed country and criticality."""
    return service.risk_matrix(session, actor=actor, filters=filters)


@router.post(
    "", response_model=VendorRead, status_code=status.HTTP_201_CREATED, summary="Add a vendor"
)
def create(session: DbSession, actor: Writer, body: VendorCreate) -> VendorRead:
    """Open the vendor file of an organisation of kind vendor."""
    return service.create(session, actor=actor, data=body)


@router.get("/{vendor_ref}", response_model=VendorRead, summary="Show a vendor")
def get(session: DbSession, actor: Reader, vendor_ref: str) -> VendorRead:
    """One vendor by ref (VN-0001), id or organisation name, with its chain and certifications."""
    return service.get(session, actor=actor, vendor_ref=vendor_ref)


@router.get(
    "/{vendor_ref}/jurisdictions",
    response_model=list[service.JurisdictionPanel],
    summary="Jurisdiction profiles of the vendor's countries",
)
def jurisdictions(
    session: DbSession, actor: Reader, vendor_ref: str
) -> list[service.JurisdictionPanel]:
    """For every country of the vendor's exposure: the cited profile, risk notes, sources and
    the stale-data warning (`profile` is null for a country without one)."""
    return service.jurisdiction_panels(service.get(session, actor=actor, vendor_ref=vendor_ref))


@router.patch("/{vendor_ref}", response_model=VendorRead, summary="Update a vendor")
def update(session: DbSession, actor: Writer, vendor_ref: str, body: VendorUpdate) -> VendorRead:
    """Change fields; send `version` to refuse the change if someone else changed it first."""
    return service.update(session, actor=actor, vendor_ref=vendor_ref, changes=body)


@router.post("/{vendor_ref}/status", response_model=VendorRead, summary="Change the status")
def change_status(
    session: DbSession, actor: Writer, vendor_ref: str, body: StatusChange
) -> VendorRead:
    """Move the vendor through its lifecycle, with the reason."""
    return service.change_status(session, actor=actor, vendor_ref=vendor_ref, change=body)


@router.post(
    "/{vendor_ref}/reviews",
    response_model=VendorRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a review",
)
def review(session: DbSession, actor: Writer, vendor_ref: str, body: ReviewCreate) -> VendorRead:
    """Record a periodic review; schedules the next one by the cadence."""
    return service.review(session, actor=actor, vendor_ref=vendor_ref, data=body)


@router.post(
    "/{vendor_ref}/countries",
    response_model=VendorRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a processing country",
)
def add_country(session: DbSession, actor: Writer, vendor_ref: str, body: CountryAdd) -> VendorRead:
    """Record a country where the vendor processes our data."""
    return service.add_country(session, actor=actor, vendor_ref=vendor_ref, data=body)


@router.delete(
    "/{vendor_ref}/countries/{country}", response_model=VendorRead, summary="Remove a country"
)
def remove_country(session: DbSession, actor: Writer, vendor_ref: str, country: str) -> VendorRead:
    """Forget a processing country."""
    return service.remove_country(session, actor=actor, vendor_ref=vendor_ref, country=country)


@router.post(
    "/{vendor_ref}/subcontractors",
    response_model=VendorRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a subcontractor",
)
def add_subcontractor(
    session: DbSession, actor: Writer, vendor_ref: str, body: SubcontractorAdd
) -> VendorRead:
    """Record that another vendor does part of this one's service (a cycle is refused)."""
    return service.add_subcontractor(session, actor=actor, vendor_ref=vendor_ref, data=body)


@router.delete(
    "/{vendor_ref}/subcontractors/{subcontractor_ref}",
    response_model=VendorRead,
    summary="Remove a subcontractor",
)
def remove_subcontractor(
    session: DbSession, actor: Writer, vendor_ref: str, subcontractor_ref: str
) -> VendorRead:
    """Forget a subcontracting link."""
    return service.remove_subcontractor(
        session, actor=actor, vendor_ref=vendor_ref, subcontractor_ref=subcontractor_ref
    )


@router.post(
    "/{vendor_ref}/certifications",
    response_model=CertificationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a certification",
)
def add_certification(
    session: DbSession, actor: Writer, vendor_ref: str, body: CertificationCreate
) -> CertificationRead:
    """Record a certification; upload its certificate with the `/certificate` route."""
    return certifications.add_certification(session, actor=actor, vendor_ref=vendor_ref, data=body)


@router.post(
    "/{vendor_ref}/certifications/{certification_id}/certificate",
    response_model=CertificationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Upload the certificate file (raw body)",
)
def attach_certificate(
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    vendor_ref: str,
    certification_id: str,
    request: Request,
    filename: str | None = Header(default=None, alias="X-Filename", max_length=300),
) -> CertificationRead:
    """The body is the certificate (PDF or image), encrypted into the vault; needs
    documents:write as well."""
    return certifications.attach_certificate(
        session,
        actor=actor,
        vault_=vault.open_vault(settings),
        vendor_ref=vendor_ref,
        certification_id=certification_id,
        upload=io.BytesIO(_certificate(request)),
        filename=filename,
    )


@router.delete(
    "/{vendor_ref}/certifications/{certification_id}",
    response_model=VendorRead,
    summary="Remove a certification",
)
def remove_certification(
    session: DbSession, actor: Writer, vendor_ref: str, certification_id: str
) -> VendorRead:
    """Forget a certification."""
    return certifications.remove_certification(
        session, actor=actor, vendor_ref=vendor_ref, certification_id=certification_id
    )


@router.post(
    "/{vendor_ref}/contacts",
    response_model=ContactRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a contact",
)
def add_contact(
    session: DbSession, actor: Writer, vendor_ref: str, body: ContactCreate
) -> ContactRead:
    """Record someone at the vendor; a primary contact replaces the previous primary one."""
    return contacts.add_contact(session, actor=actor, vendor_ref=vendor_ref, data=body)


@router.patch(
    "/{vendor_ref}/contacts/{contact_id}", response_model=ContactRead, summary="Update a contact"
)
def update_contact(
    session: DbSession, actor: Writer, vendor_ref: str, contact_id: str, body: ContactUpdate
) -> ContactRead:
    """Change a contact."""
    return contacts.update_contact(
        session, actor=actor, vendor_ref=vendor_ref, contact_id=contact_id, changes=body
    )


@router.delete(
    "/{vendor_ref}/contacts/{contact_id}", response_model=VendorRead, summary="Remove a contact"
)
def remove_contact(
    session: DbSession, actor: Writer, vendor_ref: str, contact_id: str
) -> VendorRead:
    """Forget a contact."""
    return contacts.remove_contact(
        session, actor=actor, vendor_ref=vendor_ref, contact_id=contact_id
    )
