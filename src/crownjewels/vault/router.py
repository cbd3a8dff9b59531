"""JSON API of the vault under /api/v1/documents. Uploads are the raw request body, read as it
arrives (never buffered whole); downloads stream segment by segment as each authenticates."""

from __future__ import annotations

import itertools
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.responses import StreamingResponse

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.http import (
    AppSettings,
    CurrentActor,
    DbSession,
    Natural,
    attachment,
    audited_read,
    require,
)
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import body_limit, staged_upload
from crownjewels.vault import lifecycle, owners, reading, service
from crownjewels.vault.schemas import (
    CertificateRead,
    DestroyRequest,
    DocumentRead,
    HoldSet,
    PersonalDataSet,
    RetentionSet,
)

router = APIRouter(prefix="/documents", tags=["documents"])
Reader = Annotated[Actor, Depends(require(P.DOCUMENTS_READ))]
Writer = Annotated[Actor, Depends(require(P.DOCUMENTS_WRITE))]


def require_reading_some_documents(actor: CurrentActor) -> Actor:
    """One document is read with documents:read or by its owner kind's own rule (a vendor
    manager reads the certificates and agreements it files); it must then be visible (404)."""
    if not owners.may_read_any(actor):
        raise Forbidden(
            "this needs the documents:read permission; ask an admin for a role that has it"
        )
    return actor


OneReader = Annotated[Actor, Depends(require_reading_some_documents)]
Destroyer = Annotated[Actor, Depends(require(P.DOCUMENTS_DESTROY))]
FilenameHeader = Header(default=None, alias="X-Filename", max_length=300)


def _vault(settings: AppSettings) -> service.Vault:
    return service.open_vault(settings)


VaultDep = Annotated[service.Vault, Depends(_vault)]


@router.get("", response_model=list[DocumentRead], summary="List documents")
def list_documents(
    session: DbSession,
    actor: Reader,
    owner_type: str | None = Query(default=None, description="e.g. secret"),
    owner: str | None = Query(default=None, description="the owner's id or reference"),
) -> list[DocumentRead]:
    """Documents the caller may see; `owner_type` + `owner` narrow to one owner."""
    return service.list_documents(session, actor=actor, owner_type=owner_type, owner_ref=owner)


@router.post(
    "",
    response_model=DocumentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a document (raw body)",
)
@body_limit()
def upload(
    request: Request,
    session: DbSession,
    actor: Writer,
    vault: VaultDep,
    owner_type: Annotated[str, Query(description="e.g. secret")],
    owner: Annotated[str, Query(description="the owner's id or reference, e.g. TS-0001")],
    title: Annotated[str, Query(max_length=300)] = "",
    filename: str | None = FilenameHeader,
) -> DocumentRead:
    """The body is the file itself (any Content-Type), encrypted while it arrives; its media
    type is taken from its content."""
    document_id, number = service.check_upload(
        session, actor=actor, owner_type=owner_type, owner_ref=owner
    )
    return staged_upload(
        request,
        session,
        stage=lambda body: service.stage_upload(
            vault, upload=body, document_id=document_id, number=number
        ),
        write=lambda write, staged: service.add_document(
            write,
            actor=actor,
            vault=vault,
            owner_type=owner_type,
            owner_ref=owner,
            title=title,
            upload=staged,
            filename=filename,
        ),
    )


@router.get("/{document_id}", response_model=DocumentRead, summary="Show a document")
def get(session: DbSession, actor: OneReader, document_id: str) -> DocumentRead:
    """One document and its versions (metadata only)."""
    return service.get_document(session, actor=actor, document_id=document_id)


