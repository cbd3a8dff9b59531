"""Access fixtures: a secret owned by a person, a grantee bound by an agreement in force (so
every rule but the grant holds), both made through the real services."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - registers the offboarding document owner
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.inventory.schemas import SecretRead, Tier
from crownjewels.parties.schemas import OrgKind, PersonRead
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person


def bind(session: Session, actor: Actor, person: PersonRead) -> None:
    """An NDA in force today with the person's organisation, covering every secret."""
    today = clock.today()
    agreements.create(
        session,
        actor=actor,
        data=AgreementCreate.model_validate(
            {
                "kind": "nda",
                "title": f"NDA {person.full_name}",
                "status": "in_force",
                "effective_on": today - timedelta(days=10),
                "expires_on": today + timedelta(days=400),
                "governing_law": "US",
                "parties": [{"organisation": person.organisation_id}],
            }
        ),
    )


@dataclass(frozen=True)
class World:
    """A secret with its owner, a bound grantee and an unbound stranger."""

    secret: SecretRead
    grantee: PersonRead
    stranger: PersonRead


def make_world(
    session: Session, actor: Actor, *, owner: PersonRead, tier: Tier = Tier.SENSITIVE
) -> World:
    secret = make_secret(session, actor, owner=owner, name="Brine recipe", tier=tier)
    own = make_org(session, actor, name="Acme Labs", kind=OrgKind.SUBSIDIARY, country="US")
    grantee = make_person(session, actor, org=own, name="Grace Hopper")
    bind(session, actor, grantee)
    other = make_org(session, actor, name="Elsewhere Ltd", kind=OrgKind.SUBSIDIARY, country="US")
    stranger = make_person(session, actor, org=other, name="Sam Stranger")
    return World(secret=secret, grantee=grantee, stranger=stranger)


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    """A vault over a temp blob folder (offboarding certificates)."""
    return Vault(
        store=LocalBlobStore(tmp_path / "blobs"),
        keys=KeyRing(LocalKeyProvider(os.urandom(32), source="test")),
        segment_size=4096,
        max_upload=1 << 22,
    )
