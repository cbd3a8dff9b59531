"""Record and revoke a vendor's transfer mechanisms and transfer impact assessments (each with
its document in the vault, optionally), list them, and give the access rule its facts. Each
write records its custody event in the caller's transaction; nothing is deleted, only revoked."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict
from crownjewels.core.permissions import Permission
from crownjewels.custody.schemas import EventType
from crownjewels.vault import service as vault
from crownjewels.vendors import documents, reads, service
from crownjewels.vendors.errors import ItemNotFound
from crownjewels.vendors.models import TransferAssessment, TransferMechanism, VendorProfile
from crownjewels.vendors.transfers import repository
from crownjewels.vendors.transfers.schemas import (
    MechanismCreate,
    MechanismKind,
    MechanismRead,
    MechanismState,
    TiaCreate,
    TiaRead,
    TransfersRead,
    TransferStanding,
)

#: how a mechanism is named on pages and in messages
LABELS = {
    MechanismKind.SCC: "SCCs module {module}",
    MechanismKind.UK_IDTA: "IDTA",
    MechanismKind.UK_ADDENDUM: "UK Addendum to SCCs module {module}",
    MechanismKind.BCR: "BCRs",
    MechanismKind.ADEQUACY: "adequacy condition met",
    MechanismKind.DEROGATION: "derogation ({ground})",
    MechanismKind.CN_STANDARD_CONTRACT: "China standard contract (filed {filed_on})",
    MechanismKind.CN_CERTIFICATION: "PIPL certification",
    MechanismKind.CN_SECURITY_ASSESSMENT: "CAC security assessment",
    MechanismKind.CN_EXEMPTION: "2024 Provisions exemption ({ground})",
}


def _state(row: TransferMechanism, on: date) -> MechanismState:
    if row.revoked_at is not None:
        return MechanismState.REVOKED
    if row.effective_on is not None and on < row.effective_on:
        return MechanismState.PENDING
    if row.expires_on is not None and on >= row.expires_on:
        return MechanismState.EXPIRED
    return MechanismState.IN_FORCE


def mechanism_read(row: TransferMechanism, on: date | None = None) -> MechanismRead:
    """A mechanism as shown, with its label and its state on `on` (today by default)."""
    read = MechanismRead.model_validate(row)
    read.label = LABELS[read.kind].format(
        module=row.module, ground=row.ground, filed_on=row.filed_on
    )
    read.state = _state(row, on or clock.today())
    return read


def _event(
    session: Session, actor: Actor, event: EventType, vendor: VendorProfile, **details: Any
) -> None:
    service.record_event(session, actor, event, vendor, **details)


def _document(
    session: Session,
    actor: Actor,
    vault_: vault.Vault | None,
    vendor: VendorProfile,
    title: str,
    upload: vault.Upload | None,
    filename: str | None,
) -> tuple[str | None, str | None]:
    """Store the upload in the vault under the vendor: (document id, SHA-256), or Nones."""
    if upload is None:
        return None, None
    if vault_ is None:
        raise ValueError("a document upload needs the vault")
    doc = vault.add_document(
        session,
        actor=actor,
        vault=vault_,
        owner_type=documents.OWNER_TYPE,
        owner_ref=vendor.id,
        title=f"{title} ({vendor.ref})",
        upload=upload,
        filename=filename,
    )
    return doc.id, doc.versions[-1].sha256


def record_mechanism(
    session: Session,
    *,
    actor: Actor,
    vendor_ref: str,
    data: MechanismCreate,
    vault_: vault.Vault | None = None,
    upload: vault.Upload | None = None,
    filename: str | None = None,
) -> MechanismRead:
    """Record a transfer mechanism with the vendor; with `upload`, its document (the signed
    SCCs, the CAC filing receipt…) goes into the vault, encrypted."""
    actor.require(Permission.VENDORS_WRITE, what="recording a transfer mechanism")
    vendor = reads.find(session, actor, vendor_ref)
    row = TransferMechanism(vendor_id=vendor.id, created_by=actor.name, **data.model_dump())
    label = LABELS[data.kind].format(module=data.module, ground=data.ground, filed_on=data.filed_on)
    row.document_id, sha256 = _document(
        session, actor, vault_, vendor, f"{label} for {data.regime.value}", upload, filename
    )
    session.add(row)
    session.flush()
    _event(
        session,
        actor,
        EventType.TRANSFER_MECHANISM_RECORDED,
        vendor,
        mechanism_id=row.id,
        after=data.model_dump(),
        document_id=row.document_id,
        sha256=sha256,
    )
    return mechanism_read(row)


Revocable = TypeVar("Revocable", TransferMechanism, TransferAssessment)


def _revoke(
    session: Session,
    actor: Actor,
    vendor: VendorProfile,
    row: Revocable | None,
    what: str,
    asked: str,
    reason: str,
) -> Revocable:
    """Stamp a mechanism or an assessment revoked, or say why it cannot be."""
    if row is None:
        raise ItemNotFound(
            f"{vendor.ref} has no {what} {asked!r}; "
            f"`crownjewels vendors transfers {vendor.ref}` lists them"
        )
    if row.revoked_at is not None:
        raise Conflict(f"that {what} was already revoked on {row.revoked_at:%Y-%m-%d}")
    row.revoked_at, row.revoked_by, row.revoked_reason = clock.now(), actor.name, reason
    session.flush()
    return row


def revoke_mechanism(
    session: Session, *, actor: Actor, vendor_ref: str, mechanism_id: str, reason: str
) -> MechanismRead:
    """Revoke a mechanism (terminated SCCs, a withdrawn filing): it no longer admits transfers."""
    actor.require(Permission.VENDORS_WRITE, what="revoking a transfer mechanism")
    vendor = reads.find(session, actor, vendor_ref)
    row = repository.mechanism(session, vendor.id, mechanism_id)
    row = _revoke(session, actor, vendor, row, "transfer mechanism", mechanism_id, reason)
    _event(
        session,
        actor,
        EventType.TRANSFER_MECHANISM_REVOKED,
        vendor,
        mechanism_id=row.id,
        kind=row.kind,
        regime=row.regime,
        reason=reason,
    )
    return mechanism_read(row)


def record_assessment(
    session: Session,
    *,
    actor: Actor,
    vendor_ref: str,
    data: TiaCreate,
    vault_: vault.Vault | None = None,
    upload: vault.Upload | None = None,
    filename: str | None = None,
) -> TiaRead:
    """Record a transfer impact assessment of one destination; with `upload`, the assessment
    itself goes into the vault, encrypted."""
    actor.require(Permission.VENDORS_WRITE, what="recording a transfer impact assessment")
    vendor = reads.find(session, actor, vendor_ref)
    row = TransferAssessment(vendor_id=vendor.id, created_by=actor.name, **data.model_dump())
    row.document_id, sha256 = _document(
        session,
        actor,
        vault_,
        vendor,
        f"Transfer impact assessment {data.regime.value} to {data.country}",
        upload,
        filename,
    )
    session.add(row)
    session.flush()
    _event(
        session,
        actor,
        EventType.TRANSFER_ASSESSMENT_RECORDED,
        vendor,
        assessment_id=row.id,
        after=data.model_dump(),
        document_id=row.document_id,
        sha256=sha256,
    )
    return TiaRead.model_validate(row)


def revoke_assessment(
    session: Session, *, actor: Actor, vendor_ref: str, assessment_id: str, reason: str
) -> TiaRead:
    """Revoke an assessment (superseded, or the destination's law changed)."""
    actor.require(Permission.VENDORS_WRITE, what="revoking a transfer impact assessment")
    vendor = reads.find(session, actor, vendor_ref)
    row = repository.assessment(session, vendor.id, assessment_id)
    row = _revoke(session, actor, vendor, row, "transfer impact assessment", assessment_id, reason)
    _event(
        session,
        actor,
        EventType.TRANSFER_ASSESSMENT_REVOKED,
        vendor,
        assessment_id=row.id,
        regime=row.regime,
        country=row.country,
        reason=reason,
    )
    return TiaRead.model_validate(row)


def transfers(session: Session, *, actor: Actor, vendor_ref: str) -> TransfersRead:
    """A vendor's mechanisms and assessments, newest first, revoked ones included."""
    vendor = reads.find(session, actor, vendor_ref)
    name = reads.vendor_org_names(session, actor).get(vendor.organisation_id, vendor.ref)
    return listing(session, actor=actor, vendor_id=vendor.id, vendor_ref=vendor.ref, name=name)


def listing(
    session: Session, *, actor: Actor, vendor_id: str, vendor_ref: str, name: str
) -> TransfersRead:
    """`transfers` for a vendor already read (its page): two queries."""
    actor.require(Permission.VENDORS_READ, what="reading a vendor's transfers")
    mechanisms = repository.mechanisms(session, vendor_id)
    assessments = repository.assessments(session, vendor_id)
    return TransfersRead(
        vendor_ref=vendor_ref,
        vendor_name=name,
        mechanisms=[mechanism_read(m) for m in mechanisms],
        assessments=[TiaRead.model_validate(a) for a in assessments],
    )


def standing(session: Session, *, organisation_id: str, name: str) -> TransferStanding:
    """The access rule's facts about a recipient organisation: its mechanisms and assessments
    not revoked (one query each; none when it has no vendor profile)."""
    mechanisms = repository.live_mechanisms_of(session, organisation_id)
    assessments = repository.live_assessments_of(session, organisation_id)
    return TransferStanding(
        name=name,
        mechanisms=[mechanism_read(m) for m in mechanisms],
        assessments=[TiaRead.model_validate(a) for a in assessments],
    )