@router.post(
    "/{document_id}/versions",
    response_model=DocumentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a new version (raw body)",
)
@body_limit()
def add_version(
    request: Request,
    session: DbSession,
    actor: Writer,
    vault: VaultDep,
    document_id: str,
    filename: str | None = FilenameHeader,
) -> DocumentRead:
    """A new version of the document, from the raw body."""
    doc_id, number = service.check_upload(session, actor=actor, document_id=document_id)
    return staged_upload(
        request,
        session,
        stage=lambda body: service.stage_upload(
            vault, upload=body, document_id=doc_id, number=number
        ),
        write=lambda write, staged: service.add_version(
            write,
            actor=actor,
            vault=vault,
            document_id=document_id,
            upload=staged,
            filename=filename,
        ),
    )


@router.get("/{document_id}/content", summary="Download (decrypt) a version")
@audited_read
def download(
    session: DbSession,
    actor: OneReader,
    vault: VaultDep,
    document_id: str,
    version: Annotated[Natural | None, Query(ge=1)] = None,
) -> StreamingResponse:
    """The plaintext, streamed as each segment authenticates; a damaged blob aborts the
    transfer (the Content-Length promises the full size). Recorded as DOCUMENT_READ."""
    meta, chunks = reading.stream_version(
        session, actor=actor, vault=vault, document_id=document_id, version=version
    )
    # The first segment is authenticated before the response starts: damage there (and in any
    # one-segment document) is a clean problem+json error instead of an aborted transfer.
    first = next(chunks, b"")
    headers = {
        "Content-Length": str(meta.size),
        "X-Content-SHA256": meta.sha256,
        "X-Document-Version": str(meta.number),
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": attachment(meta.filename or "document"),
    }
    body = itertools.chain([first], chunks)
    return StreamingResponse(body, media_type=meta.media_type, headers=headers)


@router.put(
    "/{document_id}/personal-data",
    response_model=DocumentRead,
    summary="Flag a document's personal data",
)
def personal_data(
    session: DbSession, actor: Writer, document_id: str, body: PersonalDataSet
) -> DocumentRead:
    """Whether the document holds personal data and where its data subjects are: the access
    transfer rule reads the flag when the document is asked for."""
    return service.mark_personal_data(
        session,
        actor=actor,
        document_id=document_id,
        personal_data=body.personal_data,
        data_subject_regions=body.data_subject_regions,
    )


@router.post("/{document_id}/hold", response_model=DocumentRead, summary="Set a legal hold")
def hold(session: DbSession, actor: Destroyer, document_id: str, body: HoldSet) -> DocumentRead:
    """Block destruction until the hold is released."""
    return lifecycle.set_hold(session, actor=actor, document_id=document_id, reason=body.reason)


@router.delete("/{document_id}/hold", response_model=DocumentRead, summary="Release a hold")
def release(session: DbSession, actor: Destroyer, document_id: str) -> DocumentRead:
    """Release the legal hold."""
    return lifecycle.release_hold(session, actor=actor, document_id=document_id)


@router.put("/{document_id}/retention", response_model=DocumentRead, summary="Set retention")
def retain(
    session: DbSession, actor: Destroyer, document_id: str, body: RetentionSet
) -> DocumentRead:
    """Keep the document until a date (null: no retention period)."""
    return lifecycle.set_retention(
        session, actor=actor, document_id=document_id, until=body.retention_until
    )


@router.post(
    "/{document_id}/destroy", response_model=CertificateRead, summary="Destroy (crypto-shred)"
)
def destroy(
    session: DbSession, actor: Destroyer, vault: VaultDep, document_id: str, body: DestroyRequest
) -> CertificateRead:
    """Erase every version's data key, delete the blobs, return the destruction certificate."""
    return lifecycle.destroy(
        session, actor=actor, vault=vault, document_id=document_id, reason=body.reason
    )


@router.get(
    "/{document_id}/certificate", response_model=CertificateRead, summary="Destruction certificate"
)
def certificate(session: DbSession, actor: Reader, document_id: str) -> CertificateRead:
    """The certificate of a destroyed document with an inclusion proof of its custody event."""
    return lifecycle.certificate(session, actor=actor, document_id=document_id)
