"""Pages of registered copies: a secret's documents with their versions, an upload form, a
"Download my copy" form that returns the watermarked file, the copies issued and who holds
each; and /identify, where a found file is uploaded and its verdict shown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden, Invalid
from crownjewels.core.forms import (
    PostedForm,
    discard,
    error_status,
    field_errors,
    flash,
    optional,
    redirect,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, attachment, require
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import FORM_FRAMING, body_limit
from crownjewels.disclosure import planting, service
from crownjewels.disclosure.schemas import Channel
from crownjewels.inventory import service as inventory
from crownjewels.settings import Settings
from crownjewels.vault import service as vault

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.DOCUMENTS_READ))]
Writer = Annotated[Actor, Depends(require(P.DOCUMENTS_WRITE))]
MAX_IDENTIFY_BYTES = 256 << 20


def _file(form: FormData, name: str) -> UploadFile:
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        raise Invalid("choose a file", field=name)
    return value


def _documents_page(
    request: Request,
    session: Session,
    actor: Actor,
    ref: str,
    *,
    status: int = 200,
    **forms: Any,
) -> Response:
    secret = inventory.get(session, actor=actor, secret_ref=ref)
    docs = vault.list_documents(session, actor=actor, owner_type="secret", owner_ref=secret.id)
    ctx = {
        "secret": secret,
        "documents": docs,
        # "Download my copy" is offered only where the access decision allows it
        "decisions": service.own_copy_decisions(
            session, actor=actor, secret=secret, documents=docs
        ),
        "copies": service.list_copies(session, actor=actor, secret_ref=secret.id),
        "may_upload": actor.can(P.DOCUMENTS_WRITE) and inventory.may_write(actor, secret),
        "upload_errors": {},
        "copy_errors": {},
        "copy_document": None,
        "values": {},
        **forms,
    }
    return render(request, "disclosure/documents.html", ctx, status=status)


@router.get("/secrets/{ref}/documents")
def documents(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """A secret's documents and versions, the copies issued and who holds each."""
    return _documents_page(request, session, actor, ref)


@router.post("/secrets/{ref}/documents")
@body_limit()
def upload(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Attach a file to the secret (encrypted into the vault), or a new version of a document."""
    secret = inventory.get(session, actor=actor, secret_ref=ref)
    try:
        upload = _file(form, "file")
        if document_id := optional(form, "document_id"):
            doc = vault.add_version(
                session,
                actor=actor,
                vault=vault.open_vault(settings),
                document_id=document_id,
                upload=upload.file,
                filename=upload.filename,
            )
        else:
            doc = vault.add_document(
                session,
                actor=actor,
                vault=vault.open_vault(settings),
                owner_type="secret",
                owner_ref=secret.id,
                title=text(form, "title"),
                upload=upload.file,
                filename=upload.filename,
            )
    except CrownJewelsError as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        return _documents_page(
            request,
            session,
            actor,
            ref,
            status=error_status(exc),
            upload_errors=field_errors(exc, fallback="file"),
            values=dict(form.items()),
        )
    flash(request, f"{doc.title} v{doc.current_version} is in the vault, encrypted.")
    return redirect(f"/secrets/{secret.ref}/documents")


def _plant(form: FormData, settings: Settings) -> planting.PlantRequest | None:
    """The canary the form asks to plant in the copy, if any."""
    kind = optional(form, "plant")
    return planting.PlantRequest(kind, settings.resolved_canary_base_url()) if kind else None


def copy_response(data: bytes, filename: str, headers: dict[str, str]) -> Response:
    """The copy as a download, under a file name that survives any characters (RFC 6266)."""
    return Response(data, headers={"Content-Disposition": attachment(filename), **headers})


@router.post("/secrets/{ref}/documents/{document_id}/copy")
def download_copy(
    request: Request,
    session: DbSession,
    actor: Reader,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
    document_id: str,
) -> Response:
    """Issue a registered copy for the logged-in user (or a named recipient) and send it,
    marked, as a download; a refused form comes back on the page."""
    issuer = service.issuer(settings)
    try:
        issued = service.issue_copy(
            session,
            actor=actor,
            vault_=issuer.vault,
            key=issuer.key,
            document_id=document_id,
            purpose=text(form, "purpose"),
            channel=Channel.WEB,
            recipient=optional(form, "recipient"),
            plant=_plant(form, settings),
        )
    except CrownJewelsError as exc:
        if isinstance(exc, Forbidden) or exc.status_code == 404:
            raise
        discard(session)
        return _documents_page(
            request,
            session,
            actor,
            ref,
            status=error_status(exc),
            copy_errors=field_errors(exc, fallback="purpose"),
            copy_document=document_id,
            values=dict(form.items()),
        )
    copy = issued.copy
    headers = {
        "Content-Type": copy.media_type,
        "X-Copy-Id": copy.id,
        "X-Copy-Marked": "true" if copy.marked else "false",
        "X-Content-Type-Options": "nosniff",
        **({"X-Canary": issued.canary} if issued.canary else {}),
    }
    return copy_response(issued.data, issued.filename, headers)


@router.get("/identify")
def identify_form(request: Request, actor: Reader) -> Response:
    """Upload a file found in the wild to learn whose copy it was."""
    return render(request, "disclosure/identify.html", {"result": None, "errors": {}})


@router.post("/identify")
@body_limit(MAX_IDENTIFY_BYTES + FORM_FRAMING)
def identify(
    request: Request, session: DbSession, actor: Reader, settings: AppSettings, form: PostedForm
) -> Response:
    """The verdict on the uploaded file: its copy, recipient and date, or why none is named."""
    try:
        found = _file(form, "file")
    except Invalid as exc:
        ctx: dict[str, Any] = {"result": None, "errors": field_errors(exc)}
        return render(request, "disclosure/identify.html", ctx, status=422)
    result = service.identify(
        session,
        actor=actor,
        key=service.issuer(settings).key,
        data=found.file.read(MAX_IDENTIFY_BYTES),
    )
    return render(
        request,
        "disclosure/identify.html",
        {"result": result, "filename": found.filename, "errors": {}},
    )
