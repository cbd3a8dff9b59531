"""Seeding the demo company: each capability's step in the order that gives every row its
reference (TS-0001, VN-0001, AG-…), then one custody event for the whole demo."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.demo import (
    access,
    agreements,
    dataset,
    diligence,
    documents,
    incidents,
    inventory,
    leaks,
    monitoring,
    parties,
    training,
    vendors,
)
from crownjewels.demo.context import Seeding
from crownjewels.demo.credentials import DemoLogin, demo_logins, demo_password
from crownjewels.inventory import service as inventory_service
from crownjewels.inventory.schemas import SecretFilter
from crownjewels.parties import service as parties_service
from crownjewels.parties.schemas import OrganisationFilter, PersonFilter
from crownjewels.settings import Settings
from crownjewels.vault import service as vault_service


@dataclass(frozen=True)
class DemoResult:
    """What the demo holds and how to log in; `seeded` is False when it was already there."""

    seeded: bool
    company: str
    password: str
    logins: tuple[DemoLogin, ...]
    organisations: int
    people: int
    secrets: int

    @property
    def admin(self) -> DemoLogin:
        """The admin login (the one to start the tour with)."""
        return next(login for login in self.logins if login.role == Role.ADMIN)


def seed(
    session: Session,
    *,
    actor: Actor,
    company: str,
    secret_key: str,
    vault: Callable[[], vault_service.Vault] | None = None,
    settings: Settings | None = None,
) -> DemoResult:
    """Seed the demo company into an empty register; if the demo is already there, change
    nothing and return its credentials again. Conflict if the register holds other data."""
    password = demo_password(secret_key)
    admin_email = dataset.company().login_email(Role.ADMIN)
    already = _count_people(session, actor, PersonFilter(q=admin_email)) > 0
    if not already:
        if _count_orgs(session, actor) or _count_secrets(session, actor):
            raise Conflict(
                "the register already holds data; the demo seeds only an empty installation "
                "(point CROWNJEWELS_HOME or CROWNJEWELS_DATABASE_URL at a new one)"
            )
        run = Seeding(
            session=session,
            actor=actor,
            company_name=company,
            secret_key=secret_key,
            password=password,
            vault=vault,
            settings=settings,
        )
        _seed(run)
    return DemoResult(
        seeded=not already,
        company=company,
        password=password,
        logins=demo_logins(secret_key),
        organisations=_count_orgs(session, actor),
        people=_count_people(session, actor, PersonFilter()),
        secrets=_count_secrets(session, actor),
    )


def _seed(run: Seeding) -> None:
    """Every step; the order matters (references are numbered as rows are made)."""
    parties.seed_organisations(run)
    parties.seed_people(run)
    parties.seed_logins(run)
    inventory.seed_register(run)
    inventory.seed_reviews(run)
    vendors.seed(run)
    diligence.seed(run)
    inventory.seed_retirement(run)
    parties.seed_departures(run)
    nda_refs = agreements.seed(run)
    documents.seed(run, nda_refs)
    training.seed(run)
    agreements.seed_staff_agreement(run)
    access.seed(run)
    monitoring.seed(run)
    leaks.seed(run)
    incidents.seed(run, nda_refs)
    company = run.company
    custody.record(
        run.session,
        actor=run.actor,
        event_type=EventType.DEMO_SEEDED,
        subject_type="installation",
        subject_id="demo",
        details={
            "company": run.company_name,
            "organisations": len(company.organisations),
            "people": len(company.people) + len(company.logins),
            "logins": len(company.logins),
            "secrets": len(inventory.register().secrets),
        },
    )


def _count_orgs(session: Session, actor: Actor) -> int:
    return parties_service.list_organisations(
        session, actor=actor, filters=OrganisationFilter(), page=PageParams(limit=1)
    )[1]


def _count_people(session: Session, actor: Actor, filters: PersonFilter) -> int:
    return parties_service.list_people(
        session, actor=actor, filters=filters, page=PageParams(limit=1)
    )[1]


def _count_secrets(session: Session, actor: Actor) -> int:
    return inventory_service.list_secrets(
        session, actor=actor, filters=SecretFilter(), page=PageParams(limit=1)
    )[1]
