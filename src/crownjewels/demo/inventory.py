"""The demo register (secrets.yaml): the secrets with their assessments and locations, the
reviews held so far, and the one secret retired."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from crownjewels.core import clock
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset
from crownjewels.demo.context import Seeding
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import ReviewCreate, SecretCreate, SecretStatus, StatusChange


class Review(dataset.Record):
    """A review of a secret by the login of a role, some days ago."""

    secret: str
    reviewer: Role
    days_ago: int
    outcome: str
    notes: str


class Retirement(dataset.Record):
    """A secret retired, and why."""

    secret: str
    reason: str


class Register(dataset.DataFile):
    """secrets.yaml: each secret as `SecretCreate` takes it, reviews, the one retirement."""

    secrets: list[SecretCreate]
    reviews: list[Review]
    retired: Retirement

    def references(self, company: dataset.Company) -> Iterator[dataset.Reference]:
        """Owners are people of the company; reviews and the retirement name a secret."""
        staff = {company.staff(local) for local in company.locals()}
        names = {s.name for s in self.secrets}
        for i, secret in enumerate(self.secrets):
            yield ("secrets", i, "owner_id"), secret.owner_id, staff, "person of the company"
            for n, location in enumerate(secret.locations):
                if location.owner_id is not None:
                    where = ("secrets", i, "locations", n, "owner_id")
                    yield where, location.owner_id, staff, "person of the company"
        for i, review in enumerate(self.reviews):
            yield ("reviews", i, "secret"), review.secret, names, "secret"
        yield ("retired", "secret"), self.retired.secret, names, "secret"


def register() -> Register:
    """The demo register's data."""
    return dataset.load("secrets.yaml", Register)


def seed_register(run: Seeding) -> None:
    """Every secret, registered under the company's name (its legends name it)."""
    for data in register().secrets:
        inventory.register(run.session, actor=run.actor, data=data, company=run.company_name)


def seed_reviews(run: Seeding) -> None:
    """The reviews held so far, each by the login of its reviewer's role."""
    today = clock.today()
    for review in register().reviews:
        inventory.review(
            run.session,
            actor=run.users[review.reviewer],
            secret_ref=review.secret,
            data=ReviewCreate.model_validate(
                {
                    "outcome": review.outcome,
                    "notes": review.notes,
                    "reviewed_on": today - timedelta(days=review.days_ago),
                }
            ),
        )


def seed_retirement(run: Seeding) -> None:
    """The secret no longer worth protecting, retired by legal."""
    retired = register().retired
    inventory.change_status(
        run.session,
        actor=run.users[Role.LEGAL],
        secret_ref=retired.secret,
        change=StatusChange(status=SecretStatus.RETIRED, reason=retired.reason),
    )
