"""Document queries, each scoped to the owners the actor may see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.vault import owners
from crownjewels.vault.models import DataKey, DestructionCertificate, Document, DocumentVersion

D = Document


def visible_to(actor: Actor) -> Select[Document]:
    """Documents the actor may see: those of owners whose capability lets it read their
    documents, and see the owner."""
    query = select(D)
    kinds = owners.kinds()
    scopes: list[ColumnElement[bool]] = []
    for owner_type, kind in kinds.items():
        if not kind.may_read(actor):
            continue
        ids = kind.visible_ids(actor)
        if ids is None:
            scopes.append(D.owner_type == owner_type)
        else:
            scopes.append(and_(D.owner_type == owner_type, D.owner_id.in_(ids.scalar_subquery())))
    # Owner types nobody registered (yet) are seen by whoever may read documents.
    if actor.can(Permission.DOCUMENTS_READ):
        scopes.append(D.owner_type.not_in(list(kinds)) if kinds else D.owner_type.is_not(None))
    return query.where(or_(*scopes)) if scopes else query.where(false())


def find(session: Session, actor: Actor, document_id: str) -> Document | None:
    """A visible document by id."""
    return session.scalar(visible_to(actor).where(D.id == document_id.strip()))


def listed(
    session: Session, actor: Actor, *, owner_type: str | None, owner_id: str | None
) -> list[Document]:
    """Visible documents, optionally of one owner, newest first."""
    query = visible_to(actor)
    if owner_type:
        query = query.where(D.owner_type == owner_type)
    if owner_id:
        query = query.where(D.owner_id == owner_id)
    return list(session.scalars(query.order_by(D.created_at.desc(), D.id.desc())))


def with_sha256(session: Session, actor: Actor, digest: str) -> list[Document]:
    """Visible documents one of whose versions has this plaintext SHA-256, oldest first."""
    matching = select(DocumentVersion.document_id).where(DocumentVersion.sha256 == digest)
    query = visible_to(actor).where(D.id.in_(matching.scalar_subquery()))
    return list(session.scalars(query.order_by(D.created_at, D.id)))


def versions(session: Session, document_ids: list[str]) -> list[tuple[DocumentVersion, DataKey]]:
    """The versions of some documents with their data keys, oldest first."""
    if not document_ids:
        return []
    query = (
        select(DocumentVersion, DataKey)
        .join(DataKey, DataKey.id == DocumentVersion.data_key_id)
        .where(DocumentVersion.document_id.in_(document_ids))
        .order_by(DocumentVersion.document_id, DocumentVersion.number)
    )
    return [(v, k) for v, k in session.execute(query).all()]


def version(
    session: Session, document_id: str, number: int
) -> tuple[DocumentVersion, DataKey] | None:
    """One version of a document with its data key."""
    row = session.execute(
        select(DocumentVersion, DataKey)
        .join(DataKey, DataKey.id == DocumentVersion.data_key_id)
        .where(DocumentVersion.document_id == document_id, DocumentVersion.number == number)
    ).first()
    return (row[0], row[1]) if row else None


def live_keys(session: Session) -> list[DataKey]:
    """Every data key not destroyed (rotation re-wraps them), locked for update."""
    query = select(DataKey).where(DataKey.wrapped.is_not(None)).order_by(DataKey.id)
    return list(session.scalars(query.with_for_update()))


def certificate(session: Session, document_id: str) -> DestructionCertificate | None:
    """The destruction certificate of a document, if it was destroyed."""
    return session.scalar(
        select(DestructionCertificate).where(DestructionCertificate.document_id == document_id)
    )


def known_blob_ids(session: Session, blob_ids: list[str]) -> set[str]:
    """Which of these blob ids belong to a version whose data key still exists (a shredded
    version's blob is left only when its deletion after the destroy failed)."""
    if not blob_ids:
        return set()
    query = (
        select(DocumentVersion.blob_id)
        .join(DataKey, DataKey.id == DocumentVersion.data_key_id)
        .where(DocumentVersion.blob_id.in_(blob_ids), DataKey.wrapped.is_not(None))
    )
    return set(session.scalars(query))


def personal_data(session: Session, document_id: str) -> tuple[bool, list[str]] | None:
    """A document's personal-data flag and data subjects' regions (None: no such document)."""
    row = session.execute(
        select(Document.personal_data, Document.data_subject_regions).where(
            Document.id == document_id
        )
    ).first()
    return (bool(row[0]), list(row[1] or [])) if row else None
