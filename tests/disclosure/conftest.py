"""Fixtures for registered copies: a vault over a temp blob folder, a secret with a recipient."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - registers secrets as document owners
from crownjewels.core.actor import Actor
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties.schemas import PersonRead
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person

# the page fixtures (the app on the test's database, logged-in clients) for the portal tests
from tests.web.conftest import app, client_of, frozen, settings  # noqa: F401


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(
        store=LocalBlobStore(tmp_path / "blobs"),
        keys=KeyRing(LocalKeyProvider(os.urandom(32), source="test")),
        segment_size=4096,
        max_upload=1 << 22,
    )


def make_blue_pigment(session: Session, admin: Actor) -> SecretRead:
    """The test secret."""
    return make_secret(session, admin, name="Blue pigment")


def make_alice(session: Session, admin: Actor) -> PersonRead:
    """The test recipient, Alice Smith of Acme Ltd."""
    org = make_org(session, admin, name="Acme Ltd")
    return make_person(session, admin, org=org, name="Alice Smith")


@pytest.fixture
def secret(session: Session, admin: Actor) -> SecretRead:
    return make_blue_pigment(session, admin)


@pytest.fixture
def alice(session: Session, admin: Actor) -> PersonRead:
    return make_alice(session, admin)
