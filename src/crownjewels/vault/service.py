"""The vault's verbs for documents: add (streamed, encrypted while it uploads), add a version,
list, show. Reading is in `reading.py`; holds, retention and destruction in `lifecycle.py`;
key rotation in `keyring.py`. Every write records its custody event in the caller's transaction.

This is also the generic attachment service: any capability above registers its owner kind
(`owners.register`) and attaches evidence (certificates, signed NDAs) with `add_document`."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import archives, clock, documents
from crownjewels.core import search as core_search
from crownjewels.core.actor import Actor
from crownjewels.core.db import after_rollback
from crownjewels.core.errors import Conflict, Invalid
from crownjewels.core.ids import new_id
from crownjewels.core.permissions import Permission
from crownjewels.custody import keys as custody_keys
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.settings import Settings
from crownjewels.vault import owners, repository, uploads
from crownjewels.vault.blobs import BlobStore, blob_store
from crownjewels.vault.errors import DocumentDestroyed, DocumentNotFound
from crownjewels.vault.keyring import key_ring
from crownjewels.vault.keys import KeyRing
from crownjewels.vault.models import DataKey, Document, DocumentVersion
from crownjewels.vault.schemas import DocumentRead, DocumentStatus, Owner, VersionRead
from crownjewels.vault.stream import Reader, encrypted_size
from crownjewels.vault.uploads import Staged as Staged  # re-exported: what stage_upload returns

SUBJECT = "document"
#: what an upload is read from: anything with read(n) (a file, a request body)
Upload = Reader


@dataclass
class Vault:
    """What the document verbs need besides the session: where blobs go, the KEK ring, limits,
    and the checkpoint key (to prove a destruction against a fresh checkpoint)."""

    store: BlobStore
    keys: KeyRing
    segment_size: int = 1 << 20
    max_upload: int = 5 << 30
    zip_limits: archives.ArchiveLimits = archives.UPLOAD
    signing_key: Ed25519PrivateKey | None = None
    #: default retention in days by the owner's tier (an owner may name its own)
    retention_days: dict[str, int] = field(default_factory=dict)


def open_vault(settings: Settings) -> Vault:
    """The installation's vault as its settings describe it."""
    signing = (settings.home / custody_keys.PRIVATE_FILE).exists()
    return Vault(
        store=blob_store(settings),
        keys=key_ring(settings),
        segment_size=settings.vault_segment_size,
        max_upload=settings.vault_max_upload_bytes,
        signing_key=custody_keys.load_signing_key(settings.home) if signing else None,
        retention_days=dict(settings.vault_retention_days),
    )


def read_document(document: Document, rows: list[tuple[DocumentVersion, DataKey]]) -> DocumentRead:
    """A document row and its versions as shown to a reader."""
    versions = [
        VersionRead(
            id=v.id,
            number=v.number,
            sha256=v.sha256,
            size=v.size,
            media_type=v.media_type,
            filename=v.filename,
            legend=v.legend,
            uploaded_by=v.uploaded_by,
            created_at=v.created_at,
            encrypted_size=v.encrypted_size,
            kek_id=k.kek_id,
            shredded=k.wrapped is None,
        )
        for v, k in rows
        if v.document_id == document.id
    ]
    return DocumentRead(
        id=document.id,
        owner_type=document.owner_type,
        owner_id=document.owner_id,
        owner_label=document.owner_label,
        title=document.title,
        tier=document.tier,
        status=DocumentStatus(document.status),
        current_version=document.current_version,
        retention_until=document.retention_until,
        legal_hold=document.legal_hold,
        legal_hold_reason=document.legal_hold_reason,
        personal_data=document.personal_data,
        data_subject_regions=document.data_subject_regions,
        created_at=document.created_at,
        created_by=document.created_by,
        destroyed_at=document.destroyed_at,
        versions=versions,
    )


