"""Retention, legal hold and destruction (crypto-shredding) of documents.

Destroying a document erases every version's wrapped data key in the transaction (the
ciphertext left anywhere, backups and object-store versions included, is unreadable from that
commit on) and deletes the blobs once it committed. A legal hold always blocks destruction; so
does an unexpired retention period, with no override: whoever may destroy may also shorten the
retention first, which is its own audited event. The destruction certificate names what was
destroyed (each version's plaintext SHA-256, size, type), when, by whom and why, and the custody
event that records it, provable against a signed checkpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock, documents
from crownjewels.core.actor import Actor
from crownjewels.core.db import after_commit
from crownjewels.core.permissions import Permission
from crownjewels.custody import checkpoints
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.vault import owners, repository
from crownjewels.vault.errors import DestructionBlocked, DocumentNotFound
from crownjewels.vault.models import DestructionCertificate, Document
from crownjewels.vault.schemas import CertificateRead, DocumentRead, DocumentStatus
from crownjewels.vault.service import (
    SUBJECT,
    Vault,
    owned_document,
    read_document,
    require_active,
)


def _destroyer(session: Session, actor: Actor, document_id: str, what: str) -> Document:
    actor.require(Permission.DOCUMENTS_DESTROY, what=what)
    document, _ = owned_document(session, actor, document_id)
    require_active(document)
    return document


def _done(session: Session, document: Document) -> DocumentRead:
    session.flush()
    return read_document(document, repository.versions(session, [document.id]))


#: who may set and release a legal hold: whoever may destroy documents, and the incident team
#: containing a case (a hold only ever keeps a document; `incidents.containment` releases only
#: the holds it set)
HOLDERS = (Permission.DOCUMENTS_DESTROY, Permission.INCIDENTS_CONTAIN)


def _holder(session: Session, actor: Actor, document_id: str, what: str) -> Document:
    actor.require_any(*HOLDERS, what=what)
    document, _ = owned_document(session, actor, document_id)
    require_active(document)
    return document


def _not_kept(session: Session, document: Document, what: str) -> None:
    """Refuse when the document's owner keeps it (an open case's evidence), naming why."""
    why = owners.kept_because(session, document.owner_type, document.owner_id)
    if why:
        raise DestructionBlocked(f"{document.title} {why}: {what} until then")


def set_hold(session: Session, *, actor: Actor, document_id: str, reason: str) -> DocumentRead:
    """Put a document under legal hold: nobody can destroy it until the hold is released
    (documents:destroy, or incidents:contain)."""
    document = _holder(session, actor, document_id, "a legal hold")
    document.legal_hold, document.legal_hold_reason = True, reason.strip()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_LEGAL_HOLD_SET,
        subject_type=SUBJECT,
        subject_id=document.id,
        details={"reason": document.legal_hold_reason},
    )
    return _done(session, document)


def release_hold(
    session: Session, *, actor: Actor, document_id: str, reason: str | None = None
) -> DocumentRead:
    """Release a document's legal hold (documents:destroy, or incidents:contain)."""
    document = _holder(session, actor, document_id, "releasing a legal hold")
    if not document.legal_hold:
        return _done(session, document)
    _not_kept(session, document, "its hold stays")
    before = document.legal_hold_reason
    document.legal_hold, document.legal_hold_reason = False, None
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_LEGAL_HOLD_RELEASED,
        subject_type=SUBJECT,
        subject_id=document.id,
        details={"hold_reason": before, "reason": reason},
    )
    return _done(session, document)


def set_retention(
    session: Session, *, actor: Actor, document_id: str, until: datetime | None
) -> DocumentRead:
    """Keep a document at least until `until` (None: no retention period)."""
    document = _destroyer(session, actor, document_id, "setting retention")
    before = document.retention_until
    document.retention_until = until
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_RETENTION_SET,
        subject_type=SUBJECT,
        subject_id=document.id,
        details={"before": before, "after": until},
    )
    return _done(session, document)


