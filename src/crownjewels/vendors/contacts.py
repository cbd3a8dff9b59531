"""The people we deal with at a vendor: add, change (one primary contact), remove. Each write
records its custody event in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.custody.schemas import EventType
from crownjewels.parties import service as parties
from crownjewels.vendors import reads, repository, service
from crownjewels.vendors.errors import DuplicateVendor, ItemNotFound
from crownjewels.vendors.models import VendorContact
from crownjewels.vendors.schemas import ContactCreate, ContactRead, ContactUpdate, VendorRead


def _demote_primary(session: Session, vendor_id: str, keep: str) -> None:
    for c in repository.contacts(session, vendor_id):
        if c.id != keep and c.is_primary:
            c.is_primary = False


def add_contact(
    session: Session, *, actor: Actor, vendor_ref: str, data: ContactCreate
) -> ContactRead:
    """Record someone at the vendor; a primary contact replaces the previous primary one."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    email = str(data.email).lower()
    if any(c.email == email for c in repository.contacts(session, vendor.id)):
        raise DuplicateVendor(f"{vendor.ref} already has a contact {email}", field="email")
    person_id = (
        parties.resolve_person_id(session, actor=actor, person_ref=data.person_id)
        if data.person_id
        else None
    )
    row = VendorContact(
        vendor_id=vendor.id, **{**data.model_dump(), "email": email, "person_id": person_id}
    )
    session.add(row)
    session.flush()
    if row.is_primary:
        _demote_primary(session, vendor.id, row.id)
    session.flush()
    service.record_event(
        session,
        actor,
        EventType.VENDOR_CONTACT_ADDED,
        vendor,
        contact_id=row.id,
        after={**data.model_dump(), "email": email, "person_id": person_id},
    )
    return ContactRead.model_validate(row)


def update_contact(
    session: Session, *, actor: Actor, vendor_ref: str, contact_id: str, changes: ContactUpdate
) -> ContactRead:
    """Change a contact; records before and after."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    row = repository.contact(session, vendor.id, contact_id)
    if row is None:
        raise ItemNotFound(f"{vendor.ref} has no contact {contact_id!r}")
    fields = {k: v for k, v in changes.model_dump(exclude_unset=True).items() if v is not None}
    if "email" in fields:
        fields["email"] = str(fields["email"]).lower()
    before = {k: getattr(row, k) for k in fields}
    for key, value in fields.items():
        setattr(row, key, value)
    if fields.get("is_primary"):
        _demote_primary(session, vendor.id, row.id)
    session.flush()
    service.record_event(
        session,
        actor,
        EventType.VENDOR_CONTACT_UPDATED,
        vendor,
        contact_id=row.id,
        before=before,
        after=fields,
    )
    return ContactRead.model_validate(row)


def remove_contact(
    session: Session, *, actor: Actor, vendor_ref: str, contact_id: str
) -> VendorRead:
    """Forget a contact."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    row = repository.contact(session, vendor.id, contact_id)
    if row is None:
        raise ItemNotFound(f"{vendor.ref} has no contact {contact_id!r}")
    before = {"name": row.name, "email": row.email, "role": row.role, "is_primary": row.is_primary}
    session.delete(row)
    session.flush()
    service.record_event(
        session, actor, EventType.VENDOR_CONTACT_REMOVED, vendor, contact_id=contact_id,
        before=before,
    )  # fmt: skip
    return reads.full(session, actor, vendor)
