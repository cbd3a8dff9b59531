"""Agreement fixtures: a vault over a temp blob folder, a vendor with a person, a secret."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - registers agreements as document owners
from crownjewels.core.actor import Actor
from crownjewels.inventory.schemas import Category, SecretRead
from crownjewels.parties.schemas import OrganisationRead, PersonRead
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(
        store=LocalBlobStore(tmp_path / "blobs"),
        keys=KeyRing(LocalKeyProvider(os.urandom(32), source="test")),
        segment_size=4096,
        max_upload=1 << 22,
    )


@pytest.fixture
def vendor(session: Session, admin: Actor) -> OrganisationRead:
    return make_org(session, admin, name="Lotus Process Services")


@pytest.fixture
def vendor_person(session: Session, admin: Actor, vendor: OrganisationRead) -> PersonRead:
    return make_person(session, admin, org=vendor, name="Arjun Mehta", country="IN")


@pytest.fixture
def recipe(session: Session, admin: Actor) -> SecretRead:
    return make_secret(session, admin, name="Brine recipe", category=Category.FORMULA)