def stage_upload(vault: Vault, *, upload: Reader, document_id: str, number: int = 1) -> Staged:
    """Encrypt an upload into a new blob of this vault, with no transaction needed; hand the
    result to `add_document` or `add_version` (see `uploads.py`)."""
    return uploads.stage_upload(
        store=vault.store,
        keys=vault.keys,
        upload=upload,
        document_id=document_id,
        number=number,
        segment_size=vault.segment_size,
        max_size=vault.max_upload,
        zip_limits=vault.zip_limits,
    )


def _delete_on_rollback(session: Session, vault: Vault, staged: Staged) -> Staged:
    def forget_blob() -> None:
        vault.store.delete(staged.version_id)

    after_rollback(session, forget_blob)
    return staged


def _staged(
    session: Session, vault: Vault, upload: Reader | Staged, document_id: str, number: int
) -> Staged:
    """The upload staged now, or the one staged before (checked to be for this version)."""
    if not isinstance(upload, Staged):
        staged = stage_upload(vault, upload=upload, document_id=document_id, number=number)
        return _delete_on_rollback(session, vault, staged)
    if (upload.document_id, upload.number) != (document_id, number):
        raise Conflict(
            f"this upload was prepared as version {upload.number} of {upload.document_id}, but "
            f"the next is version {number} of {document_id} (another version was added while it "
            "uploaded); upload it again"
        )
    return upload


def check_upload(
    session: Session,
    *,
    actor: Actor,
    owner_type: str | None = None,
    owner_ref: str | None = None,
    document_id: str | None = None,
) -> tuple[str, int]:
    """Before an upload streams in: that the actor may add a document to this owner (or a
    version to this document); returns the document id and version number to stage it as."""
    actor.require(Permission.DOCUMENTS_WRITE, what="uploading")
    if document_id is not None:
        document, _ = owned_document(session, actor, document_id, write=True)
        require_active(document)
        return document.id, document.current_version + 1
    if not owner_type or not owner_ref:
        raise Invalid("name the owner (owner_type and owner) or the document")
    owners.kind(owner_type).resolve(session, actor, owner_ref, write=True)
    return new_id(), 1


def _add_version_rows(
    session: Session,
    *,
    actor: Actor,
    vault: Vault,
    document: Document,
    staged: Staged,
    legend: str,
    filename: str | None,
) -> DocumentVersion:
    key_row = DataKey(
        wrapped=staged.wrapped.to_bytes(), kek_id=staged.wrapped.key_id, context=staged.context
    )
    session.add(key_row)
    session.flush()
    version = DocumentVersion(
        id=staged.version_id,
        document_id=document.id,
        number=staged.number,
        sha256=staged.sha256,
        size=staged.size,
        media_type=staged.media_type,
        filename=(filename or "").strip()[:300] or None,
        legend=legend,
        uploaded_by=actor.ref,
        blob_id=staged.version_id,
        encrypted_size=encrypted_size(staged.size, vault.segment_size),
        segment_size=vault.segment_size,
        data_key_id=key_row.id,
    )
    session.add(version)
    document.current_version = staged.number
    session.flush()
    documents.stored(
        session,
        actor=actor,
        version=documents.VersionStored(
            document_id=document.id,
            version_number=version.number,
            owner_type=document.owner_type,
            owner_id=document.owner_id,
            media_type=version.media_type,
            filename=version.filename,
            sha256=version.sha256,
        ),
    )
    return version


def _version_details(version: DocumentVersion) -> dict[str, object]:
    return {
        "version": version.number,
        "sha256": version.sha256,
        "size": version.size,
        "media_type": version.media_type,
        "blob_id": version.blob_id,
    }


def add_document(
    session: Session,
    *,
    actor: Actor,
    vault: Vault,
    owner_type: str,
    owner_ref: str,
    title: str,
    upload: Reader | Staged,
    filename: str | None = None,
) -> DocumentRead:
    """Attach a new document to an owner the actor may change; version 1 is the upload (a
    stream, encrypted now, or an upload staged before the transaction)."""
    if isinstance(upload, Staged):
        _delete_on_rollback(session, vault, upload)
    actor.require(Permission.DOCUMENTS_WRITE, what="adding a document")
    owner = owners.kind(owner_type).resolve(session, actor, owner_ref, write=True)
    document = _add(session, actor, vault, owner, title, upload, filename)
    return read_document(document, repository.versions(session, [document.id]))


