"""JSON API of registered copies: issue a marked copy of a document (the response is the file),
list the copies issued, identify a found file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, DbSession, attachment, require
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import body_limit
from crownjewels.disclosure import planting, service
from crownjewels.disclosure.schemas import Channel, CopyRead, CopyRequest, Identification

router = APIRouter(tags=["copies"])
Reader = Annotated[Actor, Depends(require(P.DOCUMENTS_READ))]
#: a found file is read whole into memory to look for marks
MAX_IDENTIFY_BYTES = 256 << 20


@router.post(
    "/documents/{document_id}/copies",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a registered, marked copy (the response is the file)",
    response_class=Response,
)
def issue(
    session: DbSession, actor: Reader, settings: AppSettings, document_id: str, body: CopyRequest
) -> Response:
    """The copy, marked for its recipient (default: the caller); X-Copy-Id names the copy and
    X-Copy-Marked says whether its type could carry a mark; with `plant`, X-Canary names the
    canary token planted in it. Recorded as COPY_ISSUED."""
    issuer = service.issuer(settings)
    issued = service.issue_copy(
        session,
        actor=actor,
        vault_=issuer.vault,
        key=issuer.key,
        document_id=document_id,
        purpose=body.purpose,
        channel=Channel.API,
        recipient=body.recipient,
        version=body.version,
        plant=planting.PlantRequest(body.plant, settings.resolved_canary_base_url())
        if body.plant
        else None,
    )
    copy = issued.copy
    headers = {
        "Content-Disposition": attachment(issued.filename),
        "X-Copy-Id": copy.id,
        "X-Copy-Marked": "true" if copy.marked else "false",
        "X-Content-SHA256": copy.sha256,
        "X-Document-Version": str(copy.version_number),
        "X-Content-Type-Options": "nosniff",
        **({"X-Canary": issued.canary} if issued.canary else {}),
    }
    return Response(issued.data, status_code=201, media_type=copy.media_type, headers=headers)


@router.get("/copies", response_model=list[CopyRead], summary="List registered copies")
def list_copies(
    session: DbSession,
    actor: Reader,
    secret: Annotated[str | None, Query(description="a secret's id or reference")] = None,
    document: Annotated[str | None, Query(description="a document id")] = None,
) -> list[CopyRead]:
    """The copies issued of documents the caller may see, newest first."""
    return service.list_copies(session, actor=actor, secret_ref=secret, document_id=document)


@router.get("/copies/{copy_id}", response_model=CopyRead, summary="Show a registered copy")
def get_copy(session: DbSession, actor: Reader, copy_id: str) -> CopyRead:
    """One copy: which version went to whom, when, how and why."""
    return service.get_copy(session, actor=actor, copy_id=copy_id)


@router.post("/identify", response_model=Identification, summary="Identify a found file")
@body_limit(MAX_IDENTIFY_BYTES)
def identify(
    session: DbSession,
    actor: Reader,
    settings: AppSettings,
    data: Annotated[bytes, Body(media_type="application/octet-stream")],
) -> Identification:
    """The body is the found file; the verdict names its copy and recipient, or says that no
    mark survives, that the marks are damaged, or that another installation made them."""
    return service.identify(
        session,
        actor=actor,
        key=service.issuer(settings).key,
        data=data,  # bounded at the edge: a larger body is a 413 (body_limit above)
    )
