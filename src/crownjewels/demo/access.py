"""The demo's need-to-know access (access.yaml): a vendor user's download grant on the claims
playbook, its exact notice acknowledged once approved, and a request still waiting for its
owner."""

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


def seed(run: Seeding) -> None:
    """Every grant of access.yaml, in order."""
    for grant in dataset.load("access.yaml", Grants).grants:
        _grant(run, grant)


def _grant(run: Seeding, grant: Grant) -> None:
    requester = run.users[grant.requester]
    secret = inventory.get(run.session, actor=requester, secret_ref=grant.secret)
    made = access.request_grant(
        run.session,
        actor=requester,
        data=GrantRequest(
            person=run.email(grant.person.organisation, grant.person.email),
            secret=secret.id,
            level=grant.level,
            purpose=grant.purpose,
            expires_at=clock.now() + timedelta(days=grant.days),
        ),
    )
    for role in grant.approvers:
        made = access.approve(
            run.session, actor=run.users[role], grant_ref=made.ref, note="need confirmed"
        )
    if grant.acknowledged_by is not None:
        # from the portal, by the vendor user, once the grant is in force: the exact notice
        access.acknowledge_notice(
            run.session,
            actor=run.users[grant.acknowledged_by],
            grant=made,
            secret=secret,
            channel="portal",
        )