def preserve(
    session: Session,
    *,
    actor: Actor,
    vault: Vault,
    owner_type: str,
    owner_ref: str,
    title: str,
    content: bytes,
    filename: str,
    hold: str,
) -> DocumentRead:
    """Keep an artefact a capability made from its own records (an incident case's evidence
    bundle, ledger snapshot, findings) as a new document under legal hold from the start
    (DOCUMENT_ADDED, DOCUMENT_LEGAL_HOLD_SET). Nobody uploads it, so documents:write is not
    asked: the owner kind's write check decides who may; releasing the hold, and destroying
    the document, still need documents:destroy."""
    owner = owners.kind(owner_type).resolve(session, actor, owner_ref, write=True)
    document = _add(session, actor, vault, owner, title, io.BytesIO(content), filename)
    document.legal_hold, document.legal_hold_reason = True, hold.strip()
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_LEGAL_HOLD_SET,
        subject_type=SUBJECT,
        subject_id=document.id,
        details={"reason": document.legal_hold_reason},
    )
    return read_document(document, repository.versions(session, [document.id]))


def _add(
    session: Session,
    actor: Actor,
    vault: Vault,
    owner: Owner,
    title: str,
    upload: Reader | Staged,
    filename: str | None,
) -> Document:
    """Version 1 of a new document of an owner already resolved (DOCUMENT_ADDED)."""
    title = title.strip() or (filename or "").strip() or "untitled"
    document_id = upload.document_id if isinstance(upload, Staged) else new_id()
    staged = _staged(session, vault, upload, document_id, 1)
    now = clock.now()
    days = owner.retention_days or vault.retention_days.get(owner.tier or "")
    document = Document(
        id=document_id,
        owner_type=owner.owner_type,
        owner_id=owner.owner_id,
        owner_label=owner.label[:200],
        title=title[:300],
        tier=owner.tier,
        created_at=now,
        created_by=actor.ref,
        retention_until=now + timedelta(days=days) if days else None,
    )
    session.add(document)
    session.flush()
    version = _add_version_rows(
        session,
        actor=actor,
        vault=vault,
        document=document,
        staged=staged,
        legend=owner.legend,
        filename=filename,
    )
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_ADDED,
        subject_type=SUBJECT,
        subject_id=document.id,
        details={
            "owner_type": owner.owner_type,
            "owner_id": owner.owner_id,
            "title": document.title,
            "tier": owner.tier,
            "retention_until": document.retention_until,
            **_version_details(version),
        },
    )
    return document


def owned_document(
    session: Session, actor: Actor, document_id: str, *, write: bool = False
) -> tuple[Document, Owner | None]:
    """A visible document, and (with `write`) its owner, checked to be changeable by the actor."""
    document = repository.find(session, actor, document_id)
    if document is None:
        raise DocumentNotFound(
            f"no document {document_id!r}; `crownjewels vault list` shows the documents"
        )
    owner = None
    if write and document.owner_type in owners.kinds():
        owner = owners.kind(document.owner_type).resolve(
            session, actor, document.owner_id, write=True
        )
    return document, owner


def require_active(document: Document) -> None:
    """Refuse to touch the content of a destroyed document."""
    if document.status == DocumentStatus.DESTROYED:
        raise DocumentDestroyed(
            f"document {document.id} ({document.title}) was destroyed on "
            f"{document.destroyed_at:%Y-%m-%d}; its content is gone for good "
            f"(`crownjewels vault certificate {document.id}` shows the certificate)"
        )


