"""JSON API of a case's evidence under /api/v1/incidents/{ref}/evidence: list and show items,
register one collected outside the system, record a hand-over, preserve the system's own
records, and the chain-of-custody form as a PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, DbSession, attachment, require
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents.evidence import preserve, service
from crownjewels.incidents.evidence.schemas import (
    EvidenceRead,
    EvidenceRegister,
    EvidenceSummary,
    HandoverCreate,
    PreserveRequest,
)
from crownjewels.incidents.guards import CaseRef
from crownjewels.vault import service as vault

router = APIRouter(prefix="/incidents", tags=["incidents"])
Reader = Annotated[Actor, Depends(require(P.INCIDENTS_READ))]
Writer = Annotated[Actor, Depends(require(P.INCIDENTS_WRITE))]
ItemRef = Annotated[str, Path(max_length=20, description="the evidence item: EV-0001")]


@router.get(
    "/{ref}/evidence", response_model=list[EvidenceSummary], summary="List a case's evidence"
)
def list_items(session: DbSession, actor: Reader, ref: CaseRef) -> list[EvidenceSummary]:
    """The case's evidence items, oldest first, with their custodian and hand-overs."""
    return service.list_items(session, actor=actor, ref=ref)


@router.post(
    "/{ref}/evidence",
    response_model=EvidenceRead,
    status_code=status.HTTP_201_CREATED,
    summary="Register an evidence item",
)
def register(
    session: DbSession, actor: Writer, ref: CaseRef, body: EvidenceRegister
) -> EvidenceRead:
    """An item collected outside the system, with its SHA-256, collection and storage."""
    return service.register(session, actor=actor, ref=ref, data=body)


@router.post(
    "/{ref}/evidence/preserve",
    response_model=list[EvidenceRead],
    status_code=status.HTTP_201_CREATED,
    summary="Preserve the system's records",
)
def preserve_records(
    session: DbSession, actor: Writer, settings: AppSettings, ref: CaseRef, body: PreserveRequest
) -> list[EvidenceRead]:
    """The case's evidence bundle, ledger snapshot and findings, kept in the vault under legal
    hold (the bundle needs custody:sign, the findings alerts:read)."""
    return preserve.preserve(
        session,
        actor=actor,
        ref=ref,
        request=body,
        vault_=vault.open_vault(settings),
        key=preserve.signing_key(settings.home),
    )


@router.get("/{ref}/evidence/{item}", response_model=EvidenceRead, summary="Show an item")
def get_item(session: DbSession, actor: Reader, ref: CaseRef, item: ItemRef) -> EvidenceRead:
    """One item with its chain of custody and the custody events that record it."""
    return service.get_item(session, actor=actor, ref=ref, item_ref=item)


@router.post(
    "/{ref}/evidence/{item}/handovers", response_model=EvidenceRead, summary="Record a hand-over"
)
def hand_over(
    session: DbSession, actor: Writer, ref: CaseRef, item: ItemRef, body: HandoverCreate
) -> EvidenceRead:
    """The item passes from its current custodian to the next."""
    return service.hand_over(session, actor=actor, ref=ref, item_ref=item, data=body)


@router.get(
    "/{ref}/evidence/{item}/form",
    response_class=Response,
    summary="The chain-of-custody form (PDF)",
    responses={200: {"content": {"application/pdf": {}}}},
)
def custody_form(session: DbSession, actor: Reader, ref: CaseRef, item: ItemRef) -> Response:
    """The item's chain-of-custody form with signature lines and its custody events."""
    name, data = service.form(session, actor=actor, ref=ref, item_ref=item)
    headers = {"Content-Disposition": attachment(name)}
    return Response(data, media_type="application/pdf", headers=headers)
