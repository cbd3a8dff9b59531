"""JSON API of a case's legal side under /api/v1/incidents/{ref}: the letters the case calls for
with whom each goes to, a letter drafted as DOCX or PDF (a download) or as text (JSON with the
notes on what counsel must complete), and the legal steps (list, record).

A case the actor cannot see is not found (404, never which): its readers (incidents:read, its
team) list its letters and steps; drafting a letter and recording a step need incidents:write
(403)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, CurrentActor, DbSession, attachment, audited_read
from crownjewels.incidents.guards import CaseReader, CaseRef
from crownjewels.incidents.legal import service
from crownjewels.incidents.legal.schemas import (
    MEDIA_TYPES,
    LetterPreview,
    StepCreate,
    StepRead,
    TemplateRead,
)
from crownjewels.vault import service as vault

router = APIRouter(prefix="/incidents", tags=["incidents"])


def require_case_writer(session: DbSession, actor: CurrentActor, ref: CaseRef) -> Actor:
    """A reader of the case (else 404) who holds incidents:write (else 403)."""
    service.drafter(session, actor=actor, ref=ref)
    return actor


Writer = Annotated[Actor, Depends(require_case_writer)]
Key = Annotated[str, Path(max_length=40, description="the letter: cease-and-desist")]
Typed = Annotated[str | None, Query(max_length=200)]
EVERY = "every letter, not only those the case calls for"


@router.get("/{ref}/letters", response_model=list[TemplateRead], summary="List a case's letters")
def list_letters(
    session: DbSession,
    actor: CaseReader,
    settings: AppSettings,
    ref: CaseRef,
    everything: Annotated[bool, Query(alias="all", description=EVERY)] = False,
) -> list[TemplateRead]:
    """The letters the case calls for (with `all`, every letter), whom each goes to and the
    case's people, organisations and agreements to choose from."""
    return service.templates(
        session, actor=actor, ref=ref, tz=settings.timezone, everything=everything
    )


@router.get(
    "/{ref}/letters/{template}",
    response_class=Response,
    summary="Draft a letter",
    responses={
        200: {
            "model": LetterPreview,
            "content": {MEDIA_TYPES["docx"]: {}, MEDIA_TYPES["pdf"]: {}},
            "description": "the letter as a file; its text and notes as JSON for format=text",
        }
    },
)
@audited_read
def draft_letter(
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    ref: CaseRef,
    template: Key,
    recipient: Typed = None,
    agreement: Annotated[str | None, Query(max_length=40)] = None,
    fmt: Annotated[Literal["docx", "pdf", "text"], Query(alias="format")] = "docx",
    respond_by: date | None = None,
) -> Response:
    """Draft the letter from the case's records (INCIDENT_LETTER_GENERATED with its hash)."""
    opened = vault.open_vault(settings)
    tz, company = settings.timezone, settings.company_name
    if fmt == "text":
        shown = service.preview(
            session, actor=actor, ref=ref, template=template, recipient=recipient,
            agreement=agreement, tz=tz, company=company, respond_by=respond_by, vault_=opened,
        )  # fmt: skip
        return Response(shown.model_dump_json(), media_type="application/json")
    name, media_type, data = service.generate(
        session, actor=actor, ref=ref, template=template, recipient=recipient,
        agreement=agreement, fmt=fmt, tz=tz, company=company, respond_by=respond_by,
        vault_=opened,
    )  # fmt: skip
    return Response(data, media_type=media_type, headers={"Content-Disposition": attachment(name)})


@router.get("/{ref}/legal-steps", response_model=list[StepRead], summary="List legal steps")
def list_steps(session: DbSession, actor: CaseReader, ref: CaseRef) -> list[StepRead]:
    """The case's legal steps in the order they were taken."""
    return service.steps(session, actor=actor, ref=ref)


@router.post(
    "/{ref}/legal-steps",
    response_model=StepRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a legal step",
)
def record_step(session: DbSession, actor: Writer, ref: CaseRef, body: StepCreate) -> StepRead:
    """A legal step taken (counsel engaged, letter sent, TRO applied for …), not in the future."""
    return service.record_step(session, actor=actor, ref=ref, data=body)
