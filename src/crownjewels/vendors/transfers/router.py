"""JSON API of a vendor's transfer mechanisms and transfer impact assessments under
/api/v1/vendors/{ref}/transfers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.vendors.transfers import service
from crownjewels.vendors.transfers.schemas import (
    MechanismCreate,
    MechanismRead,
    Revocation,
    TiaCreate,
    TiaRead,
    TransfersRead,
)

router = APIRouter(prefix="/vendors", tags=["vendors"])
Reader = Annotated[Actor, Depends(require(P.VENDORS_READ))]
Writer = Annotated[Actor, Depends(require(P.VENDORS_WRITE))]


@router.get(
    "/{vendor_ref}/transfers",
    response_model=TransfersRead,
    summary="A vendor's transfer mechanisms and assessments",
)
def list_transfers(session: DbSession, actor: Reader, vendor_ref: str) -> TransfersRead:
    """Every mechanism and transfer impact assessment recorded with the vendor, revoked ones
    included, each mechanism with its state today."""
    return service.transfers(session, actor=actor, vendor_ref=vendor_ref)


@router.post(
    "/{vendor_ref}/transfers/mechanisms",
    response_model=MechanismRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a transfer mechanism",
)
def record_mechanism(
    session: DbSession, actor: Writer, vendor_ref: str, body: MechanismCreate
) -> MechanismRead:
    """SCCs (with their module), an IDTA or UK Addendum, BCRs, a derogation (with its
    ground), a China mechanism (a standard contract with its filing date) or a confirmed
    adequacy condition, for one origin regime and the destinations it covers."""
    return service.record_mechanism(session, actor=actor, vendor_ref=vendor_ref, data=body)


@router.post(
    "/{vendor_ref}/transfers/mechanisms/{mechanism_id}/revoke",
    response_model=MechanismRead,
    summary="Revoke a transfer mechanism",
)
def revoke_mechanism(
    session: DbSession, actor: Writer, vendor_ref: str, mechanism_id: str, body: Revocation
) -> MechanismRead:
    """The mechanism no longer admits transfers; the record stays, with the reason."""
    return service.revoke_mechanism(
        session, actor=actor, vendor_ref=vendor_ref, mechanism_id=mechanism_id, reason=body.reason
    )


@router.post(
    "/{vendor_ref}/transfers/assessments",
    response_model=TiaRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a transfer impact assessment",
)
def record_assessment(
    session: DbSession, actor: Writer, vendor_ref: str, body: TiaCreate
) -> TiaRead:
    """A transfer impact assessment of one destination for one origin regime."""
    return service.record_assessment(session, actor=actor, vendor_ref=vendor_ref, data=body)


@router.post(
    "/{vendor_ref}/transfers/assessments/{assessment_id}/revoke",
    response_model=TiaRead,
    summary="Revoke a transfer impact assessment",
)
def revoke_assessment(
    session: DbSession, actor: Writer, vendor_ref: str, assessment_id: str, body: Revocation
) -> TiaRead:
    """The assessment no longer counts (superseded, or the destination's law changed)."""
    return service.revoke_assessment(
        session,
        actor=actor,
        vendor_ref=vendor_ref,
        assessment_id=assessment_id,
        reason=body.reason,
    )
