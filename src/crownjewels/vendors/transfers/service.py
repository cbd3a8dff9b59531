"""Record and revoke a vendor's transfer mechanisms and transfer impact assessments (each with
its document in the vault, optionally), list them, and give the access rule its facts. Each
write records its custody event in the caller's transaction; nothing is deleted, only revoked."""

from __future__ import annotations

from collections.abc import Sequence
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
    number = f"M{len(repository.mechanisms(session, vendor.id))}"  # the newest is the last
    return mechanism_read(row).model_copy(update={"number": number})


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
            f"`crownjewels vendors transfers list {vendor.ref}` lists them with their numbers"
        )
    if row.revoked_at is not None:
        raise Conflict(f"that {what} was already revoked on {row.revoked_at:%Y-%m-%d}")
    row.revoked_at, row.revoked_by, row.revoked_reason = clock.now(), actor.name, reason
    session.flush()
    return row


def numbered(rows: Sequence[Revocable], prefix: str) -> dict[str, Revocable]:
    """The vendor's rows by the number a person types (M1 = the first recorded, M2 …): stable,
    since rows are revoked, never deleted."""
    ordered = sorted(rows, key=lambda r: (r.created_at, r.id))
    return {f"{prefix}{n}": row for n, row in enumerate(ordered, start=1)}


def _chosen(rows: Sequence[Revocable], prefix: str, typed: str) -> Revocable | None:
    """The row a person named by its number (M2, or just 2) or, as scripts do, by its id."""
    wanted = typed.strip().upper()
    by_number = numbered(rows, prefix)
    found = by_number.get(wanted) or by_number.get(f"{prefix}{wanted}")
    return found or next((r for r in rows if r.id == typed.strip()), None)


def revoke_mechanism(
    session: Session, *, actor: Actor, vendor_ref: str, mechanism_id: str, reason: str
) -> MechanismRead:
    """Revoke a mechanism (terminated SCCs, a withdrawn filing): it no longer admits transfers.
    `mechanism_id` is its number (M2, from `transfers list`) or its id."""
    actor.require(Permission.VENDORS_WRITE, what="revoking a transfer mechanism")
    vendor = reads.find(session, actor, vendor_ref)
    row = _chosen(repository.mechanisms(session, vendor.id), "M", mechanism_id)
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
    number = f"T{len(repository.assessments(session, vendor.id))}"  # the newest is the last
    return TiaRead.model_validate(row).model_copy(update={"number": number})


def revoke_assessment(
    session: Session, *, actor: Actor, vendor_ref: str, assessment_id: str, reason: str
) -> TiaRead:
    """Revoke an assessment (superseded, or the destination's law changed). `assessment_id` is
    its number (T1, from `transfers list`) or its id."""
    actor.require(Permission.VENDORS_WRITE, what="revoking a transfer impact assessment")
    vendor = reads.find(session, actor, vendor_ref)
    row = _chosen(repository.assessments(session, vendor.id), "T", assessment_id)
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
    m_numbers = {row.id: n for n, row in numbered(mechanisms, "M").items()}
    t_numbers = {row.id: n for n, row in numbered(assessments, "T").items()}
    return TransfersRead(
        vendor_ref=vendor_ref,
        vendor_name=name,
        mechanisms=[
            mechanism_read(m).model_copy(update={"number": m_numbers[m.id]}) for m in mechanisms
        ],
        assessments=[
            TiaRead.model_validate(a).model_copy(update={"number": t_numbers[a.id]})
            for a in assessments
        ],
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
