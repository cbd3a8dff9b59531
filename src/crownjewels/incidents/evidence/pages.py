"""Pages of a case's evidence: /incidents/IN-0001/evidence (the items with their custodian, the
form to register an item collected outside the system, and the one to preserve the system's
records) and /incidents/IN-0001/evidence/EV-0001 (the item, its chain of custody with the
custody event of each row, the hand-over form, the chain-of-custody PDF and, for a preserved
artefact, its download from the vault)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Invalid
from crownjewels.core.forms import PostedForm, flash, flash_refusal, redirect, render, text
from crownjewels.core.http import AppSettings, DbSession, attachment, audited_read, require
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents import service as cases
from crownjewels.incidents.evidence import preserve, service
from crownjewels.incidents.evidence.schemas import (
    KIND_WORDS,
    PRESERVABLE,
    EvidenceKind,
    EvidenceRegister,
    HandoverCreate,
    PreserveRequest,
)
from crownjewels.vault import service as vault

router = APIRouter(prefix="/incidents", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.INCIDENTS_READ))]
Writer = Annotated[Actor, Depends(require(P.INCIDENTS_WRITE))]


def _url(ref: str, item: str = "", anchor: str = "") -> str:
    path = f"/incidents/{ref.strip().upper()}/evidence"
    if item:
        path += f"/{item.strip().upper()}"
    return path + (f"#{anchor}" if anchor else "")


def _done(request: Request, session: Session, back: str, action: Callable[[], str]) -> Response:
    """Run one change from a form: a flash of what was done, or of why it was refused."""
    try:
        message = action()
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return redirect(back)
    flash(request, message)
    return redirect(back)


@router.get("/{ref}/evidence")
def evidence_page(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """The case's evidence with the forms to register and preserve."""
    case = cases.get(session, actor=actor, ref=ref)
    ctx = {
        "case": case,
        "items": service.list_items(session, actor=actor, ref=ref),
        "may_write": actor.can(P.INCIDENTS_WRITE) and case.is_open,
        "kinds": [(k.value, KIND_WORDS[k]) for k in PRESERVABLE],
    }
    return render(request, "incidents/evidence/list.html", ctx)


def _file(form: FormData) -> UploadFile | None:
    value = form.get("file")
    return value if isinstance(value, UploadFile) and value.filename else None


def _register(session: Session, actor: Actor, ref: str, form: FormData) -> str:
    data = EvidenceRegister.model_validate(
        {
            name: text(form, name) or None
            for name in (
                "description",
                "sha256",
                "size",
                "collected_by",
                "collected_at",
                "collected_where",
                "stored_at",
                "custodian",
            )
        }
        | {"collected_where": text(form, "collected_where")}
    )
    upload = _file(form)
    computed = service.digest(upload.file) if upload is not None else None
    done = service.register(session, actor=actor, ref=ref, data=data, computed=computed)
    how = " (computed from the file)" if computed else ""
    return f"{done.ref} is registered with SHA-256 {done.sha256}{how}; {done.custodian} holds it."


@router.post("/{ref}/evidence")
def register(
    request: Request, session: DbSession, actor: Writer, ref: str, form: PostedForm
) -> Response:
    """Register an item collected outside the system (its hash typed or computed)."""
    return _done(
        request, session, _url(ref, anchor="register"), lambda: _register(session, actor, ref, form)
    )


def _preserve(
    session: Session, actor: Actor, settings: AppSettings, ref: str, form: FormData
) -> str:
    kinds = [str(v) for v in form.getlist("kinds") if isinstance(v, str)]
    if not kinds:
        raise Invalid("tick what to preserve", field="kinds")
    wanted = PreserveRequest.model_validate({"kinds": kinds, "note": text(form, "note")})
    made = preserve.preserve(
        session,
        actor=actor,
        ref=ref,
        request=wanted,
        vault_=vault.open_vault(settings),
        key=preserve.signing_key(settings.home),
    )
    listed = ", ".join(f"{m.ref} ({m.kind_words})" for m in made)
    return f"Preserved {listed}: kept in the vault under legal hold."


@router.post("/{ref}/evidence/preserve")
def preserve_records(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    ref: str,
    form: PostedForm,
) -> Response:
    """Preserve the case's bundle, ledger snapshot and findings (those ticked)."""
    return _done(
        request,
        session,
        _url(ref, anchor="items"),
        lambda: _preserve(session, actor, settings, ref, form),
    )


@router.get("/{ref}/evidence/{item}")
def item_page(request: Request, session: DbSession, actor: Reader, ref: str, item: str) -> Response:
    """One item with its chain of custody and the hand-over form."""
    found = service.get_item(session, actor=actor, ref=ref, item_ref=item)
    ctx = {
        "item": found,
        "may_write": actor.can(P.INCIDENTS_WRITE),
        "external": found.kind == EvidenceKind.EXTERNAL,
    }
    return render(request, "incidents/evidence/item.html", ctx)


def _hand_over(session: Session, actor: Actor, ref: str, item: str, form: FormData) -> str:
    data = HandoverCreate.model_validate(
        {
            name: text(form, name)
            for name in ("from_custodian", "to_custodian", "handed_at", "purpose", "stored_at")
        }
    )
    done = service.hand_over(session, actor=actor, ref=ref, item_ref=item, data=data)
    return f"{done.ref} passed to {done.custodian}; it is kept at {done.stored_at}."


@router.post("/{ref}/evidence/{item}/handovers")
def hand_over(
    request: Request, session: DbSession, actor: Writer, ref: str, item: str, form: PostedForm
) -> Response:
    """Record a hand-over of the item."""
    return _done(
        request,
        session,
        _url(ref, item, "handovers"),
        lambda: _hand_over(session, actor, ref, item, form),
    )


@router.get("/{ref}/evidence/{item}/form")
def custody_form(session: DbSession, actor: Reader, ref: str, item: str) -> Response:
    """The chain-of-custody form as a PDF."""
    name, data = service.form(session, actor=actor, ref=ref, item_ref=item)
    headers = {"Content-Disposition": attachment(name)}
    return Response(data, media_type="application/pdf", headers=headers)


@router.get("/{ref}/evidence/{item}/download")
@audited_read
def download(
    session: DbSession, actor: Reader, settings: AppSettings, ref: str, item: str
) -> Response:
    """The preserved artefact, decrypted from the vault (a DOCUMENT_READ custody event)."""
    meta, chunks = service.stream_artefact(
        session, actor=actor, ref=ref, item_ref=item, vault_=vault.open_vault(settings)
    )
    first = next(chunks, b"")  # damage in the first segment is an error page, not a cut file
    headers = {
        "Content-Disposition": attachment(meta.filename or f"{item.upper()}.bin"),
        "Content-Length": str(meta.size),
        "X-Content-SHA256": meta.sha256,
        "X-Content-Type-Options": "nosniff",
    }
    body = itertools.chain([first], chunks)
    return StreamingResponse(body, media_type=meta.media_type, headers=headers)
