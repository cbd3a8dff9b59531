"""Helpers for the report channel's tests: case handlers, reports sent through the intake as a
reporter would, and a protected reporter holding a grant."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.permissions import Role
from crownjewels.incidents.reports import intake
from crownjewels.incidents.reports.attachments import Upload
from crownjewels.incidents.reports.schemas import Received, ReportCreate
from crownjewels.parties.schemas import OrgKind, PersonRead
from crownjewels.vault import service as vault
from tests.parties.factories import actor_for, make_org, make_person, make_user

ADMIN = system_actor("test")
#: the reporters' password in these tests
SECRET = "blue-harbour-lantern-7"


@dataclass(frozen=True)
class Person:
    """A person with a login, and the actor they act as."""

    person: PersonRead
    actor: Actor

    @property
    def email(self) -> str:
        return self.person.email


def staff(session: Session, name: str, *roles: Role) -> Person:
    """A person of our own company with a login holding the roles."""
    org = make_org(session, ADMIN, name=f"Acme {name}", kind=OrgKind.SUBSIDIARY)
    person = make_person(session, ADMIN, org=org, name=name)
    user = make_user(session, ADMIN, *roles, person=person)
    return Person(person=person, actor=actor_for(session, user))


def send(
    session: Session,
    *,
    subject: str = "Recipe binder taken home",
    body: str = "I saw the night-shift lead copy the brine recipe binder and take it home.",
    password: str = SECRET,
    files: list[Upload] | None = None,
    store: vault.Vault | None = None,
    **fields: object,
) -> Received:
    """A report as the intake form sends it."""
    data = ReportCreate.model_validate(
        {"subject": subject, "body": body, "password": password, **fields}
    )
    return intake.submit(session, data=data, uploads=files or [], store=store)
