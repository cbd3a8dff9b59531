"""Factories for the lifecycle tests: people who pass every access rule, through the real
services (an NDA in force covering the secret, an approved grant)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.access.models import Grant
from crownjewels.access.schemas import GrantRequest
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate, PartyCreate
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties.schemas import OrganisationRead, OrgKind, PersonRead
from tests.parties.factories import make_org, make_person


def nda(
    session: Session, actor: Actor, *, org: OrganisationRead, expires_on: date | None = None
) -> str:
    """An NDA in force since last month with the organisation, covering every secret."""
    made = agreements.create(
        session,
        actor=actor,
        data=AgreementCreate(
            kind="nda",  # type: ignore[arg-type]
            title=f"NDA with {org.name}",
            status="in_force",  # type: ignore[arg-type]
            effective_on=clock.today() - timedelta(days=30),
            expires_on=expires_on,
            parties=[PartyCreate(organisation=org.id)],
        ),
    )
    return made.ref


def partner(session: Session, actor: Actor, name: str = "Harbor Labs") -> OrganisationRead:
    """A partner organisation (not a vendor: no due diligence or notice to acknowledge)."""
    return make_org(session, actor, name=name, kind=OrgKind.PARTNER, country="US")


def granted(
    session: Session,
    actor: Actor,
    *,
    person: PersonRead,
    secret: SecretRead,
    level: Level = Level.DOWNLOAD,
) -> Grant:
    """An approved, active grant for the person (who must pass every other rule)."""
    made = access.request_grant(
        session,
        actor=actor,
        data=GrantRequest(
            person=person.id,
            secret=secret.id,
            level=level,
            purpose="evaluating the process together",
            expires_at=clock.now() + timedelta(days=60),
        ),
    )
    for _ in range(made.approvals_needed):
        access.approve(session, actor=actor, grant_ref=made.ref)
    row = session.get(Grant, made.id)
    assert row is not None and row.status == "active", row and row.status
    return row


def bound_person(
    session: Session, actor: Actor, *, org: OrganisationRead, name: str | None = None
) -> PersonRead:
    """A person of the organisation, in the US."""
    return make_person(session, actor, org=org, name=name, country="US")
