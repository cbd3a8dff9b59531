"""JSON API of canary tokens under /api/v1/leaks/tokens: list (per secret), plant, show with
hits, download a document token's file, retire."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, DbSession, attachment, require
from crownjewels.core.permissions import Permission as P
from crownjewels.leaks.canary import service
from crownjewels.leaks.canary.schemas import TokenCreate, TokenDetail, TokenRead
from crownjewels.leaks.schemas import TokenKind, TokenStatus

router = APIRouter(prefix="/leaks/tokens", tags=["leaks: canary tokens"])
Reader = Annotated[Actor, Depends(require(P.LEAKS_READ))]
Manager = Annotated[Actor, Depends(require(P.LEAKS_MANAGE))]


class RetireIn(BaseModel):
    """Why the token stops alerting."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


@router.get("", response_model=list[TokenRead], summary="List canary tokens")
def list_tokens(
    session: DbSession,
    actor: Reader,
    settings: AppSettings,
    secret: Annotated[str | None, Query(description="a secret's ref, e.g. TS-0003")] = None,
    status: TokenStatus | None = None,
    kind: TokenKind | None = None,
) -> list[TokenRead]:
    """Every token (or a secret's), newest first, with its hits count and URL."""
    return service.list_tokens(
        session,
        actor=actor,
        base_url=settings.resolved_canary_base_url(),
        secret_ref=secret,
        status=status,
        kind=kind,
    )


@router.post(
    "",
    response_model=TokenRead,
    status_code=status.HTTP_201_CREATED,
    summary="Plant a canary token",
)
def plant(
    session: DbSession, actor: Manager, settings: AppSettings, data: TokenCreate
) -> TokenRead:
    """A URL, image, DOCX, PDF or honey token for a secret; a document token's file is at
    /leaks/tokens/{ref}/file."""
    return service.plant(
        session, actor=actor, data=data, base_url=settings.resolved_canary_base_url()
    )


@router.get("/{ref}", response_model=TokenDetail, summary="One canary token with its hits")
def show(session: DbSession, actor: Reader, settings: AppSettings, ref: str) -> TokenDetail:
    """The token and each time it fired (time, address, user agent, referrer)."""
    return service.get_token(
        session, actor=actor, ref=ref, base_url=settings.resolved_canary_base_url()
    )


@router.get(
    "/{ref}/file",
    response_class=Response,
    summary="The file of a DOCX, PDF or honey token",
)
def file(session: DbSession, actor: Manager, settings: AppSettings, ref: str) -> Response:
    """The document to put where the trap should be (made afresh, same URL)."""
    made = service.artefact(
        session, actor=actor, ref=ref, base_url=settings.resolved_canary_base_url()
    )
    headers = {"Content-Disposition": attachment(made.filename)}
    return Response(made.data, media_type=made.media_type, headers=headers)


@router.post("/{ref}/retire", response_model=TokenRead, summary="Retire a canary token")
def retire(
    session: DbSession, actor: Manager, settings: AppSettings, ref: str, data: RetireIn
) -> TokenRead:
    """The token stops alerting; its callback still answers like any other."""
    return service.retire(
        session,
        actor=actor,
        ref=ref,
        reason=data.reason,
        base_url=settings.resolved_canary_base_url(),
    )
