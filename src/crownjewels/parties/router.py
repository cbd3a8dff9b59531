"""JSON API of parties under /api/v1: organisations, people, users, tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import DbSession, Paging, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.parties import accounts, service, tokens
from crownjewels.parties.schemas import (
    Departure,
    OrganisationCreate,
    OrganisationFilter,
    OrganisationRead,
    OrganisationUpdate,
    OrgKind,
    OrgStatus,
    PersonCreate,
    PersonFilter,
    PersonKind,
    PersonRead,
    PersonStatus,
    PersonUpdate,
    SignedOut,
    TokenCreate,
    TokenIssued,
    TokenRead,
    UserCreate,
    UserRead,
)

router = APIRouter(tags=["parties"])
Reader = Annotated[Actor, Depends(require(P.PARTIES_READ))]
Writer = Annotated[Actor, Depends(require(P.PARTIES_WRITE))]
Admin = Annotated[Actor, Depends(require(P.USERS_MANAGE))]
TokenUser = Annotated[Actor, Depends(require(P.TOKENS_OWN))]


@router.get("/organisations", response_model=Page[OrganisationRead], summary="List organisations")
def list_organisations(
    session: DbSession,
    actor: Reader,
    paging: Paging,
    kind: OrgKind | None = None,
    status_: OrgStatus | None = Query(default=None, alias="status"),
    country: str | None = None,
    q: str | None = Query(default=None, max_length=200),
) -> Page[OrganisationRead]:
    """Organisations, filtered by kind, status, country and name."""
    flt = OrganisationFilter(kind=kind, status=status_, country=country, q=q)
    items, total = service.list_organisations(session, actor=actor, filters=flt, page=paging)
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "/organisations",
    response_model=OrganisationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add an organisation",
)
def create_organisation(
    session: DbSession, actor: Writer, body: OrganisationCreate
) -> OrganisationRead:
    """Record a new organisation."""
    return service.create_organisation(session, actor=actor, data=body)


@router.get(
    "/organisations/{org_ref}", response_model=OrganisationRead, summary="Show an organisation"
)
def get_organisation(session: DbSession, actor: Reader, org_ref: str) -> OrganisationRead:
    """One organisation by id or name."""
    return service.get_organisation(session, actor=actor, org_ref=org_ref)


@router.patch(
    "/organisations/{org_ref}", response_model=OrganisationRead, summary="Update an organisation"
)
def update_organisation(
    session: DbSession, actor: Writer, org_ref: str, body: OrganisationUpdate
) -> OrganisationRead:
    """Change an organisation."""
    return service.update_organisation(session, actor=actor, org_ref=org_ref, changes=body)


@router.get("/people", response_model=Page[PersonRead], summary="List people")
def list_people(
    session: DbSession,
    actor: Reader,
    paging: Paging,
    organisation: str | None = None,
    status_: PersonStatus | None = Query(default=None, alias="status"),
    kind: PersonKind | None = None,
    q: str | None = Query(default=None, max_length=200),
) -> Page[PersonRead]:
    """People, filtered by organisation, status, kind and name or email."""
    org_id = (
        service.get_organisation(session, actor=actor, org_ref=organisation).id
        if organisation
        else None
    )
    flt = PersonFilter(organisation_id=org_id, status=status_, kind=kind, q=q)
    items, total = service.list_people(session, actor=actor, filters=flt, page=paging)
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "/people",
    response_model=PersonRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a person",
)
def create_person(session: DbSession, actor: Writer, body: PersonCreate) -> PersonRead:
    """Record a new person in an existing organisation."""
    return service.create_person(session, actor=actor, data=body)


@router.get("/people/{person_ref}", response_model=PersonRead, summary="Show a person")
def get_person(session: DbSession, actor: Reader, person_ref: str) -> PersonRead:
    """One person by id or email."""
    return service.get_person(session, actor=actor, person_ref=person_ref)


@router.patch("/people/{person_ref}", response_model=PersonRead, summary="Update a person")
def update_person(
    session: DbSession, actor: Writer, person_ref: str, body: PersonUpdate
) -> PersonRead:
    """Change a person's details."""
    return service.update_person(session, actor=actor, person_ref=person_ref, changes=body)


@router.post(
    "/people/{person_ref}/departure",
    response_model=PersonRead,
    summary="Mark departing or departed",
)
def depart_person(
    session: DbSession, actor: Writer, person_ref: str, body: Departure
) -> PersonRead:
    """A future date marks the person departing; today or earlier, departed."""
    return service.depart_person(session, actor=actor, person_ref=person_ref, departure=body)


@router.get("/users", response_model=list[UserRead], summary="List users")
def list_users(session: DbSession, actor: Admin) -> list[UserRead]:
    """Every login with its roles."""
    return accounts.list_users(session, actor=actor)


@router.post(
    "/users", response_model=UserRead, status_code=status.HTTP_201_CREATED, summary="Create a user"
)
def create_user(session: DbSession, actor: Admin, body: UserCreate) -> UserRead:
    """Give an existing person a login with roles."""
    return accounts.create_user(session, actor=actor, data=body)


@router.post(
    "/users/{user_ref}/sign-out",
    response_model=SignedOut,
    summary="Sign a user out everywhere",
)
def sign_out_everywhere(session: DbSession, actor: Admin, user_ref: str) -> SignedOut:
    """End every live web session of a user (named by id, email or person id)."""
    return accounts.sign_out_everywhere(session, actor=actor, user_ref=user_ref)


@router.get("/tokens", response_model=list[TokenRead], summary="List my API tokens")
def list_tokens(session: DbSession, actor: TokenUser) -> list[TokenRead]:
    """The caller's own tokens."""
    return tokens.list_tokens(session, actor=actor)


@router.post(
    "/tokens",
    response_model=TokenIssued,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API token",
)
def create_token(session: DbSession, actor: TokenUser, body: TokenCreate) -> TokenIssued:
    """A new token for the caller; its secret is shown only in this response."""
    return tokens.create_token(session, actor=actor, data=body)


@router.delete("/tokens/{token_id}", response_model=TokenRead, summary="Revoke an API token")
def revoke_token(session: DbSession, actor: TokenUser, token_id: str) -> TokenRead:
    """Revoke one of the caller's tokens."""
    return tokens.revoke_token(session, actor=actor, token_id=token_id)
