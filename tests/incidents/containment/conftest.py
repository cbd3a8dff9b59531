"""The containment world, built once per test module in the module's shared transaction."""

from __future__ import annotations

import os

import pytest

import crownjewels.registry  # noqa: F401 - document owners, custody labels, hooks
from crownjewels.core.db import Database
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault
from tests.incidents.containment.world import World, build


@pytest.fixture(scope="module")
def world(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The world, built once for the module."""
    home = tmp_path_factory.mktemp("containment")
    store = Vault(
        store=LocalBlobStore(home / "blobs"),
        keys=KeyRing(LocalKeyProvider(os.urandom(32), source="test")),
        segment_size=4096,
        max_upload=1 << 20,
    )
    with module_db.unit_of_work() as session:
        return build(session, store)
