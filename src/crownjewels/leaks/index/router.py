"""JSON API of the fingerprint index under /api/v1/leaks/index: its state, its sources, and
indexing (the queued versions, a secret's, or all)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, DbSession, Paging, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.leaks.index import service
from crownjewels.leaks.index.schemas import IndexReport, IndexStatus, SourceRead
from crownjewels.vault import service as vault_service

router = APIRouter(prefix="/leaks/index", tags=["leaks: fingerprint index"])
Reader = Annotated[Actor, Depends(require(P.LEAKS_READ))]
Manager = Annotated[Actor, Depends(require(P.LEAKS_MANAGE))]


class IndexIn(BaseModel):
    """What to fingerprint: the queued versions (default), one secret's, or all."""

    model_config = ConfigDict(extra="forbid")

    secret: str | None = Field(default=None, max_length=200, description="TS-0003")
    all: bool = False
    limit: int = Field(default=500, ge=1, le=10_000)


@router.get("", response_model=IndexStatus, summary="The fingerprint index at a glance")
def index_status(session: DbSession, actor: Reader) -> IndexStatus:
    """Sources by state, fingerprints, versions waiting, sources made with old parameters."""
    return service.status(session, actor=actor)


@router.get("/sources", response_model=Page[SourceRead], summary="Fingerprinted sources")
def sources(
    session: DbSession, actor: Reader, paging: Paging, secret: str | None = None
) -> Page[SourceRead]:
    """Each fingerprinted document version (and honey string), optionally of one secret."""
    rows, total = service.list_sources(session, actor=actor, secret_ref=secret, page=paging)
    return Page(items=rows, total=total, limit=paging.limit, offset=paging.offset)


@router.post("", response_model=IndexReport, summary="Fingerprint documents")
def index(session: DbSession, actor: Manager, settings: AppSettings, data: IndexIn) -> IndexReport:
    """The queued versions, or every version of a secret's documents (`secret`), or of every
    secret's (`all`)."""
    vault = vault_service.open_vault(settings)
    if data.secret or data.all:
        return service.reindex(session, actor=actor, vault=vault, secret_ref=data.secret)
    return service.index_pending(session, actor=actor, vault=vault, limit=data.limit)
