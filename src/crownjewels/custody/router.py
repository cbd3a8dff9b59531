"""JSON API of the custody log under /api/v1/custody."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, DbSession, Natural, Paging, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.custody import checkpoints, keys, labels, service, tsa
from crownjewels.custody.schemas import (
    CheckpointRead,
    ConsistencyProofRead,
    EventFilter,
    EventRead,
    InclusionProofRead,
    VerifyResult,
)

router = APIRouter(prefix="/custody", tags=["custody"])
Reader = Annotated[Actor, Depends(require(P.CUSTODY_READ))]
Verifier = Annotated[Actor, Depends(require(P.CUSTODY_VERIFY))]
Signer = Annotated[Actor, Depends(require(P.CUSTODY_SIGN))]


@router.get("/events", response_model=Page[EventRead], summary="List custody events")
def list_events(
    session: DbSession,
    actor: Reader,
    paging: Paging,
    subject: str | None = Query(
        default=None, description="a ref (TS-0001, AG-2026-001, VN-0001), an email, or TYPE:ID"
    ),
    by: str | None = Query(default=None, description="an email or a name, or the actor ref"),
    event_type: str | None = Query(default=None, alias="type"),
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[EventRead]:
    """Events newest first, filtered by subject, actor, type and time range."""
    subject_type, subject_id = labels.find(session, subject) if subject else (None, None)
    flt = EventFilter(
        subject_type=subject_type,
        subject_id=subject_id,
        actor=labels.find_actor(session, by) if by else None,
        event_type=event_type,
        since=since,
        until=until,
    )
    items, total = service.list_events(session, actor=actor, filters=flt, page=paging)
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/events/{seq}", response_model=EventRead, summary="Show one event")
def get_event(session: DbSession, actor: Reader, seq: Natural) -> EventRead:
    """One event by its sequence number."""
    return service.get_event(session, seq=seq)


@router.get("/verify", response_model=VerifyResult, summary="Verify the chain")
def verify(session: DbSession, actor: Verifier, settings: AppSettings) -> VerifyResult:
    """Recompute the whole chain and hold it against the newest signed checkpoint."""
    result = service.verify(session, actor=actor, public_key=keys.load_public_key(settings.home))
    service.record_verification(session, actor=actor, result=result)
    return result


@router.get("/checkpoints", response_model=Page[CheckpointRead], summary="List checkpoints")
def list_checkpoints(session: DbSession, actor: Reader, paging: Paging) -> Page[CheckpointRead]:
    """Signed checkpoints, largest tree first."""
    items, total = checkpoints.list_checkpoints(
        session, actor=actor, limit=paging.limit, offset=paging.offset
    )
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "/checkpoints", response_model=CheckpointRead, status_code=201, summary="Sign a checkpoint"
)
def create_checkpoint(session: DbSession, actor: Signer, settings: AppSettings) -> CheckpointRead:
    """Sign the tree as it stands now (records CHECKPOINT_SIGNED)."""
    key = keys.load_signing_key(settings.home)
    timestamper = tsa.TsaConfig.from_settings(settings)
    return checkpoints.create(session, actor=actor, key=key, timestamper=timestamper)


@router.get("/proofs/inclusion/{seq}", response_model=InclusionProofRead, summary="Inclusion proof")
def inclusion_proof(
    session: DbSession, actor: Reader, seq: Natural, size: Natural | None = None
) -> InclusionProofRead:
    """RFC 9162 audit path of one event; default size: the first checkpoint that holds it."""
    return checkpoints.prove(session, actor=actor, seq=seq, size=size)


@router.get("/proofs/consistency", response_model=ConsistencyProofRead, summary="Consistency proof")
def consistency_proof(
    session: DbSession, actor: Reader, old: Natural, new: Natural
) -> ConsistencyProofRead:
    """RFC 9162 consistency proof that the tree of `new` leaves extends that of `old`."""
    return checkpoints.consistency(session, actor=actor, old=old, new=new)
