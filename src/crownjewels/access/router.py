"""JSON API of need-to-know access under /api/v1/access: request, list and show grants; approve,
deny, suspend, resume and revoke them; ask whether a person may take an action on a secret now
(every failed rule in plain words), who can reach a secret and what a person can reach."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from crownjewels.access import decision as policy
from crownjewels.access import service
from crownjewels.access.engine import PolicyEngine, policy_engine
from crownjewels.access.facts import Level
from crownjewels.access.rules import GrantStatus
from crownjewels.access.schemas import Decision, GrantDecision, GrantFilter, GrantRead, GrantRequest
from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, DbSession, require
from crownjewels.core.permissions import Permission as P

router = APIRouter(prefix="/access", tags=["access"])
#: the service scopes what each may see: owners their own secrets' grants, requesters theirs
Viewer = Annotated[
    Actor, Depends(require(P.GRANTS_READ, P.GRANTS_REQUEST, P.GRANTS_DECIDE, P.GRANTS_MANAGE))
]
Reader = Annotated[Actor, Depends(require(P.GRANTS_READ))]
Requester = Annotated[Actor, Depends(require(P.GRANTS_REQUEST))]
Decider = Annotated[Actor, Depends(require(P.GRANTS_DECIDE))]
#: owners may revoke their own secrets' grants without grants:manage (the service checks)
Manager = Annotated[Actor, Depends(require(P.GRANTS_MANAGE, P.GRANTS_DECIDE))]


def _engine(settings: AppSettings) -> PolicyEngine:
    return policy_engine(settings)


Engine = Annotated[PolicyEngine, Depends(_engine)]


class StatusChange(BaseModel):
    """The reason of a suspension, resumption or revocation."""

    reason: str = Field(min_length=3, max_length=2000)


class Denial(BaseModel):
    """The reason of a denial."""

    reason: str = Field(min_length=3, max_length=2000)


@router.get("/grants", response_model=list[GrantRead], summary="List grants")
def list_grants(
    session: DbSession,
    actor: Viewer,
    secret: str | None = Query(default=None, max_length=200),
    person: str | None = Query(default=None, max_length=320),
    organisation: str | None = Query(default=None, max_length=320),
    status_: GrantStatus | None = Query(default=None, alias="status"),
) -> list[GrantRead]:
    """The grants the caller may see, newest first."""
    flt = GrantFilter(secret=secret, person=person, organisation=organisation, status=status_)
    return service.list_grants(session, actor=actor, filters=flt)


@router.post(
    "/grants",
    response_model=GrantRead,
    status_code=status.HTTP_201_CREATED,
    summary="Request a grant",
)
def request_grant(session: DbSession, actor: Requester, body: GrantRequest) -> GrantRead:
    """Ask for access: a person or organisation, a secret, a level, a purpose and an expiry."""
    return service.request_grant(session, actor=actor, data=body)


@router.get("/grants/{ref}", response_model=GrantRead, summary="Show a grant")
def show(session: DbSession, actor: Viewer, ref: str) -> GrantRead:
    """One grant with its approvals."""
    return service.get(session, actor=actor, grant_ref=ref)


@router.post("/grants/{ref}/approve", response_model=GrantRead, summary="Approve a grant")
def approve(
    session: DbSession, actor: Decider, engine: Engine, ref: str, body: GrantDecision | None = None
) -> GrantRead:
    """One approval; the last one needed makes the grant live if every other rule holds."""
    note = body.note if body else None
    return service.approve(session, actor=actor, grant_ref=ref, note=note, engine=engine)


@router.post("/grants/{ref}/deny", response_model=GrantRead, summary="Deny a grant")
def deny(session: DbSession, actor: Decider, ref: str, body: Denial) -> GrantRead:
    """Deny a requested grant with a reason."""
    return service.deny(session, actor=actor, grant_ref=ref, reason=body.reason)


def _change(
    session: DbSession, actor: Actor, engine: PolicyEngine, ref: str, to: GrantStatus, why: str
) -> GrantRead:
    return service.change_status(
        session, actor=actor, grant_ref=ref, status=to, reason=why, engine=engine
    )


@router.post("/grants/{ref}/suspend", response_model=GrantRead, summary="Suspend a grant")
def suspend(
    session: DbSession, actor: Manager, engine: Engine, ref: str, body: StatusChange
) -> GrantRead:
    """Suspend a live grant (and its member grants)."""
    return _change(session, actor, engine, ref, GrantStatus.SUSPENDED, body.reason)


@router.post("/grants/{ref}/resume", response_model=GrantRead, summary="Resume a grant")
def resume(
    session: DbSession, actor: Manager, engine: Engine, ref: str, body: StatusChange
) -> GrantRead:
    """Resume a suspended grant; every rule is checked again."""
    return _change(session, actor, engine, ref, GrantStatus.ACTIVE, body.reason)


@router.post("/grants/{ref}/revoke", response_model=GrantRead, summary="Revoke a grant")
def revoke(
    session: DbSession, actor: Manager, engine: Engine, ref: str, body: StatusChange
) -> GrantRead:
    """Revoke a grant for good."""
    return _change(session, actor, engine, ref, GrantStatus.REVOKED, body.reason)


@router.get("/check", response_model=Decision, summary="May a person take an action now?")
def check(
    session: DbSession,
    actor: Reader,
    engine: Engine,
    person: str = Query(max_length=320),
    secret: str = Query(max_length=200),
    action: Level = Level.VIEW,
    mfa: bool | None = Query(default=None, description="assume the session used MFA"),
) -> Decision:
    """The decision with every failed rule and the grants that apply (a denial is recorded)."""
    return policy.decide(
        session, actor=actor, person=person, secret=secret, action=action, mfa=mfa, engine=engine
    )


@router.get("/who-can", response_model=list[Decision], summary="Who can reach a secret")
def who_can(
    session: DbSession,
    actor: Reader,
    engine: Engine,
    secret: str = Query(max_length=200),
    action: Level = Level.VIEW,
) -> list[Decision]:
    """The owner and every holder of a live grant, each with the decision and its reasons."""
    return policy.who_can(session, actor=actor, secret=secret, action=action, engine=engine)


@router.get("/what-can", response_model=list[Decision], summary="What a person can reach")
def what_can(
    session: DbSession,
    actor: Reader,
    engine: Engine,
    person: str = Query(max_length=320),
    action: Level = Level.VIEW,
) -> list[Decision]:
    """Every secret the person owns or holds a live grant on, with the decision."""
    return policy.what_can(session, actor=actor, person=person, action=action, engine=engine)