def add_version(
    session: Session,
    *,
    actor: Actor,
    vault: Vault,
    document_id: str,
    upload: Reader | Staged,
    filename: str | None = None,
) -> DocumentRead:
    """Add a new version of a document; the legend is the owner's current one."""
    if isinstance(upload, Staged):
        _delete_on_rollback(session, vault, upload)
    actor.require(Permission.DOCUMENTS_WRITE, what="adding a version")
    document, owner = owned_document(session, actor, document_id, write=True)
    require_active(document)
    previous = repository.version(session, document.id, document.current_version)
    legend = owner.legend if owner else (previous[0].legend if previous else "")
    staged = _staged(session, vault, upload, document.id, document.current_version + 1)
    version = _add_version_rows(
        session,
        actor=actor,
        vault=vault,
        document=document,
        staged=staged,
        legend=legend,
        filename=filename,
    )
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_VERSION_ADDED,
        subject_type=SUBJECT,
        subject_id=document.id,
        details=_version_details(version),
    )
    return read_document(document, repository.versions(session, [document.id]))


def list_documents(
    session: Session,
    *,
    actor: Actor,
    owner_type: str | None = None,
    owner_ref: str | None = None,
) -> list[DocumentRead]:
    """Documents the actor may see, newest first; optionally those of one owner."""
    owner_id = None
    if owner_type and owner_ref:
        owner_id = owners.kind(owner_type).resolve(session, actor, owner_ref, write=False).owner_id
    docs = repository.listed(session, actor, owner_type=owner_type, owner_id=owner_id)
    rows = repository.versions(session, [d.id for d in docs])
    return [read_document(d, rows) for d in docs]


def get_document(session: Session, *, actor: Actor, document_id: str) -> DocumentRead:
    """One document with its versions."""
    document, _ = owned_document(session, actor, document_id)
    return read_document(document, repository.versions(session, [document.id]))


def originals_of(session: Session, *, actor: Actor, sha256: str) -> list[DocumentRead]:
    """The visible documents one of whose versions is byte for byte the file with this
    SHA-256 (its matching versions are those whose `sha256` equals it); oldest first."""
    digest = sha256.strip().lower()
    docs = repository.with_sha256(session, actor, digest)
    rows = repository.versions(session, [d.id for d in docs])
    return [read_document(d, rows) for d in docs]


def mark_personal_data(
    session: Session,
    *,
    actor: Actor,
    document_id: str,
    personal_data: bool,
    data_subject_regions: list[str],
) -> DocumentRead:
    """Flag a document as holding personal data (or not), with where its data subjects are
    (ISO 3166 alpha-2): the access transfer rule reads the flag when the document is asked for."""
    actor.require(Permission.DOCUMENTS_WRITE, what="flagging a document's personal data")
    document, _ = owned_document(session, actor, document_id, write=True)
    before = {"personal_data": document.personal_data, "regions": document.data_subject_regions}
    regions = sorted(set(data_subject_regions)) if personal_data else []
    document.personal_data, document.data_subject_regions = personal_data, regions
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_PERSONAL_DATA_SET,
        subject_type=SUBJECT,
        subject_id=document.id,
        details={"before": before, "after": {"personal_data": personal_data, "regions": regions}},
    )
    return read_document(document, repository.versions(session, [document.id]))


def personal_data_of(session: Session, *, document_id: str) -> tuple[bool, list[str]]:
    """Whether a document holds personal data, and its data subjects' regions (one query; a
    document that does not exist holds none)."""
    row = repository.personal_data(session, document_id)
    return (row[0], list(row[1])) if row else (False, [])


def search_documents(session: Session, *, actor: Actor, q: str) -> list[DocumentRead]:
    """Documents the actor may see: the id typed first, then titles containing the words
    (the global search)."""
    docs = core_search.matching(
        session,
        repository.visible_to(actor),
        exact=[Document.id],
        names=[Document.title],
        q=q,
        order=Document.title,
    )
    rows = repository.versions(session, [d.id for d in docs])
    return [read_document(d, rows) for d in docs]


def owners_of(session: Session, *, document_ids: set[str]) -> dict[str, tuple[str, str]]:
    """The owner (type, id) of each document, one query (monitoring: which secret a read
    document belongs to)."""
    if not document_ids:
        return {}
    query = select(Document.id, Document.owner_type, Document.owner_id).where(
        Document.id.in_(document_ids)
    )
    return {did: (kind, oid) for did, kind, oid in session.execute(query)}