def destroy(
    session: Session, *, actor: Actor, vault: Vault, document_id: str, reason: str
) -> CertificateRead:
    """Crypto-shred a document: erase every data key now, delete the blobs after commit, and
    issue the destruction certificate (with an inclusion proof when a signing key is set)."""
    document = _destroyer(session, actor, document_id, "destroying a document")
    now = clock.now()
    if document.legal_hold:
        raise DestructionBlocked(
            f"document {document.id} is under legal hold ({document.legal_hold_reason}); "
            "release the hold first (`crownjewels vault release`)"
        )
    _not_kept(session, document, "it cannot be destroyed")
    if document.retention_until is not None and document.retention_until > now:
        raise DestructionBlocked(
            f"document {document.id} must be kept until {document.retention_until:%Y-%m-%d}; "
            "shorten its retention first (`crownjewels vault retain`) if it may go earlier"
        )
    rows = repository.versions(session, [document.id])
    versions: list[dict[str, Any]] = []
    for version, key in rows:
        versions.append(
            {
                "version": version.number,
                "sha256": version.sha256,
                "size": version.size,
                "media_type": version.media_type,
                "blob_id": version.blob_id,
                "kek_id": key.kek_id,
            }
        )
        key.wrapped, key.destroyed_at = None, now  # the shredding itself
    document.status, document.destroyed_at = DocumentStatus.DESTROYED.value, now
    session.flush()
    documents.destroyed(
        session,
        actor=actor,
        document=documents.DocumentDestroyed(
            document_id=document.id, owner_type=document.owner_type, owner_id=document.owner_id
        ),
    )
    seq, digest = custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_DESTROYED,
        subject_type=SUBJECT,
        subject_id=document.id,
        details={"reason": reason, "title": document.title, "versions": versions},
    )
    checkpoint_size = None
    if vault.signing_key is not None:
        checkpoint_size = checkpoints.create(session, actor=actor, key=vault.signing_key).tree_size
    cert = DestructionCertificate(
        document_id=document.id,
        owner_type=document.owner_type,
        owner_id=document.owner_id,
        title=document.title,
        reason=reason,
        destroyed_by=actor.ref,
        destroyed_at=now,
        versions={"versions": versions},
        custody_seq=seq,
        custody_hash=digest,
        checkpoint_size=checkpoint_size,
    )
    session.add(cert)
    session.flush()
    blob_ids = [v["blob_id"] for v in versions]

    def delete_blobs() -> None:
        # After commit: if this fails or the process dies first, the blobs left are ciphertext
        # whose keys no longer exist.
        for blob_id in blob_ids:
            vault.store.delete(blob_id)

    after_commit(session, delete_blobs)
    return _certificate(session, actor, cert)


def _certificate(session: Session, actor: Actor, cert: DestructionCertificate) -> CertificateRead:
    proof = checkpoints.prove(session, actor=actor, seq=cert.custody_seq)
    return CertificateRead(
        id=cert.id,
        document_id=cert.document_id,
        owner_type=cert.owner_type,
        owner_id=cert.owner_id,
        title=cert.title,
        reason=cert.reason,
        destroyed_by=cert.destroyed_by,
        destroyed_at=cert.destroyed_at,
        versions=list(cert.versions.get("versions", [])),
        custody_seq=cert.custody_seq,
        custody_hash=cert.custody_hash,
        checkpoint_size=cert.checkpoint_size,
        inclusion_proof=proof.model_dump(mode="json"),
    )


def certificate(session: Session, *, actor: Actor, document_id: str) -> CertificateRead:
    """The destruction certificate of a destroyed document, with a fresh inclusion proof."""
    document, _ = owned_document(session, actor, document_id)
    cert = repository.certificate(session, document.id)
    if cert is None:
        raise DocumentNotFound(f"document {document.id} has not been destroyed; no certificate")
    return _certificate(session, actor, cert)
