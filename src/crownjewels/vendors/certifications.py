"""A vendor's certifications: record them, store the certificate in the vault (owner type
`vendor`), forget them. Each write records its custody event in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.custody.schemas import EventType
from crownjewels.vault import service as vault
from crownjewels.vendors import documents, reads, repository, service
from crownjewels.vendors.errors import DuplicateVendor, ItemNotFound
from crownjewels.vendors.models import Certification, VendorProfile
from crownjewels.vendors.schemas import (
    STANDARD_NAMES,
    CertificationCreate,
    CertificationRead,
    Standard,
    VendorRead,
)


def add_certification(
    session: Session,
    *,
    actor: Actor,
    vendor_ref: str,
    data: CertificationCreate,
    vault_: vault.Vault | None = None,
    upload: vault.Upload | None = None,
    filename: str | None = None,
) -> CertificationRead:
    """Record a certification; with `upload`, its certificate goes into the vault, encrypted."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    if data.certificate_number and any(
        c.standard == data.standard and c.certificate_number == data.certificate_number
        for c in repository.certifications(session, vendor.id)
    ):
        raise DuplicateVendor(
            f"{vendor.ref} already has {data.standard.value} certificate {data.certificate_number}",
            field="certificate_number",
        )
    row = Certification(vendor_id=vendor.id, **data.model_dump())
    session.add(row)
    session.flush()
    service.record_event(
        session,
        actor,
        EventType.VENDOR_CERTIFICATION_ADDED,
        vendor,
        certification_id=row.id,
        after=data.model_dump(),
    )
    if upload is not None:
        if vault_ is None:
            raise ValueError("a certificate upload needs the vault")
        _attach(session, actor, vault_, vendor, row, upload, filename)
    return reads.certification_read(row)


def _attach(
    session: Session,
    actor: Actor,
    vault_: vault.Vault,
    vendor: VendorProfile,
    row: Certification,
    upload: vault.Upload,
    filename: str | None,
) -> None:
    label = row.standard_name or STANDARD_NAMES[Standard(row.standard)]
    doc = vault.add_document(
        session,
        actor=actor,
        vault=vault_,
        owner_type=documents.OWNER_TYPE,
        owner_ref=vendor.id,
        title=f"{label} certificate ({vendor.ref})",
        upload=upload,
        filename=filename,
    )
    before = row.document_id
    row.document_id = doc.id
    session.flush()
    service.record_event(
        session,
        actor,
        EventType.VENDOR_CERTIFICATE_ATTACHED,
        vendor,
        certification_id=row.id,
        document_id=doc.id,
        sha256=doc.versions[-1].sha256,
        replaced_document_id=before,
    )


def attach_certificate(
    session: Session,
    *,
    actor: Actor,
    vault_: vault.Vault,
    vendor_ref: str,
    certification_id: str,
    upload: vault.Upload,
    filename: str | None = None,
) -> CertificationRead:
    """Store (or replace) the certificate file of a certification in the vault."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    row = repository.certification(session, vendor.id, certification_id)
    if row is None:
        raise ItemNotFound(f"{vendor.ref} has no certification {certification_id!r}")
    _attach(session, actor, vault_, vendor, row, upload, filename)
    return reads.certification_read(row)


def remove_certification(
    session: Session, *, actor: Actor, vendor_ref: str, certification_id: str
) -> VendorRead:
    """Forget a certification (its certificate stays in the vault under its own retention)."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    row = repository.certification(session, vendor.id, certification_id)
    if row is None:
        raise ItemNotFound(f"{vendor.ref} has no certification {certification_id!r}")
    before = CertificationCreate.model_validate(row, from_attributes=True).model_dump()
    session.delete(row)
    session.flush()
    service.record_event(
        session,
        actor,
        EventType.VENDOR_CERTIFICATION_REMOVED,
        vendor,
        certification_id=certification_id,
        document_id=row.document_id,
        before=before,
    )
    return reads.full(session, actor, vendor)
