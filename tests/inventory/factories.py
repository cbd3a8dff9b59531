"""Small factories for register tests."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.inventory import service
from crownjewels.inventory.schemas import Category, SecretCreate, SecretRead, Tier
from crownjewels.parties.schemas import PersonRead
from tests.parties.factories import make_person

_n = itertools.count(1)
COMPANY = "Acme Foods"


def make_secret(
    session: Session,
    actor: Actor,
    *,
    owner: PersonRead | None = None,
    name: str | None = None,
    tier: Tier = Tier.SENSITIVE,
    category: Category = Category.FORMULA,
    **fields: object,
) -> SecretRead:
    owner = owner or make_person(session, actor)
    data = SecretCreate.model_validate(
        {
            "name": name or f"Secret {next(_n)}",
            "description": "The exact recipe and its process parameters.",
            "category": category,
            "tier": tier,
            "owner_id": owner.id,
            **fields,
        }
    )
    return service.register(session, actor=actor, data=data, company=COMPANY)
