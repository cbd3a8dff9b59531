"""Vault fixtures: a vault over a temp blob folder and a fresh KEK; a secret to own documents."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - registers secrets as document owners
from crownjewels.core.actor import Actor
from crownjewels.inventory.schemas import SecretRead
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault
from tests.inventory.factories import make_secret


@pytest.fixture
def kek() -> bytes:
    return os.urandom(32)


@pytest.fixture
def vault(tmp_path: Path, kek: bytes) -> Vault:
    return Vault(
        store=LocalBlobStore(tmp_path / "blobs"),
        keys=KeyRing(LocalKeyProvider(kek, source="test")),
        segment_size=4096,
        max_upload=1 << 20,
    )


@pytest.fixture
def secret(session: Session, admin: Actor) -> SecretRead:
    return make_secret(session, admin, name="Brine recipe")
