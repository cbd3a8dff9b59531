"""Access fixtures: a vault over a temp blob folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import crownjewels.registry  # noqa: F401 - registers the offboarding document owner
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(
        store=LocalBlobStore(tmp_path / "blobs"),
        keys=KeyRing(LocalKeyProvider(os.urandom(32), source="test")),
        segment_size=4096,
        max_upload=1 << 22,
    )
