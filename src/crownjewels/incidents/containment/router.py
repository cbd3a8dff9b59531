"""JSON API of a case's containment under /api/v1/incidents/{ref}/containment: the preview,
the run (given the preview's digest), the reversal and the history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import CurrentActor, DbSession
from crownjewels.incidents.containment import service
from crownjewels.incidents.containment.schemas import (
    ContainmentPlan,
    ContainmentRead,
    ContainmentResult,
    ContainRequest,
    ReversalResult,
    ReverseRequest,
)
from crownjewels.incidents.guards import CaseReader, CaseRef

router = APIRouter(prefix="/incidents", tags=["incidents"])


def require_containing(session: DbSession, actor: CurrentActor, ref: CaseRef) -> Actor:
    """incidents:contain on a case the actor sees: one they cannot see is not found (404,
    never which), one they see without the permission is forbidden (403)."""
    service.may_contain(session, actor=actor, ref=ref)
    return actor


Container = Annotated[Actor, Depends(require_containing)]


@router.get(
    "/{ref}/containment/preview", response_model=ContainmentPlan, summary="Preview containment"
)
def preview(session: DbSession, actor: Container, ref: CaseRef) -> ContainmentPlan:
    """What containing the case would change now, kind by kind, with its one-line summary and
    the digest to run exactly this plan. Nothing is changed."""
    return service.plan(session, actor=actor, ref=ref)


@router.post(
    "/{ref}/containment",
    response_model=ContainmentResult,
    status_code=status.HTTP_201_CREATED,
    summary="Contain a case",
)
def contain(
    session: DbSession, actor: Container, ref: CaseRef, body: ContainRequest
) -> ContainmentResult:
    """Run the containment in one transaction, leaving out the kinds in `skip`; with
    `expected` (the preview's digest) it refuses with 409, changing nothing, when the plan
    changed since the preview."""
    return service.contain(
        session, actor=actor, ref=ref, skip=frozenset(body.skip), expected=body.expected
    )


@router.post(
    "/{ref}/containment/reverse", response_model=ReversalResult, summary="Reverse containment"
)
def reverse(
    session: DbSession, actor: Container, ref: CaseRef, body: ReverseRequest
) -> ReversalResult:
    """Undo the reversible changes of the case's containment; what stays (revoked tokens,
    ended sessions, compromised copies, changes made since) is listed with why."""
    return service.reverse(session, actor=actor, ref=ref, reason=body.reason)


@router.get(
    "/{ref}/containment", response_model=list[ContainmentRead], summary="List containment runs"
)
def history(session: DbSession, actor: CaseReader, ref: CaseRef) -> list[ContainmentRead]:
    """The case's containment runs, newest first, with what each changed and its reversal."""
    return service.history(session, actor=actor, ref=ref)
