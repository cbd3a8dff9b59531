"""The demo's need-to-know access (access.yaml): a vendor user's download grant on the claims
playbook, its notice acknowledged first, and a request still waiting for its owner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from crownjewels.access import service as access
from crownjewels.access.schemas import GrantRequest, Level
from crownjewels.core import clock
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset
from crownjewels.demo.context import Seeding
from crownjewels.inventory import service as inventory
from crownjewels.training import service as training


class Holder(dataset.Record):
    """A person: the organisation key and the email local part."""

    organisation: str
    email: str


class Grant(dataset.Record):
    """A grant requested by the login of a role, acknowledged and approved as far as it got."""

    person: Holder
    secret: str
    level: Level
    purpose: str
    days: int
    requester: Role
    acknowledged_by: Role | None = None
    approvers: list[Role] = []


class Grants(dataset.DataFile):
    """access.yaml."""

    grants: list[Grant]

    def references(self, company: dataset.Company) -> Iterator[dataset.Reference]:
        """Each grant names a person of an organisation."""
        for i, grant in enumerate(self.grants):
            where = ("grants", i, "person")
            yield (
                (*where, "organisation"),
                grant.person.organisation,
                company.organisations,
                ("organisation"),
            )
            yield (*where, "email"), grant.person.email, company.locals(), "person"


def notice_text(secret_ref: str, name: str, legend: str, purpose: str) -> str:
    """The confidentiality notice a recipient acknowledges before first access to a secret."""
    return (
        f"{legend}\n\nYou are being given access to {secret_ref} \u201c{name}\u201d for this "
        f"purpose only: {purpose}. It is a trade secret of its owner. You will not disclose, copy "
        "or use it for anything else, you will keep every copy within the systems provided, and "
        "you will return or destroy every copy when your access ends or when asked."
    )


def seed(run: Seeding) -> None:
    """Every grant of access.yaml, in order."""
    for grant in dataset.load("access.yaml", Grants).grants:
        _grant(run, grant)


def _grant(run: Seeding, grant: Grant) -> None:
    requester = run.users[grant.requester]
    secret = grant.secret
    if grant.acknowledged_by is not None:
        secret = _acknowledge(run, grant)
    made = access.request_grant(
        run.session,
        actor=requester,
        data=GrantRequest(
            person=run.email(grant.person.organisation, grant.person.email),
            secret=secret,
            level=grant.level,
            purpose=grant.purpose,
            expires_at=clock.now() + timedelta(days=grant.days),
        ),
    )
    for role in grant.approvers:
        access.approve(
            run.session, actor=run.users[role], grant_ref=made.ref, note="need confirmed"
        )


def _acknowledge(run: Seeding, grant: Grant) -> str:
    """The notice acknowledged from the portal by the login of a role; the secret's id."""
    read = inventory.get(run.session, actor=run.users[grant.requester], secret_ref=grant.secret)
    assert grant.acknowledged_by is not None
    reader = run.users[grant.acknowledged_by]
    if reader.person_id:
        training.acknowledge(
            run.session,
            actor=reader,
            person_id=reader.person_id,
            kind="secret-notice",
            secret_id=read.id,
            channel="portal",
            text=notice_text(read.ref, read.name, read.legend, grant.purpose),
        )
    return read.id
