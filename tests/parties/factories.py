"""Small factories for parties tests (and tests above parties)."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Role
from crownjewels.parties import accounts, service
from crownjewels.parties.schemas import (
    OrganisationCreate,
    OrganisationRead,
    OrgKind,
    PersonCreate,
    PersonKind,
    PersonRead,
    UserCreate,
    UserRead,
)

_n = itertools.count(1)
PASSWORD = "correct-horse-42-battery"


def make_org(
    session: Session,
    actor: Actor,
    *,
    name: str | None = None,
    kind: OrgKind = OrgKind.VENDOR,
    country: str = "IN",
) -> OrganisationRead:
    return service.create_organisation(
        session,
        actor=actor,
        data=OrganisationCreate(name=name or f"Org {next(_n)}", kind=kind, country=country),
    )


def make_person(
    session: Session,
    actor: Actor,
    *,
    org: OrganisationRead | None = None,
    name: str | None = None,
    country: str = "US",
    kind: PersonKind = PersonKind.EMPLOYEE,
) -> PersonRead:
    org = org or make_org(session, actor, kind=OrgKind.SUBSIDIARY)
    n = next(_n)
    return service.create_person(
        session,
        actor=actor,
        data=PersonCreate(
            full_name=name or f"Person {n}",
            email=f"person{n}@example.com",
            organisation_id=org.id,
            country=country,
            kind=kind,
        ),
    )


def make_user(
    session: Session, actor: Actor, *roles: Role, person: PersonRead | None = None
) -> UserRead:
    person = person or make_person(session, actor)
    return accounts.create_user(
        session,
        actor=actor,
        data=UserCreate(person_id=person.id, password=PASSWORD, roles=list(roles) or [Role.ADMIN]),
    )


def actor_for(session: Session, user: UserRead, *, mfa: bool = True) -> Actor:
    return accounts.actor_for_user(session, user_id=user.id, mfa=mfa)
