"""JSON API of the register under /api/v1/secrets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, DbSession, Paging, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.inventory import service
from crownjewels.inventory.schemas import (
    Category,
    LocationCreate,
    LocationPatterns,
    ReviewCreate,
    ReviewRead,
    SecretCreate,
    SecretFilter,
    SecretRead,
    SecretStatus,
    SecretUpdate,
    StatusChange,
    Tier,
)

router = APIRouter(prefix="/secrets", tags=["secrets"])
Reader = Annotated[Actor, Depends(require(P.SECRETS_READ_ALL, P.SECRETS_READ_OWN))]
Writer = Annotated[Actor, Depends(require(P.SECRETS_WRITE_ALL, P.SECRETS_WRITE_OWN))]


@router.get("", response_model=Page[SecretRead], summary="List the register")
def list_secrets(
    session: DbSession,
    actor: Reader,
    paging: Paging,
    tier: Tier | None = None,
    category: Category | None = None,
    owner: str | None = Query(default=None, description="person id or email"),
    status_: SecretStatus | None = Query(default=None, alias="status"),
    q: str | None = Query(
        default=None, max_length=200, description="text in name, description, unit"
    ),
    overdue: bool | None = None,
) -> Page[SecretRead]:
    """Secrets the caller may see, filtered and paginated."""
    flt = SecretFilter(
        tier=tier, category=category, owner_id=owner, status=status_, q=q, overdue=overdue
    )
    items, total = service.list_secrets(session, actor=actor, filters=flt, page=paging)
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "", response_model=SecretRead, status_code=status.HTTP_201_CREATED, summary="Register a secret"
)
def register(
    session: DbSession, actor: Writer, settings: AppSettings, body: SecretCreate
) -> SecretRead:
    """Register a secret; the SHA-256 of its description is sealed into the custody log."""
    return service.register(session, actor=actor, data=body, company=settings.company_name)


@router.get("/{secret_ref}", response_model=SecretRead, summary="Show a secret")
def get(session: DbSession, actor: Reader, secret_ref: str) -> SecretRead:
    """One secret by id, reference (TS-0001) or name."""
    return service.get(session, actor=actor, secret_ref=secret_ref)


@router.patch("/{secret_ref}", response_model=SecretRead, summary="Update a secret")
def update(
    session: DbSession, actor: Writer, settings: AppSettings, secret_ref: str, body: SecretUpdate
) -> SecretRead:
    """Change fields; send `version` to refuse the change if someone else changed it first."""
    return service.update(
        session, actor=actor, secret_ref=secret_ref, changes=body, company=settings.company_name
    )


@router.post(
    "/{secret_ref}/reviews",
    response_model=ReviewRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a review",
)
def review(session: DbSession, actor: Writer, secret_ref: str, body: ReviewCreate) -> ReviewRead:
    """Record a periodic review; schedules the next one."""
    return service.review(session, actor=actor, secret_ref=secret_ref, data=body)


@router.get("/{secret_ref}/reviews", response_model=list[ReviewRead], summary="List reviews")
def reviews(session: DbSession, actor: Reader, secret_ref: str) -> list[ReviewRead]:
    """The reviews of a secret, newest first."""
    return service.reviews(session, actor=actor, secret_ref=secret_ref)


@router.post(
    "/{secret_ref}/status", response_model=SecretRead, summary="Retire, or record disclosed or lost"
)
def change_status(
    session: DbSession, actor: Writer, secret_ref: str, body: StatusChange
) -> SecretRead:
    """Change the status with a reason: retired, disclosed or lost (retired may be reactivated)."""
    return service.change_status(session, actor=actor, secret_ref=secret_ref, change=body)


@router.post(
    "/{secret_ref}/locations",
    response_model=SecretRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a location",
)
def add_location(
    session: DbSession, actor: Writer, secret_ref: str, body: LocationCreate
) -> SecretRead:
    """Record another place where the secret lives."""
    return service.add_location(session, actor=actor, secret_ref=secret_ref, data=body)


@router.delete(
    "/{secret_ref}/locations/{location_id}", response_model=SecretRead, summary="Remove a location"
)
def remove_location(
    session: DbSession, actor: Writer, secret_ref: str, location_id: str
) -> SecretRead:
    """Forget a location; the custody log keeps what it was."""
    return service.remove_location(
        session, actor=actor, secret_ref=secret_ref, location_id=location_id
    )


@router.put(
    "/{secret_ref}/locations/{location_id}/patterns",
    response_model=SecretRead,
    summary="Set a location's monitoring patterns",
)
def set_location_patterns(
    session: DbSession, actor: Writer, secret_ref: str, location_id: str, body: LocationPatterns
) -> SecretRead:
    """Where monitoring finds this location in other systems' activity: URL prefixes, path
    globs, s3://bucket/prefix (the list replaces the old one)."""
    return service.set_location_patterns(
        session, actor=actor, secret_ref=secret_ref, location_id=location_id, data=body
    )
